package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"asiakassivu/internal/store"
	"asiakassivu/internal/web"
)

// envPrefix prefixes the environment variable of every flag:
// --data-dir is also ASIAKASSIVU_DATA_DIR.
const envPrefix = "ASIAKASSIVU_"

// envName returns the environment variable that backs a flag.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// usageError is a bad flag or value: one line to stderr, exit code 2.
// When fs is set (a flag the command does not know, or one that does not
// parse), the command's usage follows the line.
type usageError struct {
	err error
	fs  *flag.FlagSet
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// parse fills fs from the environment first and then from args, so that a
// flag beats its variable.
func parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	fs.SetOutput(io.Discard)
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" && envErr == nil {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = usageError{err: fmt.Errorf("%s=%q: %v", envName(f.Name), v, err)}
			}
		}
	})
	// --help is answered even when a variable is bad.
	if err := fs.Parse(args); err != nil {
		return parseError(fs, err)
	}
	if envErr != nil {
		return envErr
	}
	if fs.NArg() > 0 {
		return usageError{err: fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// parseError turns an error of fs.Parse into a request for help or a
// usage error: one that shows the command's flags when the flag itself is
// wrong (unknown, without its value, badly written), one line when only
// its value is.
func parseError(fs *flag.FlagSet, err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return helpError{fs}
	}
	for _, p := range []string{"flag provided but not defined", "flag needs an argument", "bad flag syntax"} {
		if strings.HasPrefix(err.Error(), p) {
			return usageError{err: err, fs: fs}
		}
	}
	return usageError{err: err}
}

// dbFlags are the flags of every subcommand that opens the database.
type dbFlags struct {
	dataDir  string
	database string
}

func (d *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.dataDir, "data-dir", "./data", "directory for the SQLite database and the secret key")
	fs.StringVar(&d.database, "database", "", "SQLite file path or postgres:// URL (default: asiakassivu.db in the data directory)")
}

// dsn returns the database to open, creating the data directory for SQLite.
func (d *dbFlags) dsn() (string, error) {
	if store.IsPostgres(d.database) {
		return d.database, nil
	}
	if err := os.MkdirAll(d.dataDir, 0o700); err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	if d.database != "" {
		return d.database, nil
	}
	return filepath.Join(d.dataDir, "asiakassivu.db"), nil
}

// serveConfig is everything serve needs, parsed once.
type serveConfig struct {
	dbFlags
	addr          string
	baseURL       string
	secretKeyFile string
	demo          bool
	dev           bool
	base          *url.URL
	mailer        mailFlags
	// trustedProxies: requests from these come from the client their
	// X-Forwarded-For names (web.Config.TrustedProxies).
	trustedProxies prefixList
	// plainStreams: web.Config.PlainStreams.
	plainStreams bool
	// brandFlags and brand: the chain's identity (web.Config.Brand).
	brandFlags brandFlags
	brand      web.Brand
}

// prefixList is a flag of CIDRs or single addresses, separated by commas.
type prefixList []netip.Prefix

func (l *prefixList) String() string {
	var s []string
	for _, p := range *l {
		s = append(s, p.String())
	}
	return strings.Join(s, ",")
}

func (l *prefixList) Set(v string) error {
	*l = nil
	for f := range strings.SplitSeq(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return fmt.Errorf("%q is no CIDR or address", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		*l = append(*l, p.Masked())
	}
	return nil
}

// defaultHost is the host[:port] of the default base URL for a listen
// address: on a loopback or every-interface address it is localhost,
// which browsers treat as secure as 127.0.0.1 and which, unlike an IP
// address, can be a passkey's relying party.
func defaultHost(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); isLoopback(addr) || host == "" || (ip != nil && ip.IsUnspecified()) {
		return net.JoinHostPort("localhost", port)
	}
	return addr
}

func parseServe(args []string, getenv func(string) string) (serveConfig, error) {
	var c serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.register(fs)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.baseURL, "base-url", "", "public URL of the portal (default: http://ADDR, with localhost for a loopback or all-interfaces ADDR); https turns on secure cookies")
	fs.StringVar(&c.secretKeyFile, "secret-key-file", "", "file holding the data encryption key (default: secret.key in the data directory; created if absent)")
	fs.BoolVar(&c.demo, "demo", false, "load the demo data into an empty database")
	fs.BoolVar(&c.dev, "dev", false, "development mode: mail goes to the development outbox at /dev/posti unless --smtp is set")
	fs.Var(&c.trustedProxies, "trusted-proxy", "reverse proxies, `CIDR[,CIDR]` (a single address is one host), whose X-Forwarded-For names the client")
	fs.BoolVar(&c.plainStreams, "plain-streams", false, "keep HTTP/1 message streams in their requests as HTTP/2 ones are (about 4× the memory; for measuring)")
	c.mailer.register(fs)
	c.brandFlags.register(fs)
	if err := parse(fs, args, getenv); err != nil {
		return c, err
	}
	if len(c.trustedProxies) > 0 && (c.demo || c.dev) {
		return c, usageError{err: errors.New("--trusted-proxy is for a production server, not with --demo or --dev (their development outbox is open to loopback peers)")}
	}
	if err := c.mailer.check(); err != nil {
		return c, err
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		return c, usageError{err: fmt.Errorf("--addr %q: %v", c.addr, err)}
	}
	if c.baseURL == "" {
		c.baseURL = "http://" + defaultHost(c.addr)
	}
	u, err := url.Parse(c.baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, usageError{err: fmt.Errorf("--base-url %q: want http(s)://host[:port]", c.baseURL)}
	}
	c.base = u
	// --demo (known passwords) and --dev (the development outbox) are for
	// trying the portal; an https base URL
	// is a production layout.
	if u.Scheme == "https" && (c.demo || c.dev) {
		mode := "--demo"
		if c.dev {
			mode = "--dev"
		}
		return c, usageError{err: fmt.Errorf("%s is for trying the portal on this machine; it is refused with an https --base-url (a production layout)", mode)}
	}
	if c.secretKeyFile == "" {
		c.secretKeyFile = filepath.Join(c.dataDir, "secret.key")
	}
	if c.brand, err = c.brandFlags.brand(c.demo); err != nil {
		return c, err
	}
	return c, nil
}
