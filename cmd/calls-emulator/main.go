// Command calls-emulator serves an emulator of the Cloudflare Calls (Realtime)
// API (SFU apps and TURN keys) and of the RealtimeKit API (apps, presets,
// webhooks) under /client/v4, for local development and tests of the
// Terraform provider.
//
//	calls-emulator [-listen 127.0.0.1:8787] [-token T] [-email E -key K]
//	               [-state FILE] [-addr-file FILE] [-log-requests]
//	               [-rate-limit 1200/5m|off] [-latency 50ms] [-fault SPEC]...
//	               [-kit-quirks all|none|NAME,...]
//
// Point the provider at the printed base URL and use the token it prints (or
// the one given with -token). With -listen 127.0.0.1:0 -addr-file FILE the
// emulator picks a free port and writes its base URL to FILE once it accepts
// connections (the file is removed again on exit).
//
// Like the real API, the emulator allows each credential 1,200 requests in a
// 5-minute window that opens with its first request; the request over that
// starts a 5-minute block in which every request of the credential gets 429
// with Retry-After. Every answer carries Ratelimit and Ratelimit-Policy
// headers. -rate-limit changes the quota and window (40/10s) or turns the
// limit off. -latency delays every API request. -fault, repeatable, makes requests misbehave, e.g.
//
//	-fault kind=status,status=502,method=POST,route=/accounts/{account_id}/calls/apps,count=2
//
// with kind one of rate_limit, status, reset, delay, malformed_json,
// success_false, drop_after, delay_answer and hang_after (-h describes each).
// Faults can also be added while running with POST /__emulator/faults (the
// same fields as JSON), listed with GET and cleared with DELETE.
//
// -kit-quirks makes the RealtimeKit API answer as the live one has been
// seen to (an empty webhook list as 404, a preset PATCH without the id, ...;
// -h lists them); PUT /__emulator/kit-quirks switches them while running.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "calls-emulator:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage error")

// run parses args, serves until ctx is done and shuts down gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("calls-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(fs) }
	listen := fs.String("listen", "127.0.0.1:8787", "`address` to listen on (port 0 picks a free port)")
	token := fs.String("token", "", "accepted API `token`; if empty, a random one is generated and printed")
	email := fs.String("email", "", "`email` of an accepted legacy email/key pair (with -key)")
	key := fs.String("key", "", "accepted legacy global API `key` (with -email)")
	state := fs.String("state", "", "`file` to load the state from and save it to after every change (contains secrets)")
	addrFile := fs.String("addr-file", "", "once listening, write the base URL to this `file`")
	logRequests := fs.Bool("log-requests", false, "log each request (method, path, status, duration) to stderr")
	rateLimit := emulator.RateLimit{}
	fs.Func("rate-limit", "`quota/window` per credential, e.g. 40/10s, or off: past the quota, every request of the credential gets 429 for one window (default 1200/5m, Cloudflare's limit)", func(v string) error {
		l, err := emulator.ParseRateLimit(v)
		rateLimit = l
		return err
	})
	latency := fs.Duration("latency", 0, "delay every API request by this `duration`, e.g. 50ms")
	var faults []emulator.Fault
	fs.Func("fault", "inject a fault (repeatable; kinds above): `kind=K[,method=M][,route=R][,count=N][,status=S][,retry_after=SEC][,delay=D][,code=C]`", func(v string) error {
		f, err := emulator.ParseFault(v)
		faults = append(faults, f)
		return err
	})
	var kitQuirks emulator.KitQuirks
	fs.Func("kit-quirks", "RealtimeKit `quirks` of the live API to play (above): all, none, or a comma-separated list of names (default none)", func(v string) error {
		q, err := emulator.ParseKitQuirks(v)
		kitQuirks = q
		return err
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "calls-emulator: unexpected arguments: %q\n", fs.Args())
		fs.Usage()
		return errUsage
	}
	if (*email == "") != (*key == "") {
		fmt.Fprintln(stderr, "calls-emulator: -email and -key must be given together")
		return errUsage
	}
	if *latency < 0 {
		fmt.Fprintln(stderr, "calls-emulator: -latency must not be negative")
		return errUsage
	}

	generated := *token == ""
	if generated {
		*token = randomToken(40)
	}
	opts := emulator.Options{Tokens: []string{*token}, StatePath: *state, RateLimit: rateLimit, Latency: *latency, KitQuirks: kitQuirks}
	if *email != "" {
		opts.Keys = []emulator.Credential{{Email: *email, Key: *key}}
	}
	srv, err := emulator.New(opts)
	if err != nil {
		return err
	}
	for _, f := range faults {
		if err := srv.InjectFault(f); err != nil {
			fmt.Fprintf(stderr, "calls-emulator: -fault %s: %v\n", f, err)
			return errUsage
		}
	}
	var handler http.Handler = srv
	if *logRequests {
		handler = logged(handler, log.New(stderr, "", log.LstdFlags|log.Lmicroseconds))
	}

	if *addrFile != "" {
		// A file left by an earlier run must not be mistaken for this one.
		if err := os.Remove(*addrFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", *listen)
	if err != nil {
		return err
	}
	base := baseURL(ln.Addr())
	fmt.Fprintf(stdout, "calls-emulator listening on %s\n", base)
	if generated {
		fmt.Fprintf(stdout, "token: %s\n", *token)
	} else {
		fmt.Fprintln(stdout, "token: (from -token)")
	}
	if *addrFile != "" {
		if err := writeFileAtomic(*addrFile, []byte(base)); err != nil {
			ln.Close()
			return err
		}
		defer os.Remove(*addrFile)
	}
	return emulator.Serve(ctx, ln, handler)
}

// usage is the -h text: what the emulator does that a client must expect,
// then the flags.
func usage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprint(w, `Usage: calls-emulator [flags]

Serves an emulator of the Cloudflare Calls API (apps and TURN keys) and of
the RealtimeKit API (apps, presets, webhooks) under /client/v4, answering as
the real API does: 404 with code 7003 for a malformed id, 400 with code 7000
for an unknown path (also any path outside /client/v4), 400 with code 6003
(6111 in its error_chain) for a missing or malformed credential, 403 with
code 10000 for a wrong one.

Rate limit (-rate-limit): per credential, a quota of requests in a fixed window
that opens with the credential's first request. The request over the quota
starts a block of one window in which every request of that credential gets
429 with code 971 and Retry-After (seconds until the block ends). Every answer
carries Ratelimit: "default";r=<remaining>;t=<seconds to reset> and
Ratelimit-Policy: "default";q=<quota>;w=<window seconds>. GET
/__emulator/counters counts requests per route and status, and the requests
the limit refused (rate_limited).

Fault kinds (-fault kind=K, or POST /__emulator/faults), matched by method,
route (as the counters name it) and count (0: every matching request):
`)
	for _, k := range emulator.FaultKinds() {
		fmt.Fprintf(w, "  %-15s %s\n", k, k.Describe())
	}
	fmt.Fprint(w, `
RealtimeKit quirks (-kit-quirks all, or names separated by commas; PUT
/__emulator/kit-quirks with the same text switches them while running):
`)
	for _, name := range emulator.KitQuirkNames() {
		fmt.Fprintf(w, "  %-25s %s\n", name, emulator.DescribeKitQuirk(name))
	}
	fmt.Fprint(w, "\nFlags:\n")
	fs.PrintDefaults()
}

// baseURL is the API base for a listener address; an unspecified host
// (0.0.0.0, ::) is reported as 127.0.0.1.
func baseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + emulator.APIPrefix
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + emulator.APIPrefix
}

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// randomToken returns n characters from a 64-letter alphabet (crypto/rand,
// unbiased since 64 divides 256).
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = tokenAlphabet[b[i]&63]
	}
	return string(b)
}

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return err
	}
	// The address file holds no secret; other users' scripts may read it.
	if err := os.Chmod(f.Name(), 0o644); err != nil { //nolint:gosec // see above
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// logged logs method, path, status and duration of each request; never
// headers or bodies, which carry credentials and secrets.
func logged(next http.Handler, l *log.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		l.Printf("%s %s %s %s", r.Method, strconv.Quote(r.URL.Path), strconv.Itoa(sw.status), time.Since(start).Round(time.Microsecond))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
