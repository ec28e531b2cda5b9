package e2e

import (
	"bufio"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestGracefulShutdown: SIGTERM while a request is in flight. The request
// is slow the natural way — a client on a poor connection that sends the
// sign-in form in two parts — so the binary needs no test hook. The server
// stops taking new connections, still answers the one in flight, and the
// process exits 0.
func TestGracefulShutdown(t *testing.T) {
	srv := startServer(t)
	addr := strings.TrimPrefix(srv.url, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	form := url.Values{"email": {"asiakas@demo.example"}, "password": {"demo-salasana-2025"}}.Encode()
	head := "POST /kirjaudu HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
		"Content-Length: " + strconv.Itoa(len(form)) + "\r\nConnection: close\r\n\r\n"
	if _, err := conn.Write([]byte(head + form[:10])); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the handler is now waiting for the rest of the form

	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Shutdown has begun once new connections are refused.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 10 s after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}

	if _, err := conn.Write([]byte(form[10:])); err != nil {
		t.Fatalf("finish the request after SIGTERM: %v", err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to the request in flight: %v", err)
	}
	resp.Body.Close()
	signedIn := false
	for _, c := range resp.Cookies() {
		signedIn = signedIn || c.Name == "asiakassivu" && c.Value != ""
	}
	if resp.StatusCode != http.StatusSeeOther || !signedIn {
		t.Errorf("request in flight answered %d %v, want a signed-in 303", resp.StatusCode, resp.Header["Set-Cookie"])
	}

	exited := make(chan error, 1)
	go func() { exited <- srv.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the process did not exit within 15 s of SIGTERM")
	}
}
