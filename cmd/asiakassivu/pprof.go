package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// pprofEnv names the hidden variable that serves Go's profiles
// (/debug/pprof/) on a second, loopback-only address, for measuring the
// portal under load (scripts/wrk-dashboard sets it with WRK_PROFILE).
const pprofEnv = envPrefix + "PPROF_ADDR"

// startPprof serves the profiles on addr when it is a loopback address with
// a port; an empty addr serves nothing. The listener lives as long as the
// process.
func startPprof(addr string, log *slog.Logger) error {
	if addr == "" {
		return nil
	}
	if !isLoopback(addr) {
		return usageError{err: fmt.Errorf("%s %q: want a loopback address with a port", pprofEnv, addr)}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return startError{fmt.Errorf("profiles: %w", err)}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Warn("serving Go profiles on loopback", "addr", ln.Addr().String())
	go srv.Serve(ln)
	return nil
}
