package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Courier delivers a simulator's webhooks the way its provider does: the
// first attempt at once (so the shop has it before the customer is back),
// and after an answer that does not acknowledge it, retries on the
// provider's documented schedule (SetSchedule), each attempt signed anew
// and recorded on the timeline. ScaleDelays compresses the schedule for
// tests.
//
// It can also be told to misbehave the way real providers sometimes do,
// so a shop can test that events arriving twice, late or after the
// customer never move a payment back: Duplicate sends every delivery
// twice; Hold keeps deliveries until Release (a late webhook; a customer
// who is back before it). Each simulator's Webhooks method returns its
// Courier. Safe for concurrent use.
type Courier struct {
	client *http.Client
	rec    *Recorder

	mu           sync.Mutex
	duplicate    bool
	hold         bool
	held         []Message
	schedule     Schedule
	scale        float64
	acknowledged func(status int, answer []byte) bool
	retries      map[*time.Timer]struct{}
	ctx          context.Context
	stop         context.CancelFunc
	closed       bool
}

// Schedule is how a provider retries a webhook the shop did not
// acknowledge.
type Schedule struct {
	// Delays are the waits before each retry: Delays[0] after the first
	// attempt failed, Delays[1] after the second, and so on. None: no
	// retries.
	Delays []time.Duration
	// Source says where the schedule comes from (the provider's document),
	// or why there is none; the dashboard shows it.
	Source string
}

// Every returns n equal delays d (MultiSafepay's "4 times at 15 minute
// intervals").
func Every(n int, d time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// String describes the schedule: "retries after 15m, 15m, 15m, 15m".
func (s Schedule) String() string {
	if len(s.Delays) == 0 {
		return "no automatic retries"
	}
	parts := make([]string, len(s.Delays))
	for i, d := range s.Delays {
		parts[i] = shortDuration(d)
	}
	return fmt.Sprintf("%d retries, after %s", len(s.Delays), strings.Join(parts, ", "))
}

func shortDuration(d time.Duration) string {
	switch {
	case d > 0 && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d > 0 && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// Message is one webhook to deliver.
type Message struct {
	// Payment is the id whose timeline records the delivery.
	Payment string
	// Method is POST unless set (MultiSafepay's default notification is a GET).
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Sign, when set, is called before every attempt, the first included,
	// to sign it afresh (a new timestamp, nonce or request id, as the
	// providers do for a retry): it returns the URL and headers to send.
	Sign func() (url string, header http.Header, err error)
}

// ErrNotAcknowledged means the shop answered 2xx, but not the way the
// provider wants a notification acknowledged (MultiSafepay: "OK" in the
// body); the provider retries it like any failure.
var ErrNotAcknowledged = errors.New("webhook answered without the acknowledgement the provider wants")

// NewCourier delivers through client. It makes no retries until given a
// Schedule.
func NewCourier(client *http.Client) *Courier {
	ctx, stop := context.WithCancel(context.Background())
	return &Courier{client: client, scale: 1, retries: map[*time.Timer]struct{}{}, ctx: ctx, stop: stop}
}

// SetRecorder makes every attempt appear on rec's timeline.
func (c *Courier) SetRecorder(rec *Recorder) {
	c.mu.Lock()
	c.rec = rec
	c.mu.Unlock()
}

// Recorder is the timeline the courier records to (nil: none).
func (c *Courier) Recorder() *Recorder {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rec
}

// SetSchedule sets how unacknowledged webhooks are retried.
func (c *Courier) SetSchedule(s Schedule) {
	c.mu.Lock()
	c.schedule = s
	c.mu.Unlock()
}

// Schedule is the retry schedule in force (before scaling).
func (c *Courier) Schedule() Schedule {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.schedule
}

// ScaleDelays multiplies every retry delay by f: 0.001 turns MultiSafepay's
// 15 minutes into 0.9 s, for a test that wants to see the retries; 0 retries
// at once. The default is 1, the provider's own schedule.
func (c *Courier) ScaleDelays(f float64) {
	if f < 0 {
		f = 0
	}
	c.mu.Lock()
	c.scale = f
	c.mu.Unlock()
}

// SetAcknowledgement replaces "any 2xx" as what acknowledges a webhook.
func (c *Courier) SetAcknowledgement(ok func(status int, answer []byte) bool) {
	c.mu.Lock()
	c.acknowledged = ok
	c.mu.Unlock()
}

// Pending is the number of retries scheduled and not yet done (one being
// sent counts).
func (c *Courier) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.retries)
}

// Close cancels every scheduled retry; deliveries after it are sent once.
func (c *Courier) Close() {
	c.mu.Lock()
	for t := range c.retries {
		t.Stop()
	}
	c.retries = map[*time.Timer]struct{}{}
	c.closed = true
	c.mu.Unlock()
	c.stop()
}

// Deliver posts one webhook (twice when duplicating) and reports the last
// answer's status. While holding, it queues the delivery and answers 202
// at once, as if the provider had sent it into a slow queue.
func (c *Courier) Deliver(ctx context.Context, target string, header http.Header, body []byte) (int, error) {
	return c.Send(ctx, Message{URL: target, Header: header, Body: body})
}

// Send delivers m as Deliver does, and schedules its retries when the shop
// does not acknowledge it. It reports the first attempt's answer: the
// status, and an error when the shop could not be reached (or answered 2xx
// without the acknowledgement the provider wants: ErrNotAcknowledged).
func (c *Courier) Send(ctx context.Context, m Message) (int, error) {
	if m.URL == "" {
		return 0, nil
	}
	c.mu.Lock()
	if c.hold {
		m.Header, m.Body = m.Header.Clone(), bytes.Clone(m.Body)
		c.held = append(c.held, m)
		rec := c.rec
		c.mu.Unlock()
		rec.Add(Event{Kind: EventWebhook, Payment: m.Payment, Method: m.method(), URL: m.URL, Body: string(m.Body),
			Headers: shownHeaders(m.Header), Held: true, Note: "held back until released"})
		return http.StatusAccepted, nil
	}
	times := 1
	if c.duplicate {
		times = 2
	}
	c.mu.Unlock()
	var status int
	var err error
	for i := range times {
		status, err = c.attempt(ctx, m, 1, i == 1)
	}
	return status, err
}

func (m Message) method() string {
	if m.Method == "" {
		return http.MethodPost
	}
	return m.Method
}

// attempt makes attempt n of m, records it, and schedules the next one
// when it failed and the schedule has one.
func (c *Courier) attempt(ctx context.Context, m Message, n int, duplicate bool) (int, error) {
	c.mu.Lock()
	delays, scale, rec, ack := c.schedule.Delays, c.scale, c.rec, c.acknowledged
	c.mu.Unlock()
	target, header := m.URL, m.Header
	e := Event{Kind: EventWebhook, Payment: m.Payment, Method: m.method(), Attempt: n, Attempts: 1 + len(delays),
		Body: string(m.Body), Duplicate: duplicate}
	var status int
	var answer []byte
	var err error
	if m.Sign != nil {
		target, header, err = m.Sign()
	}
	start := time.Now()
	if err == nil {
		status, answer, err = send(ctx, c.client, m.method(), target, header, m.Body)
	}
	e.URL, e.Headers, e.Duration, e.Status, e.Answer = target, shownHeaders(header), time.Since(start), status, string(answer)
	switch {
	case err != nil:
		e.Problem = err.Error()
	case status/100 != 2:
		e.Problem = fmt.Sprintf("answered HTTP %d", status)
	case ack != nil && !ack(status, answer):
		err = ErrNotAcknowledged
		e.Problem = err.Error()
	default:
		e.Delivered = true
	}
	if !e.Delivered && n <= len(delays) && !duplicate {
		delay := time.Duration(float64(delays[n-1]) * scale)
		if c.schedule1(delay, func() { _, _ = c.attempt(c.ctx, m, n+1, false) }) {
			e.NextRetry = time.Now().Add(delay)
		}
	}
	rec.Add(e)
	return status, err
}

// schedule1 runs f after d, unless the courier is closed.
func (c *Courier) schedule1(d time.Duration, f func()) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		c.mu.Lock()
		_, live := c.retries[t]
		c.mu.Unlock()
		if live {
			f() // still Pending while it runs
		}
		c.mu.Lock()
		delete(c.retries, t)
		c.mu.Unlock()
	})
	c.retries[t] = struct{}{}
	return true
}

// send makes one webhook request and returns the status and the start of
// the answer.
func send(ctx context.Context, client *http.Client, method, target string, header http.Header, body []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var rd io.Reader
	if method != http.MethodGet {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if method != http.MethodGet && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, answer, nil
}

// Duplicate makes every delivery go out twice (on) or once (off).
func (c *Courier) Duplicate(on bool) {
	c.mu.Lock()
	c.duplicate = on
	c.mu.Unlock()
}

// Hold queues deliveries until Release.
func (c *Courier) Hold() {
	c.mu.Lock()
	c.hold = true
	c.mu.Unlock()
}

// Mode reports whether deliveries go out twice and whether they are held.
func (c *Courier) Mode() (duplicate, holding bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.duplicate, c.hold
}

// Held is the number of deliveries waiting for Release.
func (c *Courier) Held() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.held)
}

// Release stops holding and delivers what was held, oldest first (newest
// first with reversed: the events out of order). A delivery the shop does
// not accept is reported in the error (and retried on the schedule); the
// others still go.
func (c *Courier) Release(ctx context.Context, reversed bool) error {
	c.mu.Lock()
	held := c.held
	c.held, c.hold = nil, false
	c.mu.Unlock()
	var errs []error
	for i := range held {
		m := held[i]
		if reversed {
			m = held[len(held)-1-i]
		}
		status, err := c.Send(ctx, m)
		switch {
		case err != nil:
			errs = append(errs, err)
		case status/100 != 2:
			errs = append(errs, fmt.Errorf("%s answered %d", m.URL, status))
		}
	}
	return errors.Join(errs...)
}
