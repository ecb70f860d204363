package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// simulator is one provider's sandbox as the CLI serves it.
type simulator struct {
	// handler serves the provider's API and payment pages.
	handler http.Handler
	// basePath is appended to the listener's URL to form the API base URL.
	basePath string
	// credentials says what to configure the client with.
	credentials string
}

var simulators = map[string]func() (simulator, error){}

func registerSimulator(provider string, build func() (simulator, error)) {
	simulators[provider] = build
}

func init() { register("sandbox", runSandbox) }

func runSandbox(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	host := fs.String("host", "127.0.0.1", "loopback address to listen on")
	port := fs.Int("port", 0, "first port (0: any free port); providers take consecutive ports")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveSandbox(ctx, *host, *port, stdout, stderr)
}

// serveSandbox serves every simulator until ctx ends, then shuts down cleanly.
func serveSandbox(ctx context.Context, host string, port int, stdout, stderr io.Writer) int {
	var servers []*http.Server
	errs := make(chan error, len(simulators))
	for i, name := range orderedProviders(simulators) {
		sim, err := simulators[name]()
		if err != nil {
			return fail(stderr, "%s sandbox: %v", name, err)
		}
		addr := net.JoinHostPort(host, "0")
		if port != 0 {
			addr = net.JoinHostPort(host, fmt.Sprint(port+i))
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fail(stderr, "%s sandbox: %v", name, err)
		}
		srv := &http.Server{Handler: sim.handler, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, srv)
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		}()
		fmt.Fprintf(stdout, "%-14s http://%s%s  %s\n", name, ln.Addr(), sim.basePath, sim.credentials)
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
	for _, srv := range servers {
		_ = srv.Shutdown(shutdown)
	}
	fmt.Fprintln(stdout, "stopped")
	return code
}

func orderedProviders[T any](m map[string]T) []string {
	var names []string
	for _, n := range demoOrder {
		if _, ok := m[n]; ok {
			names = append(names, n)
		}
	}
	for n := range m {
		if !contains(demoOrder, n) {
			names = append(names, n)
		}
	}
	return names
}
