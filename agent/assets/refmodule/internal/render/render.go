// Package render turns an inventory into a plain-text summary and an HTML page.
package render

import (
	htmltemplate "html/template"
	"io"
	"strconv"
	"strings"
	"text/template"
	"time"

	"devfleet.invalid/refmodule/internal/inventory"
	"devfleet.invalid/refmodule/internal/stats"
)

var funcs = map[string]interface{}{
	"ago": func(now, then time.Time) string {
		d := now.Sub(then).Round(time.Minute)
		if d < time.Minute {
			return "just now"
		}
		return d.String() + " ago"
	},
	"upper": strings.ToUpper,
	"ms": func(v float64) string {
		return strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(v, 'f', 2, 64), "0"), ".")
	},
}

const textReport = `Fleet report, {{.Now.Format "2006-01-02 15:04"}}
{{range .Rows}}
{{upper .Machine.Hostname}} ({{.Machine.OS}}, seen {{ago $.Now .Machine.LastSeen}})
  desktop {{or .Machine.Versions.Desktop "-"}}, engine {{or .Machine.Versions.Engine "-"}}
{{- range .Series}}
  {{.Name}}: median {{ms .Summary.Median}} ms, spread {{ms .Summary.IQR}} ms over {{.Summary.Count}}
{{- end}}
{{else}}
No machines.
{{end}}`

const htmlReport = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body>
<h1>{{.Title}}</h1>
<table>
<thead><tr><th>Machine</th><th>OS</th><th>Engine</th><th>Series</th></tr></thead>
<tbody>
{{range .Rows}}<tr>
<td>{{.Machine.Hostname}}</td><td>{{.Machine.OS}}</td><td>{{.Machine.Versions.Engine}}</td>
<td>{{range $i, $s := .Series}}{{if $i}}, {{end}}{{$s.Name}} {{ms $s.Summary.Median}} ms{{end}}</td>
</tr>{{end}}
</tbody>
</table>
</body></html>
`

var (
	textTemplate = template.Must(template.New("text").Funcs(funcs).Parse(textReport))
	htmlTemplate = htmltemplate.Must(htmltemplate.New("html").Funcs(funcs).Parse(htmlReport))
)

// SeriesRow is one summarized series of a machine.
type SeriesRow struct {
	Name    string
	Summary stats.Summary
}

// Row is one machine with its series.
type Row struct {
	Machine *inventory.Machine
	Series  []SeriesRow
}

// View is what both templates render.
type View struct {
	Title string
	Now   time.Time
	Rows  []Row
}

// BuildView summarizes every machine's durations by series.
func BuildView(inv *inventory.Inventory, now time.Time) View {
	view := View{Title: "Fleet", Now: now}
	for _, m := range inv.Sorted() {
		bySeries := map[string][]float64{}
		var names []string
		for _, d := range m.Durations {
			if _, ok := bySeries[d.Series]; !ok {
				names = append(names, d.Series)
			}
			bySeries[d.Series] = append(bySeries[d.Series], float64(d.Value)/float64(time.Millisecond))
		}
		row := Row{Machine: m}
		for _, name := range names {
			if summary, err := stats.Summarize(bySeries[name]); err == nil {
				row.Series = append(row.Series, SeriesRow{Name: name, Summary: summary})
			}
		}
		view.Rows = append(view.Rows, row)
	}
	return view
}

// Text writes the plain-text report.
func Text(w io.Writer, view View) error { return textTemplate.Execute(w, view) }

// HTML writes the page; html/template escapes every field.
func HTML(w io.Writer, view View) error { return htmlTemplate.Execute(w, view) }
