package transport

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"time"
)

// maxLoggedBody bounds how much of a body a debug line quotes.
const maxLoggedBody = 16 << 10

// logger writes one line per attempt. It sits below the signer, so it sees
// (and redacts) exactly what goes on the wire.
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
		slog.String("path", req.URL.Path),
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
		attrs = append(attrs, l.headers("request_headers", req.Header), slog.String("request_body", l.body(reqBody)))
		if resp != nil {
			var body []byte
			body, resp.Body = bufferBody(resp.Body)
			attrs = append(attrs, l.headers("response_headers", resp.Header), slog.String("response_body", l.body(body)))
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

func (l *logger) body(b []byte) string {
	if len(b) > maxLoggedBody {
		return l.redact.text(string(b[:maxLoggedBody])) + "…"
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

// bufferBody reads a response body for the log and returns a body that
// gives the caller the same bytes, and the same read error, if any.
func bufferBody(rc io.ReadCloser) ([]byte, io.ReadCloser) {
	data, err := io.ReadAll(rc)
	var r io.Reader = bytes.NewReader(data)
	if err != nil {
		r = io.MultiReader(r, errReader{err})
	}
	return data, struct {
		io.Reader
		io.Closer
	}{r, rc}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
