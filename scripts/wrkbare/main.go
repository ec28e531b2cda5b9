// Command wrkbare is the bare net/http handler that scripts/wrk-dashboard
// measures beside the portal: a separate server process on loopback, as the
// portal is, answering every request with a short plain text and nothing
// else, so that the portal's figures can be read against what this machine
// manages at that moment.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "loopback address to listen on")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintln(os.Stderr, "wrkbare: --addr must be a loopback address with a port")
		os.Exit(2)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	if err := http.ListenAndServe(*addr, h); err != nil {
		fmt.Fprintln(os.Stderr, "wrkbare:", err)
		os.Exit(1)
	}
}
