// Package stats summarizes samples the way the devfleet server does: median and spread.
package stats

import (
	"errors"
	"math"
	"sort"
)

// ErrEmpty is returned for a summary of no samples.
var ErrEmpty = errors.New("no samples")

// Summary describes a set of samples.
type Summary struct {
	Count  int
	Min    float64
	Max    float64
	Mean   float64
	Median float64
	Q1     float64
	Q3     float64
	StdDev float64
}

// IQR is the interquartile range.
func (s Summary) IQR() float64 { return s.Q3 - s.Q1 }

// Summarize computes a Summary; the input is not modified.
func Summarize(samples []float64) (Summary, error) {
	if len(samples) == 0 {
		return Summary{}, ErrEmpty
	}
	sorted := append([]float64(nil), samples...)
	sort.Float64s(sorted)

	var sum float64
	for _, v := range sorted {
		sum += v
	}
	mean := sum / float64(len(sorted))

	var squares float64
	for _, v := range sorted {
		squares += (v - mean) * (v - mean)
	}
	std := 0.0
	if len(sorted) > 1 {
		std = math.Sqrt(squares / float64(len(sorted)-1))
	}

	return Summary{
		Count:  len(sorted),
		Min:    sorted[0],
		Max:    sorted[len(sorted)-1],
		Mean:   mean,
		Median: Quantile(sorted, 0.5),
		Q1:     Quantile(sorted, 0.25),
		Q3:     Quantile(sorted, 0.75),
		StdDev: std,
	}, nil
}

// Quantile interpolates linearly between the closest ranks of sorted samples.
func Quantile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	if p <= 0 {
		return sorted[0]
	}
	if p >= 1 {
		return sorted[len(sorted)-1]
	}
	pos := p * float64(len(sorted)-1)
	lower := int(math.Floor(pos))
	upper := int(math.Ceil(pos))
	frac := pos - float64(lower)
	return sorted[lower] + frac*(sorted[upper]-sorted[lower])
}

// Shift compares two sets of samples: the relative change of the median and whether the
// medians lie further apart than the spread of either set.
type Shift struct {
	Before      Summary
	After       Summary
	Relative    float64
	Significant bool
}

// Compare builds a Shift from samples before and after a change.
func Compare(before, after []float64) (Shift, error) {
	b, err := Summarize(before)
	if err != nil {
		return Shift{}, err
	}
	a, err := Summarize(after)
	if err != nil {
		return Shift{}, err
	}
	rel := 0.0
	if b.Median != 0 {
		rel = (a.Median - b.Median) / b.Median
	}
	gap := math.Abs(a.Median - b.Median)
	return Shift{
		Before:      b,
		After:       a,
		Relative:    rel,
		Significant: gap > math.Max(b.IQR(), a.IQR()) && math.Abs(rel) > 0.1,
	}, nil
}

// MovingMedian smooths a series with a window of the given odd width.
func MovingMedian(series []float64, width int) []float64 {
	if width < 1 {
		width = 1
	}
	if width%2 == 0 {
		width++
	}
	half := width / 2
	out := make([]float64, len(series))
	window := make([]float64, 0, width)
	for i := range series {
		window = window[:0]
		for j := i - half; j <= i+half; j++ {
			if j >= 0 && j < len(series) {
				window = append(window, series[j])
			}
		}
		sort.Float64s(window)
		out[i] = Quantile(window, 0.5)
	}
	return out
}
