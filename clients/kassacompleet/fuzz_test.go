package kassacompleet

// Fuzz targets for what reaches this package from the network: the
// unsigned status-change webhook (ParseWebhook and the WebhookHandler end
// to end) and error answers (toError). Run one with
//
//	go test -run='^$' -fuzz='^FuzzWebhookHandler$' -fuzztime=30s ./clients/kassacompleet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/internal/apiclient/apiclienttest"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

const fzAPIKey = "fuzz-api-key"

var fzMethods = []string{http.MethodPost, http.MethodGet, http.MethodPut, "post"}

// webhookSeeds are the fixture's webhook, bodies that are not webhooks and
// order ids that must not become paths.
func webhookSeeds(f *testing.F) [][]byte {
	list, err := fixtures.Load("kassacompleet")
	if err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	for _, fx := range list {
		if fx.Schema == "WebhookEvent" && fx.Request != nil {
			out = append(out, fx.Request.BodyBytes())
		}
	}
	for _, s := range []string{
		`{"event":"status_changed","order_id":"f520537f-e8ca-4c92-8d9b-2118eb5022cf","status":"completed"}`,
		`{"order_id":""}`, `{"order_id":12}`, `{"order_id":".."}`, `{"order_id":"."}`, `{"order_id":"a/../../b"}`,
		`{"order_id":"../orders"}`, `{"order_id":"x?y=1#z"}`, `{"order_id":"%2e%2e"}`, `{"order_id":"a\u0000b"}`,
		`{"order_id":"//evil.example/x"}`, `{"order_id":"@evil.example"}`, `{"order_id":" "}`, `{"order_id":"é"}`,
		`[]`, `null`, ``, `{"order_id":"1"} {"order_id":"2"}`,
	} {
		out = append(out, []byte(s))
	}
	return out
}

// ParseWebhook on any body: it accepts only a JSON event whose order_id
// is the body's own and can stand as an order's id; an accepted event
// re-encodes and parses back to the same event.
func FuzzParseWebhook(f *testing.F) {
	for _, body := range webhookSeeds(f) {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseWebhook(body)
		if err != nil {
			return
		}
		var want WebhookEvent
		if json.Unmarshal(body, &want) != nil || ev.OrderID == "" || ev.OrderID != want.OrderID ||
			apiclient.CheckPathID("order_id", ev.OrderID) != nil {
			t.Fatalf("%q accepted as %+v", body, ev)
		}
		again, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		ev2, err := ParseWebhook(again)
		if err != nil || ev2.OrderID != ev.OrderID || ev2.Event != ev.Event {
			t.Fatalf("re-encoded %s parsed as %+v, %v", again, ev2, err)
		}
	})
}

// fzAPI is a stand-in Kassa Compleet API (no network): it records every
// request and answers a GET of /v1/orders/{id}/ with an order of that id
// whose merchant_order_id marks it as the API's answer, or 404 when down.
type fzAPI struct {
	down     bool
	requests []*http.Request
}

func (a *fzAPI) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	a.requests = append(a.requests, r)
	status, body := http.StatusNotFound, `{"error":{"status":404,"type":"NotFound","value":"order not found"}}`
	seg, ok := strings.CutPrefix(r.URL.EscapedPath(), "/v1/orders/")
	seg, ok2 := strings.CutSuffix(seg, "/")
	id, err := url.PathUnescape(seg)
	if !a.down && ok && ok2 && err == nil {
		b, _ := json.Marshal(map[string]any{
			"id": id, "amount": 995, "currency": "EUR", "status": "processing",
			"merchant_order_id": fmt.Sprintf("from-the-api-%d", len(a.requests)),
		})
		status, body = http.StatusOK, string(b)
	}
	return &http.Response{
		StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r,
	}, nil
}

// The webhook handler end to end, on any body and method, with the API up
// or down. The webhook is unsigned, so: the shop's callback only ever gets
// the order the API returned (never the body's claims), for exactly the
// order_id the webhook named, fetched with one authenticated GET of
// /v1/orders/{id}/ on the API's own host, the id one escaped path segment.
// An id that cannot be a path segment is never sent (ParseWebhook refuses
// it). Each input is served twice and the callback fails the first time
// (500, then 200). Not a POST: 405; not a webhook: 400; no order: 502.
func FuzzWebhookHandler(f *testing.F) {
	for _, body := range webhookSeeds(f) {
		f.Add(body, uint8(0), false)
	}
	f.Add([]byte(`{"order_id":"1"}`), uint8(0), true)
	f.Add([]byte(`{"order_id":"1"}`), uint8(1), false)
	f.Fuzz(func(t *testing.T, body []byte, m uint8, down bool) {
		method := fzMethods[int(m)%len(fzMethods)]
		api := &fzAPI{down: down}
		c, err := New(fzAPIKey, WithHTTPClient(&http.Client{Transport: api}), WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		var got []*Order
		h := c.WebhookHandler(func(ctx context.Context, o *Order) error {
			got = append(got, o)
			if len(got) == 1 {
				return errors.New("shop database down")
			}
			return nil
		})
		var codes []int
		for range 2 {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(method, "/webhook", bytes.NewReader(body)))
			codes = append(codes, w.Code)
		}
		ev, perr := ParseWebhook(body)

		for _, r := range api.requests {
			if perr != nil || method != http.MethodPost {
				t.Fatalf("%s %q (not a webhook) caused an API request %s", method, body, r.URL)
			}
			seg, ok := strings.CutPrefix(r.URL.EscapedPath(), "/v1/orders/")
			seg, ok2 := strings.CutSuffix(seg, "/")
			id, err := url.PathUnescape(seg)
			if r.Method != http.MethodGet || r.URL.Scheme != "https" || r.URL.Host != "api.kassacompleet.nl" ||
				r.URL.RawQuery != "" || r.URL.Fragment != "" || !ok || !ok2 || strings.Contains(seg, "/") || err != nil || id != ev.OrderID {
				t.Fatalf("order_id %q was fetched as %s %s", ev.OrderID, r.Method, r.URL)
			}
			if user, pass, ok := r.BasicAuth(); !ok || user != fzAPIKey || pass != "" {
				t.Fatalf("API request without the API key: %q", r.Header.Get("Authorization"))
			}
			if bad := apiclient.CheckPathID("order_id", id); bad != nil {
				t.Fatalf("sent order_id %q that is no path segment: %v", id, bad)
			}
		}
		var want []int
		switch {
		case method != http.MethodPost:
			want = []int{405, 405}
		case perr != nil:
			want = []int{400, 400}
		case len(api.requests) == 0:
			t.Fatalf("order_id %q was never fetched", ev.OrderID)
		case down:
			want = []int{502, 502}
		default:
			want = []int{500, 200}
		}
		if codes[0] != want[0] || codes[1] != want[1] {
			t.Fatalf("%s %q (API down %v): answers %v, want %v", method, body, down, codes, want)
		}
		if want[0] == 500 {
			if len(got) != 2 || len(api.requests) != 2 {
				t.Fatalf("%d callbacks for %d API requests", len(got), len(api.requests))
			}
			for i, o := range got {
				if o.ID != ev.OrderID || o.MerchantOrderID != fmt.Sprintf("from-the-api-%d", i+1) || o.Status != "processing" {
					t.Fatalf("callback got an order that is not the API's answer: %+v", o)
				}
			}
		} else if len(got) != 0 {
			t.Fatalf("callback ran for an answer %v", codes)
		}
	})
}

// toError on any status and body returns an *Error (a betaalkit.APIError
// matching ErrAPI) with that status and the exact raw body; the envelope's
// status, type and value survive the trip.
func FuzzToError(f *testing.F) {
	for _, seed := range apiclienttest.ErrorSeeds(f, provider) {
		f.Add(seed.StatusCode, seed.Body, 0, "")
	}
	f.Add(404, []byte(`{"error":{"status":404,"type":"NotFound","value":"order not found"}}`), 0, "")
	f.Add(400, []byte(`{"error":{"status":"400","type":"ValidationError","value":"amount: required"}}`), 0, "")
	f.Add(401, []byte(`{"error":{"type":"AuthenticationError"}}`), 0, "")
	f.Add(400, []byte(`{"error":"bad"}`), 0, "")
	f.Add(502, []byte("<html><body>Bad Gateway</body></html>"), 0, "")
	f.Add(500, []byte(nil), 500, "Internal")
	f.Fuzz(func(t *testing.T, status int, body []byte, code int, value string) {
		_ = fzCheckError(t, status, body).Error()

		if !utf8.ValidString(value) {
			return
		}
		env, err := json.Marshal(map[string]any{"error": map[string]any{"status": code, "type": "ValidationError", "value": value}})
		if err != nil {
			t.Fatal(err)
		}
		e := fzCheckError(t, status, env)
		if e.Status != strconv.Itoa(code) || e.Type != "ValidationError" || e.Value != value {
			t.Fatalf("envelope %s read as %+v", env, e)
		}
	})
}

func fzCheckError(t *testing.T, status int, body []byte) *Error {
	return apiclienttest.CheckError[*Error](t, provider, toError, status, body)
}
