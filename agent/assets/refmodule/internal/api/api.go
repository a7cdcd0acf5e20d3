// Package api serves the inventory over HTTP.
package api

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"devfleet.invalid/refmodule/internal/inventory"
	"devfleet.invalid/refmodule/internal/render"
	"devfleet.invalid/refmodule/internal/signing"
	"devfleet.invalid/refmodule/internal/store"
)

// Server holds the handlers' state.
type Server struct {
	mu        sync.RWMutex
	inv       *inventory.Inventory
	samples   *store.Store
	secret    []byte
	maxBody   int64
	requests  atomic.Int64
	logger    *log.Logger
	now       func() time.Time
	keyHashes map[string]string
}

// Options configure a Server.
type Options struct {
	Secret  []byte
	MaxBody int64
	Logger  *log.Logger
	Now     func() time.Time
}

// New returns a server with an empty inventory.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = log.New(io.Discard, "", 0)
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 1 << 20
	}
	return &Server{
		inv:       inventory.New(),
		samples:   store.New(30 * 24 * time.Hour),
		secret:    opts.Secret,
		maxBody:   opts.MaxBody,
		logger:    opts.Logger,
		now:       opts.Now,
		keyHashes: map[string]string{},
	}
}

type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// Handler returns the routes wrapped in logging and gzip.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/machines", s.handle(s.listMachines))
	mux.HandleFunc("/api/v1/machines/", s.handle(s.putMachine))
	mux.HandleFunc("/api/v1/enroll", s.handle(s.enroll))
	mux.HandleFunc("/report.txt", s.page("text/plain; charset=utf-8", render.Text))
	mux.HandleFunc("/report.html", s.page("text/html; charset=utf-8", render.HTML))
	mux.HandleFunc("/samples.csv", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		if err := s.samples.WriteCSV(w); err != nil {
			s.logger.Printf("csv: %v", err)
		}
	})
	return s.logging(gzipped(mux))
}

func (s *Server) handle(fn func(*http.Request) (interface{}, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := fn(r)
		if err != nil {
			var known *apiError
			if !errors.As(err, &known) {
				s.logger.Printf("internal error: %v", err)
				known = &apiError{Status: 500, Code: "INTERNAL", Message: "internal error"}
			}
			writeJSON(w, known.Status, known)
			return
		}
		writeJSON(w, http.StatusOK, body)
	}
}

func (s *Server) page(contentType string, write func(io.Writer, render.View) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.RLock()
		view := render.BuildView(s.inv, s.now())
		s.mu.RUnlock()
		w.Header().Set("Content-Type", contentType)
		if err := write(w, view); err != nil {
			s.logger.Printf("render %s: %v", r.URL.Path, err)
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, body interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body)
}

func (s *Server) listMachines(r *http.Request) (interface{}, error) {
	if r.Method != http.MethodGet {
		return nil, &apiError{405, "METHOD", "use GET"}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	os := r.URL.Query().Get("os")
	return s.inv.Filter(func(m *inventory.Machine) bool { return os == "" || m.OS == os }), nil
}

func (s *Server) putMachine(r *http.Request) (interface{}, error) {
	if r.Method != http.MethodPut {
		return nil, &apiError{405, "METHOD", "use PUT"}
	}
	id := strings.TrimPrefix(r.URL.Path, "/api/v1/machines/")
	if err := s.authorize(r, id); err != nil {
		return nil, err
	}
	var m inventory.Machine
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, s.maxBody))
	if err := dec.Decode(&m); err != nil {
		return nil, &apiError{400, "BODY", err.Error()}
	}
	m.ID = id
	m.LastSeen = s.now()
	s.mu.Lock()
	err := s.inv.Add(&m)
	s.mu.Unlock()
	if err != nil {
		return nil, &apiError{422, "INVALID", err.Error()}
	}
	for _, d := range m.Durations {
		s.samples.Add(store.Sample{Machine: id, Series: d.Series, At: d.At, Millis: d.Value.Seconds() * 1000})
	}
	return map[string]string{"id": id}, nil
}

func (s *Server) enroll(r *http.Request) (interface{}, error) {
	if r.Method != http.MethodPost {
		return nil, &apiError{405, "METHOD", "use POST"}
	}
	var body struct {
		Secret   string `json:"secret"`
		Hostname string `json:"hostname"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body); err != nil {
		return nil, &apiError{400, "BODY", err.Error()}
	}
	if !signing.KeyMatches(body.Secret, signing.HashKey(string(s.secret))) {
		return nil, &apiError{401, "SECRET", "enrollment secret rejected"}
	}
	key, err := signing.NewKey(32)
	if err != nil {
		return nil, fmt.Errorf("new key: %w", err)
	}
	id := signing.HashKey(body.Hostname + key)[:16]
	s.mu.Lock()
	s.keyHashes[id] = signing.HashKey(key)
	s.mu.Unlock()
	return map[string]string{"machineId": id, "machineKey": key}, nil
}

func (s *Server) authorize(r *http.Request, id string) error {
	key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.RLock()
	hash, ok := s.keyHashes[id]
	s.mu.RUnlock()
	if !ok || !signing.KeyMatches(key, hash) {
		return &apiError{401, "KEY", "machine key rejected"}
	}
	return nil
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (s *Server) logging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		next.ServeHTTP(rec, r)
		n := s.requests.Add(1)
		s.logger.Printf("#%d %s %s %d %s", n, r.Method, r.URL.Path, rec.status, time.Since(start))
	})
}

type gzipWriter struct {
	http.ResponseWriter
	zw *gzip.Writer
}

func (g gzipWriter) Write(p []byte) (int, error) { return g.zw.Write(p) }

func gzipped(next http.Handler) http.Handler {
	pool := sync.Pool{New: func() interface{} { return gzip.NewWriter(io.Discard) }}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			next.ServeHTTP(w, r)
			return
		}
		zw := pool.Get().(*gzip.Writer)
		defer pool.Put(zw)
		zw.Reset(w)
		defer zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Add("Vary", "Accept-Encoding")
		next.ServeHTTP(gzipWriter{ResponseWriter: w, zw: zw}, r)
	})
}
