package main

import (
	"errors"
	"io"
	"log/slog"
	"testing"
)

// TestPprofOnlyOnLoopback: the profiles are served only when asked for, and
// only on a loopback address; any other address is refused before a port is
// opened.
func TestPprofOnlyOnLoopback(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := startPprof("", log); err != nil {
		t.Errorf("no address: got %v, want nothing served and no error", err)
	}
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.168.1.10:6060", "example.com:6060", "127.0.0.1"} {
		err := startPprof(addr, log)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("%q: got %v, want a usage error", addr, err)
		}
	}
}
