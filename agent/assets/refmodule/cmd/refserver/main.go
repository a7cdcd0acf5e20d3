// Command refserver serves a fleet inventory. The benchmark only compiles it; -selfcheck runs
// every package once without a network, so the build can be checked by hand.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"devfleet.invalid/refmodule/internal/api"
	"devfleet.invalid/refmodule/internal/config"
	"devfleet.invalid/refmodule/internal/inventory"
	"devfleet.invalid/refmodule/internal/render"
	"devfleet.invalid/refmodule/internal/signing"
	"devfleet.invalid/refmodule/internal/stats"
	"devfleet.invalid/refmodule/internal/store"
)

func main() {
	configPath := flag.String("config", "", "configuration file")
	selfcheck := flag.Bool("selfcheck", false, "exercise every package and exit")
	flag.Parse()

	if *selfcheck {
		if err := selfCheck(); err != nil {
			fmt.Fprintln(os.Stderr, "selfcheck:", err)
			os.Exit(1)
		}
		fmt.Println("selfcheck ok")
		return
	}
	if err := serve(*configPath); err != nil {
		log.Fatal(err)
	}
}

func serve(path string) error {
	cfg := &config.Config{}
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if cfg, err = config.Parse(f); err != nil {
			return err
		}
	} else {
		cfg, _ = config.Parse(strings.NewReader(""))
	}
	settings, err := cfg.ServerConfig()
	if err != nil {
		return err
	}
	server := api.New(api.Options{
		Secret:  []byte(settings.Secret),
		MaxBody: int64(settings.MaxBodySize),
		Logger:  log.New(os.Stderr, "refserver ", log.LstdFlags),
	})
	httpServer := &http.Server{
		Addr:              settings.Listen,
		Handler:           server.Handler(),
		ReadHeaderTimeout: settings.ReadTimeout,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = httpServer.Shutdown(shutdown)
	}()
	if err := httpServer.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func selfCheck() error {
	now := time.Date(2025, 1, 17, 12, 0, 0, 0, time.UTC)
	inv := inventory.New()
	for i, host := range []string{"build-01", "laptop-01", "laptop-02"} {
		m := &inventory.Machine{
			ID:       fmt.Sprintf("m%d", i),
			Hostname: host,
			OS:       []string{"linux", "darwin", "windows"}[i],
			Versions: inventory.Versions{Desktop: "4.49.0", Engine: "28.5.1"},
			LastSeen: now.Add(-time.Duration(i) * time.Hour),
		}
		for j := 0; j < 5; j++ {
			m.Durations = append(m.Durations, inventory.Duration{
				Series: "bench.mount.bind.create",
				At:     now.Add(-time.Duration(j) * time.Minute),
				Value:  time.Duration(100+10*i+j) * time.Millisecond,
			})
		}
		if err := inv.Add(m); err != nil {
			return err
		}
	}

	var encoded bytes.Buffer
	if err := inv.Write(&encoded); err != nil {
		return err
	}
	decoded, err := inventory.Read(&encoded)
	if err != nil {
		return err
	}

	view := render.BuildView(decoded, now)
	var page bytes.Buffer
	if err := render.Text(&page, view); err != nil {
		return err
	}
	if err := render.HTML(&page, view); err != nil {
		return err
	}

	shift, err := stats.Compare([]float64{100, 101, 99, 102}, []float64{150, 149, 152, 151})
	if err != nil || !shift.Significant {
		return fmt.Errorf("stats: shift %+v, err %v", shift, err)
	}

	token := signing.Sign([]byte("secret"), signing.Token{Payload: "m0", Expires: now.Add(time.Hour)})
	if _, err := signing.Verify([]byte("secret"), token, now); err != nil {
		return err
	}
	release := signing.NewRelease("devfleet")
	if err := release.Verify(page.Bytes(), release.Sign(page.Bytes())); err != nil {
		return err
	}

	samples := store.New(time.Hour)
	samples.Add(store.Sample{Machine: "m0", Series: "build", At: now, Millis: 1234.5})
	var csv bytes.Buffer
	if err := samples.WriteCSV(&csv); err != nil {
		return err
	}
	_, err = store.ReadCSV(&csv, store.New(time.Hour))
	return err
}
