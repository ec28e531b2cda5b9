package push

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
)

// MaxPayload bounds the JSON of a message: the encrypted record the
// library builds is 4096 bytes, of which some 100 go to its header,
// padding delimiter and tag.
const MaxPayload = 3800

// StatusError is a push service's refusal of a message.
type StatusError struct {
	Status int
	// RetryAfter is the wait the service asked for (Retry-After), or 0.
	RetryAfter time.Duration
	// Text is the start of the service's answer, for the log.
	Text string
}

// Error is the status and the start of the service's answer.
func (e *StatusError) Error() string {
	s := "push service answered " + strconv.Itoa(e.Status) + " " + http.StatusText(e.Status)
	if e.Text != "" {
		s += ": " + e.Text
	}
	return s
}

// Gone reports that the subscription no longer exists (404, 410): the
// browser unsubscribed or the service dropped it, and it never comes back.
func (e *StatusError) Gone() bool {
	return e.Status == http.StatusNotFound || e.Status == http.StatusGone
}

// Temporary reports a refusal worth trying again later: too many requests
// (429) or trouble at the service (5xx).
func (e *StatusError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// ClientOptions configure the HTTP client that talks to push services.
type ClientOptions struct {
	// Resolver looks up push service names. Default net.DefaultResolver.
	Resolver Resolver
	// Allow names hosts that are dialled without the address check; only
	// tests set it (their push service listens on loopback).
	Allow []string
	// TLS is the TLS configuration; default: the system's roots.
	TLS *tls.Config
	// Timeout bounds one request. Default 30 s.
	Timeout time.Duration
}

// NewClient returns an HTTP client for push services that connects only to
// public addresses: it resolves the host itself, refuses the request when
// any address is not public, and dials the addresses it checked, so a name
// that changes its answer between the check and the connection (DNS
// rebinding) cannot lead inside. It uses no proxy and follows no
// redirects (an endpoint is the one URL the browser gave).
func NewClient(o ClientOptions) *http.Client {
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		host = strings.ToLower(host)
		if slices.Contains(o.Allow, host) {
			return d.DialContext(ctx, network, addr)
		}
		if port != PushPort {
			return nil, fmt.Errorf("%w: port %s is not %s", ErrEndpoint, port, PushPort)
		}
		var addrs []netip.Addr
		if a, err := netip.ParseAddr(host); err == nil {
			if !Public(a) {
				return nil, fmt.Errorf("%w: %s is not a public address", ErrEndpoint, a)
			}
			addrs = []netip.Addr{a}
		} else if addrs, err = publicAddrs(ctx, o.Resolver, host); err != nil {
			return nil, err
		}
		var errs []error
		for _, a := range addrs {
			c, err := d.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
			if err == nil {
				return c, nil
			}
			errs = append(errs, err)
		}
		return nil, errors.Join(errs...)
	}
	t := &http.Transport{
		Proxy:                 nil,
		DialContext:           dial,
		TLSClientConfig:       o.TLS,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   10,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 20 * time.Second,
	}
	return &http.Client{
		Transport:     t,
		Timeout:       o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// SenderOptions configure a Sender.
type SenderOptions struct {
	// Keys sign the VAPID token.
	Keys Keys
	// Subscriber is the contact address push services may write to about
	// our traffic: a bare email address (the library adds "mailto:").
	Subscriber string
	// TTL is how long a push service keeps a message for a device that is
	// offline. Default 12 h: a notification older than that is stale.
	TTL time.Duration
	// Client talks to push services. Default NewClient(ClientOptions{}).
	Client *http.Client
	// Now is the portal's clock (the store's), which reads Retry-After
	// dates; required.
	Now func() time.Time
}

// Sender encrypts and sends messages with github.com/SherClockHolmes/webpush-go.
type Sender struct{ o SenderOptions }

// NewSender checks the options and returns a sender.
func NewSender(o SenderOptions) (*Sender, error) {
	if err := o.Keys.Check(); err != nil {
		return nil, fmt.Errorf("push sender: %w", err)
	}
	o.Subscriber = strings.TrimPrefix(strings.TrimSpace(o.Subscriber), "mailto:")
	if o.Subscriber == "" || strings.ContainsAny(o.Subscriber, " <>\r\n") || !strings.Contains(o.Subscriber, "@") {
		return nil, fmt.Errorf("push sender: subscriber %q is not a bare email address", o.Subscriber)
	}
	if o.TTL <= 0 {
		o.TTL = 12 * time.Hour
	}
	if o.Client == nil {
		o.Client = NewClient(ClientOptions{})
	}
	if o.Now == nil {
		return nil, errors.New("push sender: no clock")
	}
	return &Sender{o: o}, nil
}

// ErrPayload means a message does not fit in one push record.
var ErrPayload = errors.New("push message too large")

// Send encrypts m to the subscription and posts it to the push service.
// A refusal by the service is a *StatusError; an endpoint that is not
// (or no longer resolves to) a public address wraps ErrEndpoint.
func (s *Sender) Send(ctx context.Context, sub Subscription, m Message) error {
	payload, err := m.JSON()
	if err != nil {
		return err
	}
	origin := originOf(sub.Endpoint)
	resp, err := webpush.SendNotificationWithContext(ctx, payload, &webpush.Subscription{
		Endpoint: sub.Endpoint,
		Keys:     webpush.Keys{Auth: sub.Auth, P256dh: sub.P256dh},
	}, &webpush.Options{
		HTTPClient:      s.o.Client,
		Subscriber:      s.o.Subscriber,
		TTL:             int(s.o.TTL / time.Second),
		Urgency:         webpush.UrgencyNormal,
		VAPIDPublicKey:  s.o.Keys.Public,
		VAPIDPrivateKey: s.o.Keys.Private,
	})
	if err != nil {
		// The endpoint is a capability URL: only its origin goes into
		// errors (and so into logs and the jobs table).
		return fmt.Errorf("push to %s: %w", origin, scrubURL(err))
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return fmt.Errorf("push to %s: %w", origin, &StatusError{
		Status:     resp.StatusCode,
		RetryAfter: retryAfter(resp.Header.Get("Retry-After"), s.o.Now()),
		Text:       strings.ToValidUTF8(strings.TrimSpace(string(head)), ""),
	})
}

// JSON is the message as the service worker receives it. It wraps
// ErrPayload when it does not fit in one push record.
func (m Message) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// The worker parses JSON, never HTML: "<" and "&" need not cost six
	// bytes each.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("push message: %w", err)
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if len(out) > MaxPayload {
		return nil, fmt.Errorf("%w: %d bytes", ErrPayload, len(out))
	}
	return out, nil
}

// originOf returns scheme://host of an endpoint.
func originOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "push service"
	}
	return u.Scheme + "://" + u.Host
}

// scrubURL drops the URL from an *url.Error, keeping what went wrong.
func scrubURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(min(n, 7*24*3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), 7*24*time.Hour)
	}
	return 0
}
