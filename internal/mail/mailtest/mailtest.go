// Package mailtest runs a real SMTP server (github.com/emersion/go-smtp)
// on a loopback port for tests, and decodes what it receives, so that a
// test can read the code a mail carried:
//
//	srv := mailtest.Start(t)
//	// run the portal with --smtp srv.URL()
//	m := srv.WaitFor(t, "maija@example.fi", 10*time.Second)
//	code := m.Code()
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options change how the server behaves.
type Options struct {
	// Username and Password, when set, make the server require AUTH
	// PLAIN with them before it takes mail.
	Username, Password string
	// STARTTLS makes the server offer STARTTLS with a certificate of its
	// own for 127.0.0.1; ClientTLS gives a client that trusts it.
	STARTTLS bool
}

// ReceivedMessage is one message as the server got it, decoded.
type ReceivedMessage struct {
	From    string   // the envelope sender
	To      []string // the envelope recipients
	Header  mail.Header
	Subject string // decoded
	Text    string // the text/plain part, decoded
	HTML    string // the text/html part, decoded
	Raw     []byte
	TLS     bool   // the message came over TLS
	Authed  string // the user name the client signed in with, if any
}

var codeRe = regexp.MustCompile(`\b[0-9]{6}\b`)

// Code returns the first six-digit number in the text part ("" if none).
func (m ReceivedMessage) Code() string { return codeRe.FindString(m.Text) }

// Server is a running SMTP server that keeps every message.
type Server struct {
	opts     Options
	srv      *smtp.Server
	addr     string
	rootCAs  *x509.CertPool
	mu       sync.Mutex
	msgs     []ReceivedMessage
	changed  chan struct{} // closed and replaced on every message
	failNext int
}

// Start runs a server with default options until the test ends.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith runs a server with opts until the test ends.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{opts: opts, changed: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, conn: c}, nil
	}))
	s.srv.Domain = "127.0.0.1"
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.MaxRecipients = 10
	s.srv.AllowInsecureAuth = !opts.STARTTLS
	if opts.STARTTLS {
		cfg, pool, err := selfSigned()
		if err != nil {
			t.Fatalf("mailtest: certificate: %v", err)
		}
		s.srv.TLSConfig, s.rootCAs = cfg, pool
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.addr = ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.srv.Serve(ln)
	}()
	t.Cleanup(func() {
		s.srv.Close()
		ln.Close() // Close may run before Serve has registered ln
		<-done
	})
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// URL is the server as the portal's --smtp flag takes it, with the user
// name and password when the server requires them.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr}
	if s.opts.Username != "" {
		u.User = url.UserPassword(s.opts.Username, s.opts.Password)
	}
	return u.String()
}

// ClientTLS returns a client TLS configuration that trusts the server's
// certificate (nil without STARTTLS).
func (s *Server) ClientTLS() *tls.Config {
	if s.rootCAs == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.rootCAs, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// FailNext makes the server refuse the next n messages with a temporary
// error (451), as a busy server does.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	s.failNext = n
	s.mu.Unlock()
}

// Messages returns every message received so far, oldest first.
func (s *Server) Messages() []ReceivedMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ReceivedMessage(nil), s.msgs...)
}

// WaitFor returns the newest message to the address to (compared without
// case) that arrives or has arrived, and fails the test after timeout.
func (s *Server) WaitFor(t testing.TB, to string, timeout time.Duration) ReceivedMessage {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		changed := s.changed
		for i := len(s.msgs) - 1; i >= 0; i-- {
			for _, rcpt := range s.msgs[i].To {
				if strings.EqualFold(rcpt, to) {
					m := s.msgs[i]
					s.mu.Unlock()
					return m
				}
			}
		}
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("mailtest: no mail to %s within %s (%d other messages)", to, timeout, len(s.Messages()))
			return ReceivedMessage{}
		}
	}
}

func (s *Server) add(m ReceivedMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext > 0 {
		s.failNext--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

// session is one SMTP conversation.
type session struct {
	s      *Server
	conn   *smtp.Conn
	authed string
	from   string
	to     []string
}

// AuthMechanisms offers PLAIN when the server has a user.
func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

// Auth checks the configured user name and password.
func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.s.opts.Username || password != ss.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.authed = username
		return nil
	}), nil
}

// Mail starts a message, once signed in when sign-in is required.
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.Username != "" && ss.authed == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

// Rcpt adds a recipient.
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

// Data decodes and keeps the message.
func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := Decode(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "mailtest: " + err.Error()}
	}
	m.From, m.To, m.Authed = ss.from, append([]string(nil), ss.to...), ss.authed
	_, m.TLS = ss.conn.TLSConnectionState()
	return ss.s.add(m)
}

// Reset forgets the message under way.
func (ss *session) Reset() { ss.from, ss.to = "", nil }

// Logout ends the session.
func (ss *session) Logout() error { return nil }

// Decode parses a raw message: its headers, decoded subject, and the
// decoded text/plain and text/html parts (also inside
// multipart/alternative or multipart/mixed).
func Decode(raw []byte) (ReceivedMessage, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ReceivedMessage{}, fmt.Errorf("read message: %w", err)
	}
	m := ReceivedMessage{Header: msg.Header, Raw: raw}
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return m, fmt.Errorf("subject: %w", err)
	}
	err = walk(&m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return m, err
}

func walk(m *ReceivedMessage, contentType, cte string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain; charset=utf-8"
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			if err := walk(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &newlineStripper{body})
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("decode %s part: %w", mt, err)
	}
	switch mt {
	case "text/plain":
		m.Text = string(b)
	case "text/html":
		m.HTML = string(b)
	}
	return nil
}

// newlineStripper drops CR and LF so base64 can be decoded line-free.
type newlineStripper struct{ r io.Reader }

// Read fills p with the input minus line breaks.
func (n *newlineStripper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		j := 0
		for _, c := range p[:k] {
			if c != '\r' && c != '\n' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned() (*tls.Config, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		MinVersion: tls.VersionTLS12}, pool, nil
}
