// Package config reads the server's INI-style configuration file.
package config

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is the parsed file: sections of key/value pairs.
type Config struct {
	sections map[string]map[string]string
	order    []string
}

var (
	sectionLine = regexp.MustCompile(`^\[([A-Za-z0-9_.-]+)\]$`)
	keyLine     = regexp.MustCompile(`^([A-Za-z0-9_.-]+)\s*=\s*(.*)$`)
)

// SyntaxError names the line that could not be read.
type SyntaxError struct {
	Line int
	Text string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("config line %d: cannot read %q", e.Line, e.Text)
}

// Parse reads a configuration; keys before any section belong to "".
func Parse(r io.Reader) (*Config, error) {
	c := &Config{sections: map[string]map[string]string{"": {}}, order: []string{""}}
	current := ""
	scanner := bufio.NewScanner(r)
	number := 0
	for scanner.Scan() {
		number++
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		if m := sectionLine.FindStringSubmatch(line); m != nil {
			current = strings.ToLower(m[1])
			if _, ok := c.sections[current]; !ok {
				c.sections[current] = map[string]string{}
				c.order = append(c.order, current)
			}
			continue
		}
		m := keyLine.FindStringSubmatch(line)
		if m == nil {
			return nil, &SyntaxError{Line: number, Text: line}
		}
		c.sections[current][strings.ToLower(m[1])] = unquote(m[2])
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return c, nil
}

func unquote(value string) string {
	value = strings.TrimSpace(value)
	if i := strings.Index(value, " #"); i >= 0 && !strings.HasPrefix(value, `"`) {
		value = strings.TrimSpace(value[:i])
	}
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		if unq, err := strconv.Unquote(value); err == nil {
			return unq
		}
	}
	return value
}

// Sections lists section names in file order.
func (c *Config) Sections() []string { return append([]string(nil), c.order...) }

// String returns a value or the fallback.
func (c *Config) String(section, key, fallback string) string {
	if v, ok := c.sections[strings.ToLower(section)][strings.ToLower(key)]; ok {
		return v
	}
	return fallback
}

// Int returns an integer value or the fallback; a malformed value is an error.
func (c *Config) Int(section, key string, fallback int) (int, error) {
	raw := c.String(section, key, "")
	if raw == "" {
		return fallback, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("%s.%s: %w", section, key, err)
	}
	return n, nil
}

// Bool accepts true/false, yes/no, on/off and 1/0.
func (c *Config) Bool(section, key string, fallback bool) (bool, error) {
	switch strings.ToLower(c.String(section, key, "")) {
	case "":
		return fallback, nil
	case "true", "yes", "on", "1":
		return true, nil
	case "false", "no", "off", "0":
		return false, nil
	default:
		return false, fmt.Errorf("%s.%s is not a boolean", section, key)
	}
}

// Duration reads Go durations ("15s") or plain seconds ("15").
func (c *Config) Duration(section, key string, fallback time.Duration) (time.Duration, error) {
	raw := c.String(section, key, "")
	if raw == "" {
		return fallback, nil
	}
	if secs, err := strconv.ParseFloat(raw, 64); err == nil {
		return time.Duration(secs * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		return 0, fmt.Errorf("%s.%s: %w", section, key, err)
	}
	return d, nil
}

// Server is the typed view the program uses.
type Server struct {
	Listen      string
	ReadTimeout time.Duration
	MaxBodySize int
	Gzip        bool
	Secret      string
}

// ServerConfig reads the [server] section with defaults.
func (c *Config) ServerConfig() (Server, error) {
	s := Server{Listen: c.String("server", "listen", "127.0.0.1:8080")}
	var err error
	if s.ReadTimeout, err = c.Duration("server", "read_timeout", 15*time.Second); err != nil {
		return s, err
	}
	if s.MaxBodySize, err = c.Int("server", "max_body_size", 1<<20); err != nil {
		return s, err
	}
	if s.Gzip, err = c.Bool("server", "gzip", true); err != nil {
		return s, err
	}
	s.Secret = c.String("server", "secret", "")
	return s, nil
}
