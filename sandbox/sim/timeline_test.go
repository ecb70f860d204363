package sim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/checkout"
	"github.com/betaalkit/betaalkit/clients/opp"
	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	sbideal2 "github.com/betaalkit/betaalkit/sandbox/ideal2"
	sbkassacompleet "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// withTimeline is every simulator: its timeline is its courier's recorder.
type withTimeline interface {
	Webhooks() *sim.Courier
}

// Issue 17: every refused request appears in the simulator's timeline with
// its reason, on all five simulators: a body the spec refuses, trailing
// data, and a request without credentials.
func TestEveryRefusedRequestIsOnTheTimelineWithItsReason(t *testing.T) {
	t.Parallel()
	sims := simulators(t)
	require.Len(t, sims, 5)
	for _, s := range sims {
		t.Run(s.name, func(t *testing.T) {
			tl, ok := s.handler.(withTimeline)
			require.True(t, ok, "%T has no timeline", s.handler)
			rec := tl.Webhooks().Recorder()
			require.NotNil(t, rec)
			for _, tc := range []struct {
				name string
				send func() int
			}{
				{"a body the spec refuses", func() int { st, _, _ := s.send(t, []byte(`{"unknown":true}`), true); return st }},
				{"trailing data", func() int {
					st, _, _ := s.send(t, []byte(strings.ReplaceAll(s.body, "ORDER-ID", "o-"+sim.NewID(4))+"}{x"), true)
					return st
				}},
				{"no credentials", func() int {
					r := httptest.NewRequest(http.MethodPost, "http://sandbox.test"+s.path, strings.NewReader(s.body))
					r.Header.Set("Content-Type", "application/json")
					w := httptest.NewRecorder()
					s.handler.ServeHTTP(w, r)
					return w.Code
				}},
			} {
				status := tc.send()
				require.GreaterOrEqual(t, status, 400, "%s is refused", tc.name)
				got := rec.Requests(1)
				require.Len(t, got, 1, "%s is on the timeline", tc.name)
				e := got[0]
				assert.Equal(t, sim.EventRequest, e.Kind, tc.name)
				assert.Equal(t, http.MethodPost, e.Method, tc.name)
				assert.Equal(t, s.path, e.Path, tc.name)
				assert.Equal(t, status, e.Status, tc.name)
				assert.True(t, e.Refused(), tc.name)
				assert.NotEmpty(t, strings.TrimSpace(e.Problem), "%s: the timeline says why", tc.name)
				t.Logf("%s: %d %s", tc.name, e.Status, e.Problem)
			}
		})
	}
}

// Issue 17: every webhook delivery appears in the timeline: a delivery the
// shop refuses, with the URL, the shop's status, its answer, the attempt,
// the signature headers and why it failed, on all five simulators.
func TestEveryWebhookDeliveryIsOnTheTimeline(t *testing.T) {
	t.Parallel()
	type started struct {
		p  checkout.Provider
		sb withTimeline
	}
	for name, start := range map[string]func(t *testing.T) started{
		"kassacompleet": func(t *testing.T) started {
			srv, sb, c, err := sbkassacompleet.NewTestServer(sbkassacompleet.Config{})
			require.NoError(t, err)
			t.Cleanup(srv.Close)
			return started{c.Checkout(), sb}
		},
		"opp": func(t *testing.T) started {
			srv, sb, c, err := sbopp.NewTestServer(sbopp.Config{}, opp.WithMerchantUID(sbopp.DefaultMerchantUID))
			require.NoError(t, err)
			t.Cleanup(srv.Close)
			return started{c.Checkout(), sb}
		},
		"multisafepay": func(t *testing.T) started {
			srv, sb, c, err := sbmultisafepay.NewTestServer(sbmultisafepay.Config{})
			require.NoError(t, err)
			t.Cleanup(srv.Close)
			return started{c.Checkout(), sb}
		},
		"buckaroo": func(t *testing.T) started {
			srv, sb, c, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{})
			require.NoError(t, err)
			t.Cleanup(srv.Close)
			return started{c.Checkout(), sb}
		},
		"ideal2": func(t *testing.T) started {
			srv, sb, c, err := sbideal2.NewTestServer(sbideal2.Config{})
			require.NoError(t, err)
			t.Cleanup(srv.Close)
			return started{c.Checkout(), sb}
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := start(t)
			t.Cleanup(s.sb.Webhooks().Close) // no retries after the test
			var hits atomic.Int32
			shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				http.Error(w, "shop database down", http.StatusInternalServerError)
			}))
			t.Cleanup(shop.Close)
			ctx := context.Background()
			created, err := s.p.Create(ctx, checkout.Request{Amount: 1250, Reference: "timeline-" + name, Description: "Order timeline",
				Method: checkout.MethodIDEAL, Issuer: "INGBNL2A", ReturnURL: "https://shop.example/return", WebhookURL: shop.URL + "/webhook"})
			require.NoError(t, err)
			// The page reports the failed delivery; the payment is paid anyway.
			_, _ = sim.PayAsCustomer(ctx, created.PaymentURL, sim.Pay)
			require.Eventually(t, func() bool { return hits.Load() > 0 }, 5*time.Second, 10*time.Millisecond, "the webhook went out")

			var webhooks []sim.Event
			require.Eventually(t, func() bool {
				webhooks = webhooks[:0]
				for _, e := range s.sb.Webhooks().Recorder().Events(created.ID) {
					if e.Kind == sim.EventWebhook && !e.Held {
						webhooks = append(webhooks, e)
					}
				}
				return len(webhooks) >= int(hits.Load())
			}, 5*time.Second, 10*time.Millisecond, "every attempt the shop saw is on the timeline")
			e := webhooks[0]
			assert.True(t, strings.HasPrefix(e.URL, shop.URL), "the URL: %q", e.URL)
			assert.Equal(t, http.StatusInternalServerError, e.Status, "the shop's status")
			assert.Contains(t, e.Answer, "shop database down", "the shop's answer")
			assert.Equal(t, 1, e.Attempt)
			assert.GreaterOrEqual(t, e.Attempts, 1)
			assert.False(t, e.Delivered)
			assert.NotEmpty(t, e.Problem, "why the attempt failed")
			if e.Attempts > 1 {
				assert.False(t, e.NextRetry.IsZero(), "when the next attempt goes")
			}
			if name != "kassacompleet" && name != "opp" { // their webhooks are not signed
				assert.NotEmpty(t, e.Headers, "the signature headers")
			}
			t.Logf("%d attempt(s); first: %d %q (%s)", len(webhooks), e.Status, e.Problem, e.URL)
		})
	}
}

// Buckaroo refuses a transaction with HTTP 200 and status 491: that
// refusal is on the timeline with its reason too.
func TestBuckaroos491RefusalIsOnTheTimeline(t *testing.T) {
	t.Parallel()
	var bq simulator
	for _, s := range simulators(t) {
		if s.name == "buckaroo" {
			bq = s
		}
	}
	require.NotNil(t, bq.handler)
	body := strings.Replace(bq.body, `"Action":"Pay"}`, `"Action":"Pay","Parameters":[{"Name":"issuer","Value":"ZZZZNL2A"}]}`, 1)
	require.NotEqual(t, bq.body, body)
	status, _, answer := bq.send(t, []byte(body), true)
	require.Equal(t, http.StatusOK, status, answer)
	require.Contains(t, answer, `"Code":491`)
	got := bq.handler.(withTimeline).Webhooks().Recorder().Requests(1)
	require.Len(t, got, 1)
	assert.Equal(t, http.StatusOK, got[0].Status)
	assert.Contains(t, got[0].Problem, "491")
	assert.Contains(t, got[0].Problem, "ZZZZNL2A", "the reason names the refused value")
}
