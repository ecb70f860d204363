package sim

import (
	"bytes"
	"context"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/transport"
)

// EventKind says what a timeline event records.
type EventKind string

// The kinds of events on a payment's timeline.
const (
	// EventRequest is an API request the simulator received, refused or not.
	EventRequest EventKind = "request"
	// EventStatus is a payment's status changing.
	EventStatus EventKind = "status"
	// EventWebhook is one attempt at delivering a webhook (or one held back).
	EventWebhook EventKind = "webhook"
	// EventAction is something a person did: a choice on the payment page,
	// a button on the dashboard.
	EventAction EventKind = "action"
)

// Event is one entry of a simulator's timeline. What it shows has been
// redacted when it was recorded: no secret, no full IBAN.
type Event struct {
	Seq     int64
	Time    time.Time
	Kind    EventKind
	Payment string // the payment it belongs to; "" for a request tied to none

	// Method and Path of a request (Method of a webhook too).
	Method, Path string
	// Status is the HTTP status the simulator answered (request) or the
	// shop answered (webhook attempt; 0 when it could not be reached).
	Status   int
	Duration time.Duration
	// Problem is why a request was refused, or why a webhook attempt failed.
	Problem string

	// From and To are the statuses of a status change, as the provider
	// names them.
	From, To string
	// Note says why: "payment page: pay", "dashboard: refund 5.00".
	Note string

	// URL, Attempt and Attempts describe a webhook attempt: attempt
	// Attempt of at most Attempts (the first plus the provider's retries).
	URL               string
	Attempt, Attempts int
	// Body is the request body (an API request's, or a webhook's).
	Body string
	// Headers are the signature headers a webhook carried, redacted.
	Headers []Header
	// Answer is the start of the shop's answer to a webhook.
	Answer string
	// Delivered is set when the shop acknowledged the webhook.
	Delivered bool
	// Held is set for a delivery the courier holds back (Courier.Hold).
	Held bool
	// Duplicate marks the second copy of a duplicated delivery.
	Duplicate bool
	// NextRetry is when the next attempt goes out (zero: none).
	NextRetry time.Time
}

// Header is one header as the timeline shows it.
type Header struct{ Name, Value string }

// Refused reports whether a request event was answered with an error.
// A provider that refuses with HTTP 200 (Buckaroo's 491) records a Problem.
func (e Event) Refused() bool {
	return e.Kind == EventRequest && (e.Status >= 400 || e.Problem != "")
}

// Failed reports whether a webhook attempt was not acknowledged.
func (e Event) Failed() bool { return e.Kind == EventWebhook && !e.Held && !e.Delivered }

// MaxEvents bounds a recorder's memory: older events are dropped first.
const MaxEvents = 5000

// maxShown bounds each body and answer a timeline keeps.
const maxShown = 8 << 10

// Recorder is a simulator's timeline: every API request, status change,
// webhook attempt and action, newest last. The dashboard reads it. Its
// methods are safe for concurrent use and do nothing on a nil Recorder.
type Recorder struct {
	mu     sync.Mutex
	seq    int64
	events []Event
}

// NewRecorder returns an empty timeline.
func NewRecorder() *Recorder { return &Recorder{} }

// Add records e. What it shows is redacted when the timeline is read, not
// here: every API request passes through Add, and redacting each body on
// the request path cost the sandbox two thirds of its throughput.
func (r *Recorder) Add(e Event) {
	if r == nil {
		return
	}
	e.Body, e.Answer = clip(e.Body), clip(e.Answer)
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	r.seq++
	e.Seq = r.seq
	// Trim in bulk: moving MaxEvents events on every request was the
	// other third.
	if len(r.events) >= 2*MaxEvents {
		r.events = append(r.events[:0:0], r.events[len(r.events)-MaxEvents+1:]...)
	}
	r.events = append(r.events, e)
}

// kept is the window of events a reader sees: the newest MaxEvents.
func (r *Recorder) kept() []Event {
	if len(r.events) > MaxEvents {
		return r.events[len(r.events)-MaxEvents:]
	}
	return r.events
}

// redacted is e as the dashboard may show it: no secret, no full IBAN.
func redacted(e Event) Event {
	e.Body = betaalkit.Redact(e.Body)
	e.Answer = betaalkit.Redact(e.Answer)
	e.Problem = betaalkit.Redact(e.Problem)
	e.Note = betaalkit.Redact(e.Note)
	e.URL = betaalkit.Redact(e.URL)
	e.Path = betaalkit.Redact(e.Path)
	return e
}

// Status records a payment's status change (nothing when from == to).
func (r *Recorder) Status(payment, from, to, note string) {
	if from == to {
		return
	}
	r.Add(Event{Kind: EventStatus, Payment: payment, From: from, To: to, Note: note})
}

// Action records something a person did to a payment.
func (r *Recorder) Action(payment, note string) {
	r.Add(Event{Kind: EventAction, Payment: payment, Note: note})
}

// Events returns a payment's timeline, oldest first.
func (r *Recorder) Events(payment string) []Event {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	for _, e := range r.kept() {
		if e.Payment == payment {
			out = append(out, redacted(e))
		}
	}
	return out
}

// Requests returns the last n API requests of every payment and of none,
// newest first.
func (r *Recorder) Requests(n int) []Event {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	events := r.kept()
	for i := len(events) - 1; i >= 0 && len(out) < n; i-- {
		if events[i].Kind == EventRequest {
			out = append(out, redacted(events[i]))
		}
	}
	return out
}

// LastWebhook returns a payment's latest webhook attempt.
func (r *Recorder) LastWebhook(payment string) (Event, bool) {
	if r == nil {
		return Event{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	events := r.kept()
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.Payment == payment && e.Kind == EventWebhook {
			return redacted(e), true
		}
	}
	return Event{}, false
}

func clip(s string) string {
	if len(s) <= maxShown {
		return s
	}
	cut := maxShown
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "… (" + strconv.Itoa(len(s)-cut) + " more bytes)"
}

// shownHeaders is how the timeline shows a webhook's headers: each
// redacted as the log redacts it (signatures and credentials replaced).
func shownHeaders(h http.Header) []Header {
	var out []Header
	for _, name := range slices.Sorted(maps.Keys(h)) {
		out = append(out, Header{Name: name, Value: transport.RedactHeader(name, h[name])})
	}
	return out
}

// requestInfo is what a request tells the recorder while it is handled.
type requestInfo struct {
	mu      sync.Mutex
	payment string
}

type requestKey struct{}

// Attach files the request being handled under a payment's timeline. A
// simulator calls it once it knows which payment a request is about (a
// create call, once the payment has an id). Requests whose path names
// the payment need no call: Observe finds it there.
func Attach(ctx context.Context, payment string) {
	if info, ok := ctx.Value(requestKey{}).(*requestInfo); ok {
		info.mu.Lock()
		info.payment = payment
		info.mu.Unlock()
	}
}

// Refuse records why the request being handled is refused, when it is not
// the spec validation that refuses it (which records its own problem): a
// refusal answered with HTTP 200, as Buckaroo's 491, or a rule beyond the
// spec. The request log and the timeline show it.
func Refuse(ctx context.Context, reason string) {
	if rec, ok := ctx.Value(problemKey{}).(*ProblemRecorder); ok {
		rec.set(reason)
	}
}

// Observe records every request to a path under apiPrefix on rec's
// timeline: method, path, body, the status answered, how long it took,
// and why it was refused. A request whose path has one of the path
// parameters named in idParams is filed under that payment; others
// under the payment the handler Attach-es, or none.
func Observe(rec *Recorder, apiPrefix string, next http.Handler, idParams ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec == nil || !strings.HasPrefix(r.URL.Path, apiPrefix) {
			next.ServeHTTP(w, r)
			return
		}
		ctx, problems := RecordProblems(r.Context())
		info := &requestInfo{}
		ctx = context.WithValue(ctx, requestKey{}, info)
		r = r.WithContext(ctx)
		var body bytes.Buffer
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &teeBody{ReadCloser: r.Body, copy: &body}
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(sw, r)
		e := Event{Kind: EventRequest, Method: r.Method, Path: r.URL.RequestURI(), Status: sw.status,
			Duration: time.Since(start), Body: body.String()}
		info.mu.Lock()
		e.Payment = info.payment
		info.mu.Unlock()
		for _, p := range idParams {
			if v := r.PathValue(p); e.Payment == "" && v != "" {
				e.Payment = v
			}
		}
		if e.Problem = problems.Problem(); e.Problem == "" && sw.status >= 400 {
			e.Problem = betaalkit.Snippet(sw.head.Bytes())
		}
		rec.Add(e)
	})
}

// teeBody keeps a copy of the first maxShown bytes a handler reads.
type teeBody struct {
	io.ReadCloser
	copy *bytes.Buffer
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	if room := maxShown + 1 - t.copy.Len(); room > 0 && n > 0 {
		t.copy.Write(p[:min(n, room)])
	}
	return n, err
}

// statusWriter remembers the status and the first bytes of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
	head   bytes.Buffer
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if room := 512 - w.head.Len(); room > 0 {
		w.head.Write(p[:min(room, len(p))])
	}
	return w.ResponseWriter.Write(p)
}

// Flush keeps streaming answers working.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
