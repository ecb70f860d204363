package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// simulator is one provider's sandbox as the CLI serves it.
type simulator struct {
	// handler serves the provider's API and payment pages.
	handler http.Handler
	// basePath is appended to the listener's URL to form the API base URL.
	basePath string
	// credentials says what to configure the client with. "{origin}" in it
	// becomes the simulator's own http://host:port, so key files and other
	// URLs print in full.
	credentials string
}

var simulators = map[string]func() (simulator, error){}

func registerSimulator(provider string, build func() (simulator, error)) {
	simulators[provider] = build
}

func init() { register("sandbox", runSandbox) }

func runSandbox(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	host := fs.String("host", "127.0.0.1", "loopback address to listen on")
	port := fs.Int("port", 0, "first port (0: any free port); providers take consecutive ports in the order listed")
	quiet := fs.Bool("quiet", false, "do not log one line per request")
	retryScale := fs.Float64("retry-scale", 1, "multiply the providers' webhook retry delays by this (0.01: MultiSafepay's 15 minutes become 9 s)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: betaalkit sandbox [--host H] [--port P] [--retry-scale F] [--quiet]")
		fmt.Fprintln(fs.Output(), "The dashboard (every payment, its timeline, webhooks and buttons) is served on the port after the providers'.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var log io.Writer = stdout
	if *quiet {
		log = nil
	}
	return serveSandbox(ctx, sandboxOptions{host: *host, port: *port, retryScale: *retryScale}, stdout, stderr, log)
}

// sandboxOptions are betaalkit sandbox's flags.
type sandboxOptions struct {
	host       string
	port       int     // first port; 0: any free port
	retryScale float64 // multiplies the webhook retry delays (1: the providers' own)
}

// serveSandbox serves every simulator, and the dashboard of all their
// payments on the next port, until ctx ends, then shuts down cleanly.
// Every listener is bound, and its URLs printed, before any serves; with
// log non-nil each request gets one line there.
func serveSandbox(ctx context.Context, opts sandboxOptions, stdout, stderr, log io.Writer) int {
	type bound struct {
		name string
		ln   net.Listener
		srv  *http.Server
	}
	var all []bound
	closeAll := func() {
		for _, b := range all {
			_ = b.ln.Close()
		}
	}
	listen := func(i int) (net.Listener, error) {
		addr := net.JoinHostPort(opts.host, "0")
		if opts.port != 0 {
			addr = net.JoinHostPort(opts.host, fmt.Sprint(opts.port+i))
		}
		return net.Listen("tcp", addr)
	}
	var logMu sync.Mutex
	var sources []sim.Source
	names := orderedProviders(simulators)
	for i, name := range names {
		s, err := simulators[name]()
		if err != nil {
			closeAll()
			return fail(stderr, "%s sandbox: %v", name, err)
		}
		ln, err := listen(i)
		if err != nil {
			closeAll()
			return fail(stderr, "%s sandbox: %v", name, err)
		}
		origin := "http://" + ln.Addr().String()
		if src, ok := s.handler.(sim.Source); ok {
			src.Webhooks().ScaleDelays(opts.retryScale)
			sources = append(sources, src)
		}
		handler := s.handler
		if log != nil {
			handler = logRequests(name, handler, log, &logMu)
		}
		all = append(all, bound{name: name, ln: ln, srv: &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}})
		fmt.Fprintf(stdout, "%-14s port %-5d  %s%s\n%-14s %s\n", name, ln.Addr().(*net.TCPAddr).Port, origin, s.basePath,
			"", strings.ReplaceAll(s.credentials, "{origin}", origin))
	}
	ln, err := listen(len(names))
	if err != nil {
		closeAll()
		return fail(stderr, "dashboard: %v", err)
	}
	dash := sim.NewDashboard("/sandbox/", sources...)
	dash.AllowRemote = !loopbackHost(opts.host)
	mux := http.NewServeMux()
	mux.Handle("/sandbox/", dash)
	mux.Handle("GET /{$}", http.RedirectHandler("/sandbox/", http.StatusFound))
	all = append(all, bound{name: "dashboard", ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}})
	fmt.Fprintf(stdout, "%-14s port %-5d  http://%s/sandbox/\n%-14s %s\n", "dashboard", ln.Addr().(*net.TCPAddr).Port, ln.Addr(),
		"", "every payment of every provider: requests, status changes, webhook deliveries, and buttons")
	if dash.AllowRemote {
		fmt.Fprintf(stdout, "%-14s %s\n", "", "warning: --host is not a loopback address, so the dashboard answers other machines too")
	}
	errs := make(chan error, len(all))
	for _, b := range all {
		go func() {
			if err := b.srv.Serve(b.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("%s: %w", b.name, err)
			}
		}()
	}
	fmt.Fprintln(stdout, "serving; Ctrl-C stops")
	code := 0
	select {
	case <-ctx.Done():
	case err := <-errs:
		code = fail(stderr, "%v", err)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, src := range sources {
		src.Webhooks().Close() // no retry goes out after the sandbox stopped
	}
	for _, b := range all {
		_ = b.srv.Shutdown(shutdown)
	}
	fmt.Fprintln(stdout, "stopped")
	return code
}

// loopbackHost reports whether host (a --host value) is a loopback address.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func orderedProviders[T any](m map[string]T) []string {
	var names []string
	for _, n := range demoOrder {
		if _, ok := m[n]; ok {
			names = append(names, n)
		}
	}
	for n := range m {
		if !slices.Contains(demoOrder, n) {
			names = append(names, n)
		}
	}
	return names
}

// logRequests writes one line per request: provider, method, path, status,
// and why a refused request was refused (the spec validation problem, or
// the start of the error answer).
func logRequests(provider string, next http.Handler, w io.Writer, mu *sync.Mutex) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		ctx, problems := sim.RecordProblems(r.Context())
		rec := &statusRecorder{ResponseWriter: rw, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r.WithContext(ctx))
		line := fmt.Sprintf("%-14s %-6s %s → %d (%s)", provider, r.Method, r.URL.Path, rec.status, time.Since(start).Round(time.Microsecond))
		if rec.status >= 400 {
			why := problems.Problem()
			if why == "" {
				why = betaalkit.Snippet(rec.head.Bytes())
			}
			line += ": " + strings.Join(strings.Fields(why), " ")
		}
		mu.Lock()
		fmt.Fprintln(w, line)
		mu.Unlock()
	})
}

// statusRecorder remembers the status and the first bytes of an answer.
type statusRecorder struct {
	http.ResponseWriter
	status int
	head   bytes.Buffer
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	if room := 512 - r.head.Len(); room > 0 {
		r.head.Write(p[:min(room, len(p))])
	}
	return r.ResponseWriter.Write(p)
}

// Flush keeps streaming answers working through the recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
