package sim_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/sandbox/sim"
)

func TestCourierDuplicatesHoldsAndReleases(t *testing.T) {
	var mu sync.Mutex
	var got []string
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b)+" "+r.Header.Get("X-Sig"))
		mu.Unlock()
	}))
	defer shop.Close()
	ctx := context.Background()
	c := sim.NewCourier(shop.Client())

	status, err := c.Deliver(ctx, shop.URL, http.Header{"X-Sig": {"s1"}}, []byte("one"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)

	c.Duplicate(true)
	_, err = c.Deliver(ctx, shop.URL, http.Header{"X-Sig": {"s2"}}, []byte("two"))
	require.NoError(t, err)
	c.Duplicate(false)

	c.Hold()
	for _, b := range []string{"three", "four"} {
		status, err = c.Deliver(ctx, shop.URL, http.Header{"X-Sig": {"s"}}, []byte(b))
		require.NoError(t, err)
		assert.Equal(t, http.StatusAccepted, status, "queued")
	}
	assert.Equal(t, 2, c.Held())
	assert.Equal(t, []string{"one s1", "two s2", "two s2"}, got, "held deliveries wait")
	require.NoError(t, c.Release(ctx, true))
	assert.Equal(t, []string{"one s1", "two s2", "two s2", "four s", "three s"}, got, "released newest first, headers kept")
	assert.Zero(t, c.Held())
}

// TestCourierRetriesOnTheScheduleUntilAcknowledged: a shop that answers
// 500 twice and then 200 gets three attempts, spaced by the (compressed)
// schedule, each signed anew; every attempt is on the timeline with its
// status, and the last one says delivered.
func TestCourierRetriesOnTheScheduleUntilAcknowledged(t *testing.T) {
	var mu sync.Mutex
	var at []time.Time
	var sigs []string
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		at = append(at, time.Now())
		sigs = append(sigs, r.Header.Get("X-Sig"))
		if len(at) < 3 {
			http.Error(w, "database down", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "OK")
	}))
	defer shop.Close()
	rec := sim.NewRecorder()
	c := sim.NewCourier(shop.Client())
	c.SetRecorder(rec)
	c.SetSchedule(sim.Schedule{Delays: []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second}})
	c.ScaleDelays(0.005) // 50 ms, 100 ms, 150 ms
	defer c.Close()
	n := 0
	status, err := c.Send(context.Background(), sim.Message{Payment: "p1", URL: shop.URL, Body: []byte(`{"id":"p1"}`),
		Sign: func() (string, http.Header, error) {
			n++
			return shop.URL, http.Header{"X-Sig": {fmt.Sprint("sig-", n)}}, nil
		}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusInternalServerError, status, "the first attempt's answer")
	require.Eventually(t, func() bool { e, ok := rec.LastWebhook("p1"); return ok && e.Delivered }, 5*time.Second, 10*time.Millisecond)
	assert.Zero(t, c.Pending(), "acknowledged: no more retries")

	mu.Lock()
	assert.Equal(t, []string{"sig-1", "sig-2", "sig-3"}, sigs, "every attempt signed anew")
	assert.GreaterOrEqual(t, at[1].Sub(at[0]), 45*time.Millisecond, "the first delay, scaled")
	assert.GreaterOrEqual(t, at[2].Sub(at[1]), 95*time.Millisecond, "the second delay, scaled")
	mu.Unlock()

	events := rec.Events("p1")
	require.Len(t, events, 3)
	for i, e := range events {
		assert.Equal(t, sim.EventWebhook, e.Kind)
		assert.Equal(t, i+1, e.Attempt)
		assert.Equal(t, 4, e.Attempts, "the first attempt and three retries")
	}
	assert.Equal(t, http.StatusInternalServerError, events[0].Status)
	assert.Contains(t, events[0].Answer, "database down")
	assert.False(t, events[0].NextRetry.IsZero(), "a failed attempt says when the next goes")
	assert.True(t, events[2].Delivered)
	assert.True(t, events[2].NextRetry.IsZero())
	assert.Equal(t, []sim.Header{{Name: "X-Sig", Value: "sig-3"}}, events[2].Headers)
}

// TestCourierGivesUpAfterTheSchedule: a shop that never acknowledges gets
// the first attempt and every retry, then nothing more; an unreachable
// shop is retried too; Close cancels what is scheduled.
func TestCourierGivesUpAfterTheSchedule(t *testing.T) {
	var hits atomic.Int32
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusOK) // 200 without "OK": not acknowledged by this provider's rule
	}))
	defer shop.Close()
	rec := sim.NewRecorder()
	c := sim.NewCourier(shop.Client())
	c.SetRecorder(rec)
	c.SetAcknowledgement(func(status int, answer []byte) bool { return status == 200 && string(answer) == "OK" })
	c.SetSchedule(sim.Schedule{Delays: sim.Every(2, time.Minute)})
	c.ScaleDelays(0.0005) // 30 ms
	_, err := c.Send(context.Background(), sim.Message{Payment: "p2", URL: shop.URL})
	require.ErrorIs(t, err, sim.ErrNotAcknowledged)
	require.Eventually(t, func() bool { return hits.Load() == 3 && c.Pending() == 0 }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	assert.EqualValues(t, 3, hits.Load(), "no attempt past the schedule")
	last, _ := rec.LastWebhook("p2")
	assert.Equal(t, 3, last.Attempt)
	assert.False(t, last.Delivered)
	assert.Contains(t, last.Problem, "acknowledgement")

	// Unreachable: retried as well; Close stops the retries.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	c.SetSchedule(sim.Schedule{Delays: sim.Every(3, time.Hour)})
	status, err := c.Send(context.Background(), sim.Message{Payment: "p3", URL: deadURL})
	require.Error(t, err)
	assert.Zero(t, status)
	assert.Equal(t, 1, c.Pending(), "the retry waits (an hour, scaled: 1.8 s)")
	c.Close()
	assert.Zero(t, c.Pending())
	e, _ := rec.LastWebhook("p3")
	assert.Zero(t, e.Status)
	assert.NotEmpty(t, e.Problem)
}

func TestScheduleReadsLikeTheDocuments(t *testing.T) {
	assert.Equal(t, "4 retries, after 15m, 15m, 15m, 15m", sim.Schedule{Delays: sim.Every(4, 15*time.Minute)}.String())
	assert.Equal(t, "2 retries, after 30s, 1h", sim.Schedule{Delays: []time.Duration{30 * time.Second, time.Hour}}.String())
	assert.Equal(t, "no automatic retries", sim.Schedule{}.String())
}

func TestARefusalAnsweredWith200IsStillARefusal(t *testing.T) {
	assert.True(t, sim.Event{Kind: sim.EventRequest, Status: 400}.Refused())
	assert.True(t, sim.Event{Kind: sim.EventRequest, Status: 200, Problem: "491: ClientIP.Type"}.Refused(), "Buckaroo refuses with HTTP 200")
	assert.False(t, sim.Event{Kind: sim.EventRequest, Status: 201}.Refused())
	assert.False(t, sim.Event{Kind: sim.EventWebhook, Status: 500}.Refused(), "a webhook attempt fails, it is not refused")
}
