package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
	"github.com/betaalkit/betaalkit/transport"
)

func init() { register("proxy", runProxy) }

func runProxy(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	upstream := fs.String("upstream", "", "the provider's base URL to forward to, e.g. https://testapi.multisafepay.com/v1/json (required)")
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on (port 0: any free port)")
	record := fs.String("record", "", "write every exchange of a spec operation to this directory as a fixture, credentials and IBANs redacted")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: betaalkit proxy <provider> --upstream URL [--listen 127.0.0.1:PORT] [--record DIR]

Point the client's base URL at the address printed. Every request is
forwarded to the upstream unchanged (signatures stay valid), every request
and response is checked against the provider's spec, and each exchange is
logged on one line with its operation and what does not fit.`)
		fs.PrintDefaults()
	}
	provider, rest, code, ok := providerAndArgs(fs, args, stdout, stderr)
	if !ok {
		return code
	}
	switch {
	case len(rest) > 0:
		return usageError(fs, stderr, "unexpected argument %q", rest[0])
	case *upstream == "":
		return usageError(fs, stderr, "missing required flag --upstream")
	}
	if err := checkURL("upstream", *upstream); err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveProxy(ctx, provider, *upstream, *listen, *record, stdout, stderr)
}

// serveProxy serves the proxy until ctx ends; each exchange gets a line on
// stdout.
func serveProxy(ctx context.Context, provider, upstream, listen, record string, stdout, stderr io.Writer) int {
	u, _ := url.Parse(upstream)
	p, err := newProxy(provider, u, stdout, record)
	if err != nil {
		return fail(stderr, "proxy: %v", err)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fail(stderr, "proxy: %v", err)
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		fmt.Fprintf(stderr, "betaalkit proxy: warning: listening on %s, not loopback: whoever reaches it sends with the credentials passing through\n", ln.Addr())
	}
	base := "http://" + ln.Addr().String() + strings.TrimSuffix(u.EscapedPath(), "/")
	fmt.Fprintf(stdout, "proxy %s: %s → %s\n", provider, base, strings.TrimSuffix(upstream, "/"))
	if record != "" {
		fmt.Fprintf(stdout, "recording fixtures in %s\n", record)
	}
	fmt.Fprintf(stdout, "point the client's base URL at %s; Ctrl-C stops\n", base)
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	errs := make(chan error, 1)
	go func() { errs <- srv.Serve(ln) }()
	code := 0
	select {
	case <-ctx.Done():
	case err := <-errs:
		code = fail(stderr, "proxy: %v", err)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	fmt.Fprintln(stdout, "stopped")
	return code
}

// maxProxyBody bounds a request body the proxy holds to check it.
const maxProxyBody = 32 << 20

// proxy is a reverse proxy that checks what passes against a spec. It
// forwards the request-target, headers and body exactly as received, and
// the answer exactly as the upstream gave it; only hop-by-hop headers
// (Connection, Keep-Alive, Transfer-Encoding, …) are dropped, as HTTP asks.
type proxy struct {
	provider string
	v        *specs.Validator
	upstream *url.URL
	// keepHost forwards the Host header as the client sent it (see hostSigned).
	keepHost bool
	rp       *httputil.ReverseProxy
	record   string

	mu  sync.Mutex // one log line at a time; record numbering
	log io.Writer
	seq int
}

// hostSigned lists the providers whose request signature covers the host
// name: Buckaroo's HMAC is over host + path + query as the client sent
// them, so the proxy forwards the client's Host header unchanged (the
// sandbox, and any upstream that checks the Host it was sent, then verifies
// the signature the client made). For the others nothing signed names the
// host (iDEAL 2.0 signs "(request-target)", the method, path and query,
// which the proxy keeps byte for byte), and the proxy sends the upstream's
// own host name, as a provider's front end expects.
var hostSigned = map[string]bool{"buckaroo": true}

type exchangeKey struct{}

// exchange is one exchange in flight.
type exchange struct {
	specs.Exchange
	path  string
	start time.Time
}

func newProxy(provider string, upstream *url.URL, log io.Writer, record string) (*proxy, error) {
	v, err := specs.NewValidator(provider)
	if err != nil {
		return nil, err
	}
	if record != "" {
		if err := os.MkdirAll(record, 0o755); err != nil {
			return nil, err
		}
	}
	p := &proxy{provider: provider, v: v, upstream: upstream, keepHost: hostSigned[provider], record: record, log: log}
	// The upstream's answer is passed on as it came: no Accept-Encoding
	// of the transport's own, so no transparent decompression.
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableCompression = true
	p.rp = &httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		Transport:      t,
		ModifyResponse: p.answered,
		ErrorHandler:   p.failed,
	}
	return p, nil
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ex := &exchange{start: time.Now(), path: r.URL.Path}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxProxyBody+1))
	if err == nil && len(body) > maxProxyBody {
		err = fmt.Errorf("request body over %d bytes", maxProxyBody)
	}
	ex.Exchange = specs.Exchange{Method: r.Method, Target: r.RequestURI, RequestHeader: r.Header.Clone(), RequestBody: body}
	if err != nil {
		p.done(r.Context(), ex, http.StatusBadRequest, "read request: "+err.Error())
		http.Error(w, "betaalkit proxy: read request: "+err.Error(), http.StatusBadRequest)
		return
	}
	// The body as read, exactly; the length is now known.
	r.Body, r.ContentLength, r.TransferEncoding = io.NopCloser(bytes.NewReader(body)), int64(len(body)), nil
	p.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), exchangeKey{}, ex)))
}

// rewrite sends the request to the upstream: the same request-target
// (RawPath and RawQuery as received), headers and body.
func (p *proxy) rewrite(pr *httputil.ProxyRequest) {
	pr.Out.URL.Scheme, pr.Out.URL.Host = p.upstream.Scheme, p.upstream.Host
	// The request-target as received, which iDEAL 2.0 signs: net/http
	// would escape anew a path it finds unusual ("|"), and ReverseProxy
	// re-encodes (and sorts) a query with ";" or a stray "%".
	if path, _, _ := strings.Cut(pr.In.RequestURI, "?"); strings.HasPrefix(path, "/") && !strings.HasPrefix(path, "//") {
		pr.Out.URL.Opaque = path
	}
	pr.Out.URL.RawQuery = pr.In.URL.RawQuery
	if p.keepHost {
		pr.Out.Host = pr.In.Host
	} else {
		pr.Out.Host = ""
	}
	// Rewrite drops the client's forwarding headers; they pass unchanged.
	for _, name := range []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"} {
		if v, ok := pr.In.Header[name]; ok {
			pr.Out.Header[name] = v
		}
	}
}

// answered reads the upstream's answer to check it, and passes the same
// bytes on.
func (p *proxy) answered(resp *http.Response) error {
	ex := resp.Request.Context().Value(exchangeKey{}).(*exchange)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("read the answer: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	ex.Status, ex.ResponseHeader, ex.ResponseBody = resp.StatusCode, resp.Header.Clone(), body
	p.done(resp.Request.Context(), ex, 0, "")
	return nil
}

// failed answers 502 when the upstream could not be reached (or its
// answer read), and still checks the request.
func (p *proxy) failed(w http.ResponseWriter, r *http.Request, err error) {
	ex := r.Context().Value(exchangeKey{}).(*exchange)
	why := betaalkit.Redact(err.Error())
	ex.Status, ex.ResponseBody = 0, nil
	p.done(r.Context(), ex, http.StatusBadGateway, "upstream: "+why)
	http.Error(w, "betaalkit proxy: "+why, http.StatusBadGateway)
}

// done checks an exchange, records it and writes its log line. When the
// proxy answered itself, status is its answer and failure says why.
func (p *proxy) done(ctx context.Context, ex *exchange, status int, failure string) {
	res := p.v.CheckExchange(ctx, ex.Exchange)
	if status == 0 {
		status = ex.Status
	}
	line := fmt.Sprintf("%-14s %-6s %s → %d (%s) ", p.provider, ex.Method, betaalkit.Redact(ex.path), status, time.Since(ex.start).Round(time.Microsecond))
	switch {
	case res.OperationID == "":
		line += "not an operation of the spec: forwarded unchecked"
	case failure != "":
		line += res.String() + "; " + failure
	default:
		line += res.String()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.record != "" && res.OperationID != "" {
		name, err := p.save(ex.Exchange, res)
		if err != nil {
			line += "; not recorded: " + err.Error()
		} else {
			line += " [" + name + "]"
		}
	}
	fmt.Fprintln(p.log, line)
}

// save writes an exchange as a fixture, with what the log redacts
// redacted, and returns its file name. The caller holds p.mu.
func (p *proxy) save(ex specs.Exchange, res specs.Result) (string, error) {
	ex = ex.Decoded()
	note := "Recorded by betaalkit proxy. Credentials, tokens, signatures and IBANs are redacted, so signatures and digests no longer match the bodies."
	if !res.OK() {
		note += " The proxy found: " + res.String()
	}
	f := fixtures.Fixture{
		Source:      fmt.Sprintf("recorded by betaalkit proxy from %s, %s", p.upstream.Redacted(), time.Now().UTC().Format(time.RFC3339)),
		Note:        note,
		OperationID: res.OperationID,
	}
	names := p.headerNames(res.OperationID)
	f.Request = &fixtures.Request{Method: ex.Method, Path: redactTarget(ex.Target), Headers: redactHeaders(ex.RequestHeader, names)}
	f.Request.Body, f.Request.RawBody = recordedBody(ex.RequestBody)
	if ex.Status != 0 {
		f.Response = &fixtures.Response{Status: ex.Status, Headers: redactHeaders(ex.ResponseHeader, names)}
		f.Response.Body, f.Response.RawBody = recordedBody(ex.ResponseBody)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return "", err
	}
	for {
		p.seq++
		name := fmt.Sprintf("%04d-%s.json", p.seq, res.OperationID)
		file, err := os.OpenFile(filepath.Join(p.record, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue // an earlier run's recording
		}
		if err != nil {
			return "", err
		}
		_, err = file.Write(buf.Bytes())
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		return name, err
	}
}

// recordedBody is a body for a fixture, redacted: JSON as JSON, anything
// else as exact text.
func recordedBody(body []byte) (json.RawMessage, *string) {
	if len(body) == 0 {
		return nil, nil
	}
	text := betaalkit.Redact(string(body))
	if json.Valid([]byte(text)) {
		return json.RawMessage(text), nil
	}
	return nil, &text
}

// redactTarget redacts the path and, on its own, the query (so that its
// first parameter counts as a form field too).
func redactTarget(target string) string {
	path, query, hasQuery := strings.Cut(target, "?")
	path = betaalkit.Redact(path)
	if hasQuery {
		return path + "?" + betaalkit.Redact(query)
	}
	return path
}

// hopHeaders are not part of an exchange's content; a recording leaves
// them out.
var hopHeaders = map[string]bool{"Connection": true, "Keep-Alive": true, "Transfer-Encoding": true, "Content-Length": true, "Proxy-Connection": true}

// redactHeaders is a recording's headers, named as the spec spells them
// where it names them.
func redactHeaders(h http.Header, names map[string]string) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for name, values := range h {
		if hopHeaders[name] {
			continue
		}
		if spelled, ok := names[strings.ToLower(name)]; ok {
			name = spelled
		}
		out[name] = transport.RedactHeader(name, values)
	}
	return out
}

// headerNames maps the lower-case names of the headers an operation's spec
// names (header parameters, response headers, API key schemes) to the
// spec's spelling: net/http writes "MessageCreateDateTime" as
// "Messagecreatedatetime", which a fixture need not repeat.
func (p *proxy) headerNames(operationID string) map[string]string {
	names := map[string]string{}
	add := func(name string) { names[strings.ToLower(name)] = name }
	doc := p.v.Doc()
	if doc.Components != nil {
		for _, s := range doc.Components.SecuritySchemes {
			if s.Value != nil && s.Value.Type == "apiKey" && s.Value.In == "header" {
				add(s.Value.Name)
			}
		}
	}
	route, err := p.v.RouteByOperationID(operationID)
	if err != nil {
		return names
	}
	for _, param := range route.Operation.Parameters {
		if param.Value != nil && param.Value.In == "header" {
			add(param.Value.Name)
		}
	}
	for _, rsp := range route.Operation.Responses.Map() {
		if rsp.Value != nil {
			for name := range rsp.Value.Headers {
				add(name)
			}
		}
	}
	return names
}
