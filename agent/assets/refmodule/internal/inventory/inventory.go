// Package inventory models a fleet of build machines and reads and writes it as JSON.
package inventory

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Machine is one host in the inventory.
type Machine struct {
	ID        string            `json:"id"`
	Hostname  string            `json:"hostname"`
	Owner     string            `json:"owner,omitempty"`
	OS        string            `json:"os"`
	Labels    map[string]string `json:"labels,omitempty"`
	Versions  Versions          `json:"versions"`
	LastSeen  time.Time         `json:"lastSeen"`
	Revoked   bool              `json:"revoked,omitempty"`
	Durations []Duration        `json:"durations,omitempty"`
}

// Versions are the parts of a machine whose change may explain a slowdown.
type Versions struct {
	Desktop string `json:"desktop,omitempty"`
	Engine  string `json:"engine,omitempty"`
	WSL     string `json:"wsl,omitempty"`
	Kernel  string `json:"kernel,omitempty"`
}

// Duration is one timed measurement.
type Duration struct {
	Series string        `json:"series"`
	At     time.Time     `json:"at"`
	Value  time.Duration `json:"value"`
}

// MarshalJSON writes the value in milliseconds, which is what people read.
func (d Duration) MarshalJSON() ([]byte, error) {
	type plain struct {
		Series string    `json:"series"`
		At     time.Time `json:"at"`
		Millis float64   `json:"ms"`
	}
	return json.Marshal(plain{d.Series, d.At, float64(d.Value) / float64(time.Millisecond)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Duration) UnmarshalJSON(data []byte) error {
	var plain struct {
		Series string    `json:"series"`
		At     time.Time `json:"at"`
		Millis float64   `json:"ms"`
	}
	if err := json.Unmarshal(data, &plain); err != nil {
		return err
	}
	if plain.Millis < 0 {
		return fmt.Errorf("duration %q is negative", plain.Series)
	}
	d.Series = plain.Series
	d.At = plain.At
	d.Value = time.Duration(plain.Millis * float64(time.Millisecond))
	return nil
}

// Inventory is a set of machines keyed by ID.
type Inventory struct {
	Machines map[string]*Machine `json:"machines"`
}

// ErrInvalid marks a machine that fails validation.
var ErrInvalid = errors.New("invalid machine")

// New returns an empty inventory.
func New() *Inventory {
	return &Inventory{Machines: make(map[string]*Machine)}
}

// Validate checks the fields every machine needs.
func (m *Machine) Validate() error {
	var problems []string
	if strings.TrimSpace(m.ID) == "" {
		problems = append(problems, "id is empty")
	}
	if strings.TrimSpace(m.Hostname) == "" {
		problems = append(problems, "hostname is empty")
	}
	switch m.OS {
	case "linux", "darwin", "windows":
	default:
		problems = append(problems, fmt.Sprintf("os %q is unknown", m.OS))
	}
	for key := range m.Labels {
		if strings.ContainsAny(key, " \t\n=") {
			problems = append(problems, fmt.Sprintf("label %q has a space or '='", key))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("%w %s: %s", ErrInvalid, m.ID, strings.Join(problems, "; "))
	}
	return nil
}

// Add validates and stores a machine, replacing an older one with the same ID.
func (inv *Inventory) Add(m *Machine) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if old, ok := inv.Machines[m.ID]; ok && old.LastSeen.After(m.LastSeen) {
		return nil
	}
	inv.Machines[m.ID] = m
	return nil
}

// Sorted returns the machines ordered by hostname, then ID.
func (inv *Inventory) Sorted() []*Machine {
	out := make([]*Machine, 0, len(inv.Machines))
	for _, m := range inv.Machines {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Hostname != out[j].Hostname {
			return out[i].Hostname < out[j].Hostname
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Filter returns the machines for which keep answers true.
func (inv *Inventory) Filter(keep func(*Machine) bool) []*Machine {
	var out []*Machine
	for _, m := range inv.Sorted() {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// Stale returns the machines not seen since the cutoff.
func (inv *Inventory) Stale(cutoff time.Time) []*Machine {
	return inv.Filter(func(m *Machine) bool { return !m.Revoked && m.LastSeen.Before(cutoff) })
}

// Write encodes the inventory as indented JSON.
func (inv *Inventory) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(inv)
}

// Read decodes an inventory, rejecting unknown fields and invalid machines.
func Read(r io.Reader) (*Inventory, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	inv := New()
	if err := dec.Decode(inv); err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	if inv.Machines == nil {
		inv.Machines = make(map[string]*Machine)
	}
	for id, m := range inv.Machines {
		if m.ID == "" {
			m.ID = id
		}
		if err := m.Validate(); err != nil {
			return nil, err
		}
	}
	return inv, nil
}
