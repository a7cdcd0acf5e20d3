// Package store keeps recent samples in memory and exports them as CSV.
package store

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Sample is one measurement of a series on a machine.
type Sample struct {
	Machine string
	Series  string
	At      time.Time
	Millis  float64
}

// Store holds samples per series for a limited time.
type Store struct {
	mu     sync.RWMutex
	keep   time.Duration
	series map[string][]Sample
	added  int64
}

// New returns a store that forgets samples older than keep.
func New(keep time.Duration) *Store {
	return &Store{keep: keep, series: make(map[string][]Sample)}
}

// Add records a sample; samples arrive roughly in time order.
func (s *Store) Add(sample Sample) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := sample.Machine + "/" + sample.Series
	list := append(s.series[key], sample)
	if n := len(list); n > 1 && list[n-1].At.Before(list[n-2].At) {
		sort.SliceStable(list, func(i, j int) bool { return list[i].At.Before(list[j].At) })
	}
	s.series[key] = list
	s.added++
}

// Expire drops samples older than the retention, and returns how many went.
func (s *Store) Expire(now time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	cutoff := now.Add(-s.keep)
	dropped := 0
	for key, list := range s.series {
		i := sort.Search(len(list), func(i int) bool { return !list[i].At.Before(cutoff) })
		dropped += i
		if i == len(list) {
			delete(s.series, key)
			continue
		}
		s.series[key] = append([]Sample(nil), list[i:]...)
	}
	return dropped
}

// Series returns a copy of one machine's series.
func (s *Store) Series(machine, series string) []Sample {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]Sample(nil), s.series[machine+"/"+series]...)
}

// Keys lists the stored machine/series pairs in order.
func (s *Store) Keys() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	keys := make([]string, 0, len(s.series))
	for key := range s.series {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}

// Added counts every sample ever added.
func (s *Store) Added() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.added
}

// WriteCSV exports every sample, one row each, with a header.
func (s *Store) WriteCSV(w io.Writer) error {
	out := csv.NewWriter(w)
	if err := out.Write([]string{"machine", "series", "at", "ms"}); err != nil {
		return err
	}
	for _, key := range s.Keys() {
		s.mu.RLock()
		list := append([]Sample(nil), s.series[key]...)
		s.mu.RUnlock()
		for _, sample := range list {
			row := []string{
				sample.Machine,
				sample.Series,
				sample.At.UTC().Format(time.RFC3339Nano),
				strconv.FormatFloat(sample.Millis, 'f', 3, 64),
			}
			if err := out.Write(row); err != nil {
				return fmt.Errorf("write csv: %w", err)
			}
		}
	}
	out.Flush()
	return out.Error()
}

// ReadCSV loads what WriteCSV wrote.
func ReadCSV(r io.Reader, into *Store) (int, error) {
	in := csv.NewReader(r)
	in.FieldsPerRecord = 4
	header := true
	count := 0
	for {
		row, err := in.Read()
		if err == io.EOF {
			return count, nil
		}
		if err != nil {
			return count, err
		}
		if header {
			header = false
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, row[2])
		if err != nil {
			return count, fmt.Errorf("row %d: %w", count+2, err)
		}
		ms, err := strconv.ParseFloat(row[3], 64)
		if err != nil {
			return count, fmt.Errorf("row %d: %w", count+2, err)
		}
		into.Add(Sample{Machine: row[0], Series: row[1], At: at, Millis: ms})
		count++
	}
}
