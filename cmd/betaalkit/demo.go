package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// demoStep prints one line of a provider's transcript.
type demoStep func(format string, a ...any)

// demoFlow runs a complete payment against a provider's in-process sandbox.
type demoFlow func(ctx context.Context, env demoEnv, hooks *webhookReceiver, step demoStep) error

// demoEnv is what every flow gives the client it builds: a logger (nil:
// none) and the *http.Client to send through (nil: the default).
type demoEnv struct {
	logger     *slog.Logger
	httpClient *http.Client
}

var demos = map[string]demoFlow{}

// demoOrder fixes the order the transcript prints providers in.
var demoOrder = []string{"kassacompleet", "opp", "multisafepay", "buckaroo", "ideal2", "checkout"}

func registerDemo(provider string, flow demoFlow) { demos[provider] = flow }

func init() { register("demo", runDemo) }

func runDemo(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	logLevel := fs.String("log", "", "log every HTTP attempt to stderr at this level: info, or debug for headers and bodies (secrets redacted)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: betaalkit demo [--timeout D] [--log info|debug]")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	var env demoEnv
	if *logLevel != "" {
		var level slog.Level
		if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
			fmt.Fprintf(stderr, "demo: -log %q: %v\n", *logLevel, err)
			return 2
		}
		env.logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	}
	return runDemoFlows(env, *timeout, stdout)
}

// runDemoFlows runs every provider's flow and prints the transcript.
func runDemoFlows(env demoEnv, timeout time.Duration, stdout io.Writer) int {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	names := orderedProviders(demos)
	start := time.Now()
	failed := 0
	for _, name := range names {
		hooks := newWebhookReceiver()
		step := func(format string, a ...any) { fmt.Fprintf(stdout, "%-14s %s\n", name, fmt.Sprintf(format, a...)) }
		err := demos[name](ctx, env, hooks, step)
		hooks.Close()
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "%-14s FAILED: %v\n", name, err)
			continue
		}
		fmt.Fprintf(stdout, "%-14s ok\n", name)
	}
	fmt.Fprintf(stdout, "\n%d of %d flows paid, refunded where supported, offline, in %s (each provider's own client, then one checkout flow over all five)\n",
		len(names)-failed, len(names), time.Since(start).Round(time.Millisecond))
	if failed > 0 || len(names) == 0 {
		return 1
	}
	return 0
}

// webhookReceiver is the shop's webhook endpoint during the demo: it hands
// each request to the provider's verifier and queues what it accepted.
type webhookReceiver struct {
	*httptest.Server
	mu      sync.Mutex
	handler http.Handler
	got     chan string
}

func newWebhookReceiver() *webhookReceiver {
	h := &webhookReceiver{got: make(chan string, 16)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		next := h.handler
		h.mu.Unlock()
		if next == nil {
			http.Error(w, "no handler", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	}))
	return h
}

// Handle sets the shop's handler (usually a client's verifying webhook handler).
func (h *webhookReceiver) Handle(next http.Handler) {
	h.mu.Lock()
	h.handler = next
	h.mu.Unlock()
}

// Accepted records that the handler accepted a webhook about ref.
func (h *webhookReceiver) Accepted(ref string) {
	select {
	case h.got <- ref:
	default:
	}
}

// Wait returns the reference of the next accepted webhook.
func (h *webhookReceiver) Wait(ctx context.Context) (string, error) {
	select {
	case ref := <-h.got:
		return ref, nil
	case <-ctx.Done():
		return "", fmt.Errorf("no webhook arrived: %w", ctx.Err())
	case <-time.After(5 * time.Second):
		return "", fmt.Errorf("no webhook arrived within 5s")
	}
}
