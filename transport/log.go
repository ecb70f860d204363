package transport

import (
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"
)

// maxLoggedBody bounds how much of a body a debug line quotes.
const maxLoggedBody = 16 << 10

// logger writes one line per attempt. It sits below the signer, so it sees
// (and redacts) exactly what goes on the wire.
//
// At Debug level the line quotes the response body, but the logger never
// reads it: it keeps a copy of the first maxLoggedBody bytes as the client
// reads them, and writes the line when the client has read the body to its
// end (or failed to) or closes it. So logging reads no byte the client
// would not, and holds at most maxLoggedBody of it.
type logger struct {
	next     http.RoundTripper
	log      *slog.Logger
	provider string
	redact   *redactor
}

func newLogger(next http.RoundTripper, cfg Config) *logger {
	return &logger{next: next, log: cfg.Logger, provider: cfg.Provider, redact: newRedactor(cfg.Secrets)}
}

func (l *logger) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	debug := l.log.Enabled(ctx, slog.LevelDebug)
	var reqBody []byte
	if debug && req.GetBody != nil {
		reqBody = readCopy(req.GetBody)
	}
	start := time.Now()
	resp, err := l.next.RoundTrip(req)
	attrs := []slog.Attr{
		slog.String("provider", l.provider),
		slog.String("method", req.Method),
		slog.String("path", l.redact.text(req.URL.Path)),
		slog.Int("attempt", attemptOf(ctx)),
		slog.Duration("duration", time.Since(start)),
	}
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("error", l.redact.text(err.Error())))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			level = slog.LevelWarn
		}
	}
	if debug {
		attrs = append(attrs, l.headers("request_headers", req.Header), slog.String("request_body", l.body(reqBody, len(reqBody) > maxLoggedBody)))
		if resp != nil && resp.Body != nil {
			attrs = append(attrs, l.headers("response_headers", resp.Header))
			resp.Body = &teeBody{rc: resp.Body, done: func(b []byte, more bool) {
				l.log.LogAttrs(ctx, level, "http attempt", append(attrs, slog.String("response_body", l.body(b, more)))...)
			}}
			return resp, err
		}
	}
	l.log.LogAttrs(ctx, level, "http attempt", attrs...)
	return resp, err
}

func (l *logger) headers(key string, h http.Header) slog.Attr {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	attrs := make([]any, 0, len(names))
	for _, name := range names {
		attrs = append(attrs, slog.String(name, l.redact.header(name, h[name])))
	}
	return slog.Group(key, attrs...)
}

// body quotes at most maxLoggedBody bytes of b, redacted; more says the
// body went on.
func (l *logger) body(b []byte, more bool) string {
	if len(b) > maxLoggedBody {
		b, more = b[:maxLoggedBody], true
	}
	if more {
		return l.redact.text(string(b)) + "…"
	}
	return l.redact.text(string(b))
}

func readCopy(getBody func() (io.ReadCloser, error)) []byte {
	rc, err := getBody()
	if err != nil {
		return nil
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, maxLoggedBody+1))
	return b
}

// teeBody passes a response body through unchanged (every byte, every
// error) and keeps a copy of its first maxLoggedBody bytes. When the
// reader reaches the end or an error, or closes the body, done gets the
// copy, once; more says more was read than kept.
type teeBody struct {
	rc   io.ReadCloser
	done func(b []byte, more bool)

	mu       sync.Mutex // Close may come from another goroutine than Read
	kept     []byte
	more     bool
	finished bool
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.rc.Read(p)
	t.mu.Lock()
	if !t.finished && n > 0 {
		room := maxLoggedBody - len(t.kept)
		if n > room {
			t.more = true
		}
		t.kept = append(t.kept, p[:min(n, max(room, 0))]...)
	}
	t.mu.Unlock()
	if err != nil {
		t.finish()
	}
	return n, err
}

func (t *teeBody) Close() error {
	t.finish()
	return t.rc.Close()
}

func (t *teeBody) finish() {
	t.mu.Lock()
	if t.finished {
		t.mu.Unlock()
		return
	}
	t.finished = true
	kept, more := t.kept, t.more
	t.kept = nil
	t.mu.Unlock()
	t.done(kept, more)
}
