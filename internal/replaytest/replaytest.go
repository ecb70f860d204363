// Package replaytest holds the replay checks every signed webhook handler
// must pass (Buckaroo, MultiSafepay, iDEAL 2.0), with the in-memory store
// and with a real Redis shared by several shop instances, so that each
// client's test states only how its deliveries are signed.
package replaytest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/redistest"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
	"github.com/betaalkit/betaalkit/redisreplay"
)

// Provider is one signed webhook kind under test.
type Provider struct {
	// Name is the client's package name, as in WebhookRejection.Provider.
	Name string
	// NewHandler builds the handler of one shop instance, with a client of
	// its own that logs to logger, passing each delivery on to fn. opts
	// come after the provider test's own (a fixed clock, the URL).
	NewHandler func(t *testing.T, logger *slog.Logger, fn func(ctx context.Context) error, opts ...betaalkit.WebhookOption) http.Handler
	// Delivery signs a new genuine, fresh delivery (each call one with a
	// replay key of its own) and returns a function that makes identical
	// requests of it: the delivery sent again.
	Delivery func(t *testing.T) func() *http.Request
	// Forge returns a request that carries everything delivery's replay
	// key is made of, but does not verify.
	Forge func(t *testing.T, delivery func() *http.Request) *http.Request
}

// instance is one shop instance's handler and what it saw.
type instance struct {
	h      http.Handler
	logs   *syncbuf.Buffer
	mu     sync.Mutex
	reject []betaalkit.WebhookRejection
}

// shop counts the calls of the shop's function over all its instances;
// fail and panics decide what the next calls do.
type shop struct {
	calls  atomic.Int32
	fail   atomic.Int32 // the next n calls fail
	panics atomic.Int32 // the next n calls panic
}

func (s *shop) fn(context.Context) error {
	s.calls.Add(1)
	if s.panics.Load() > 0 {
		s.panics.Add(-1)
		panic("the shop's function panicked")
	}
	if s.fail.Load() > 0 {
		s.fail.Add(-1)
		return errors.New("shop database down")
	}
	return nil
}

func (p Provider) instance(t *testing.T, s *shop, opts ...betaalkit.WebhookOption) *instance {
	t.Helper()
	in := &instance{logs: &syncbuf.Buffer{}}
	logger := slog.New(slog.NewTextHandler(in.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	opts = append([]betaalkit.WebhookOption{betaalkit.OnReject(func(_ *http.Request, r betaalkit.WebhookRejection) {
		in.mu.Lock()
		in.reject = append(in.reject, r)
		in.mu.Unlock()
	})}, opts...)
	in.h = p.NewHandler(t, logger, s.fn, opts...)
	return in
}

// serve sends r and returns the status and body of the answer.
func (in *instance) serve(r *http.Request) (int, string) {
	w := httptest.NewRecorder()
	in.h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

func (in *instance) rejections() []betaalkit.WebhookRejection {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]betaalkit.WebhookRejection(nil), in.reject...)
}

// want fails the test unless the answer is status with the body every
// handler gives for it.
func want(t *testing.T, what string, status int, gotStatus int, gotBody string) {
	t.Helper()
	var body string
	switch status {
	case http.StatusOK:
		body = "OK"
	case http.StatusServiceUnavailable:
		body = "webhook rejected: " + string(betaalkit.RejectReplayStore) + "\n"
	case http.StatusInternalServerError:
		body = "webhook rejected: " + string(betaalkit.RejectHandler) + "\n"
	case http.StatusUnauthorized:
		if gotStatus == status {
			return // signature or stale: the provider's test checks which
		}
	}
	if gotStatus != status || gotBody != body {
		t.Fatalf("%s: answered %d %q, want %d %q", what, gotStatus, gotBody, status, body)
	}
}

func (s *shop) wantCalls(t *testing.T, n int, what string) {
	t.Helper()
	if got := s.calls.Load(); got != int32(n) {
		t.Fatalf("%s: the shop's function ran %d times, want %d", what, got, n)
	}
}

// failingStore cannot be reached.
type failingStore struct{ claims, releases atomic.Int32 }

func (f *failingStore) Claim(context.Context, string, time.Duration) (bool, error) {
	f.claims.Add(1)
	return false, errors.New("dial tcp 10.0.0.7:6379: connect: connection refused")
}

func (f *failingStore) Release(context.Context, string) error {
	f.releases.Add(1)
	return errors.New("dial tcp 10.0.0.7:6379: connect: connection refused")
}

// Run checks p's handler with its default store (this process's memory)
// and with a store that cannot be reached.
func Run(t *testing.T, p Provider) {
	t.Run("a delivery seen before is acknowledged, not passed on", func(t *testing.T) {
		s := &shop{}
		in := p.instance(t, s)
		d := p.Delivery(t)
		for i := range 3 {
			code, body := in.serve(d())
			want(t, fmt.Sprintf("delivery %d", i+1), http.StatusOK, code, body)
		}
		s.wantCalls(t, 1, "one delivery sent three times")
		if r := in.rejections(); len(r) != 0 {
			t.Fatalf("a duplicate is not a refusal: OnReject got %v", r)
		}
		logs := in.logs.String()
		if n := strings.Count(logs, "level=INFO msg=\"webhook delivery seen before: acknowledged, not passed on again\" provider="+p.Name); n != 2 {
			t.Fatalf("want 2 Info lines for 2 duplicates, log:\n%s", logs)
		}
		if strings.Contains(logs, "level=WARN") {
			t.Fatalf("a duplicate is no warning, log:\n%s", logs)
		}

		code, body := in.serve(p.Delivery(t)())
		want(t, "another delivery", http.StatusOK, code, body)
		s.wantCalls(t, 2, "two deliveries")
	})

	t.Run("the shop's failure releases the delivery for the provider's retry", func(t *testing.T) {
		s := &shop{}
		in := p.instance(t, s)
		d := p.Delivery(t)
		s.fail.Store(1)
		code, body := in.serve(d())
		want(t, "failing", http.StatusInternalServerError, code, body)
		code, body = in.serve(d())
		want(t, "the retry", http.StatusOK, code, body)
		code, body = in.serve(d())
		want(t, "once more", http.StatusOK, code, body)
		s.wantCalls(t, 2, "a failure, its retry, a duplicate")

		s.panics.Store(1)
		d = p.Delivery(t)
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("the shop's panic was swallowed")
				}
			}()
			in.serve(d())
		}()
		code, body = in.serve(d())
		want(t, "the retry after a panic", http.StatusOK, code, body)
		s.wantCalls(t, 4, "a panic and its retry")
	})

	t.Run("a store that cannot be checked answers 503 and never calls the shop", func(t *testing.T) {
		s := &shop{}
		store := &failingStore{}
		in := p.instance(t, s, betaalkit.WebhookReplayStore(store))
		d := p.Delivery(t)
		for range 2 {
			code, body := in.serve(d())
			want(t, "store down", http.StatusServiceUnavailable, code, body)
		}
		s.wantCalls(t, 0, "the store could not be checked")
		if store.claims.Load() != 2 {
			t.Fatalf("claims %d, want 2", store.claims.Load())
		}
		r := in.rejections()
		if len(r) != 2 || r[0].Reason != betaalkit.RejectReplayStore || r[0].HTTPStatus != http.StatusServiceUnavailable || r[0].Provider != p.Name {
			t.Fatalf("OnReject got %+v", r)
		}
		if !strings.Contains(r[0].Err.Error(), "connection refused") {
			t.Fatalf("the rejection does not say why: %v", r[0].Err)
		}
		if !strings.Contains(in.logs.String(), "reason="+string(betaalkit.RejectReplayStore)) {
			t.Fatalf("no Warn line: %s", in.logs.String())
		}
	})

	t.Run("a forged delivery with a known key is still refused", func(t *testing.T) {
		s := &shop{}
		store := betaalkit.NewMemoryReplayStore(nil)
		in := p.instance(t, s, betaalkit.WebhookReplayStore(store))
		d := p.Delivery(t)
		code, body := in.serve(d())
		want(t, "genuine", http.StatusOK, code, body)
		code, body = in.serve(p.Forge(t, d))
		want(t, "forged", http.StatusUnauthorized, code, body)
		s.wantCalls(t, 1, "a genuine delivery and a forged one")
		if store.Len() != 1 {
			t.Fatalf("the forged delivery was claimed: %d claims", store.Len())
		}
	})

	t.Run("instances sharing a store call the shop once, however many race", func(t *testing.T) {
		s := &shop{}
		shared := betaalkit.WebhookReplayStore(betaalkit.NewMemoryReplayStore(nil))
		a, b := p.instance(t, s, shared), p.instance(t, s, shared)
		d := p.Delivery(t)
		raceDeliveries(t, d, a, b)
		s.wantCalls(t, 1, "one delivery raced through two instances")
	})
}

// raceDeliveries sends d 16 times at once through the instances; every
// answer must be 200 "OK".
func raceDeliveries(t *testing.T, d func() *http.Request, ins ...*instance) {
	t.Helper()
	reqs := make([]*http.Request, 16)
	for i := range reqs {
		reqs[i] = d()
	}
	var wg sync.WaitGroup
	codes := make([]int, len(reqs))
	bodies := make([]string, len(reqs))
	start := make(chan struct{})
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i], bodies[i] = ins[i%len(ins)].serve(r)
		}()
	}
	close(start)
	wg.Wait()
	for i := range codes {
		want(t, fmt.Sprintf("racing delivery %d", i), http.StatusOK, codes[i], bodies[i])
	}
}

// RunRedis checks p's handler with a real redis-server shared by two shop
// instances (each with a client of its own): a duplicated delivery reaches
// the shop once, and with Redis stopped mid-run every delivery is answered
// 503 and none is lost. It skips without redis-server.
func RunRedis(t *testing.T, p Provider) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: 1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = rdb.Close() })
	// Every subtest has keys of its own.
	store := func(t *testing.T) betaalkit.WebhookOption {
		return betaalkit.WebhookReplayStore(redisreplay.New(rdb, redisreplay.WithPrefix("test:"+t.Name()+":")))
	}

	t.Run("two instances call the shop once for a duplicated delivery", func(t *testing.T) {
		s := &shop{}
		shared := store(t)
		a, b := p.instance(t, s, shared), p.instance(t, s, shared)
		d := p.Delivery(t)
		code, body := a.serve(d())
		want(t, "instance A", http.StatusOK, code, body)
		code, body = b.serve(d())
		want(t, "the same delivery at instance B", http.StatusOK, code, body)
		s.wantCalls(t, 1, "one delivery at two instances")
		if !strings.Contains(b.logs.String(), "webhook delivery seen before") {
			t.Fatalf("instance B did not log the duplicate: %s", b.logs.String())
		}

		// A failure at B releases the key in Redis: A gets the retry.
		d = p.Delivery(t)
		s.fail.Store(1)
		code, body = b.serve(d())
		want(t, "failing at B", http.StatusInternalServerError, code, body)
		code, body = a.serve(d())
		want(t, "the retry at A", http.StatusOK, code, body)
		code, body = b.serve(d())
		want(t, "once more at B", http.StatusOK, code, body)
		s.wantCalls(t, 3, "a failure at B, the retry at A, a duplicate at B")

		// And racing through both at once, the shop still sees it once.
		raceDeliveries(t, p.Delivery(t), a, b)
		s.wantCalls(t, 4, "a delivery raced through two instances")
	})

	t.Run("Redis stopped mid-run: 503, the shop is not called unchecked, nothing is lost", func(t *testing.T) {
		s := &shop{}
		shared := store(t)
		a, b := p.instance(t, s, shared), p.instance(t, s, shared)
		first, second := p.Delivery(t), p.Delivery(t)
		code, body := a.serve(first())
		want(t, "before the outage", http.StatusOK, code, body)

		srv.Stop()
		code, body = b.serve(second())
		want(t, "a new delivery during the outage", http.StatusServiceUnavailable, code, body)
		code, body = b.serve(first())
		want(t, "a duplicate during the outage", http.StatusServiceUnavailable, code, body)
		s.wantCalls(t, 1, "during the outage")
		if r := b.rejections(); len(r) != 2 || r[0].Reason != betaalkit.RejectReplayStore {
			t.Fatalf("OnReject got %+v", r)
		}

		srv.Start() // empty: --save '' keeps nothing
		code, body = a.serve(second())
		want(t, "the provider's retry after the outage", http.StatusOK, code, body)
		code, body = b.serve(second())
		want(t, "its duplicate", http.StatusOK, code, body)
		s.wantCalls(t, 2, "both deliveries, once each")
	})
}

// Drain reads and closes a body; for providers' Forge functions.
func Drain(r io.ReadCloser) []byte {
	b, _ := io.ReadAll(r)
	_ = r.Close()
	return b
}
