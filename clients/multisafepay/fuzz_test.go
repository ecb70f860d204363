package multisafepay

// Fuzz targets for what reaches this package from the network: signed
// notifications (ParseNotification and the WebhookHandler end to end)
// and error answers (toError). Run one with
//
//	go test -run='^$' -fuzz='^FuzzWebhookHandler$' -fuzztime=30s ./clients/multisafepay

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient/apiclienttest"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

const (
	fzAPIKey   = "fuzz-api-key-0123456789"
	fzSignedAt = 1700000000
)

type fzNotification struct {
	apiKey string
	body   []byte
	auth   string
	at     int64
}

// notificationSeeds are MultiSafepay's own signed vectors (when the team's
// shared folder is there) and order bodies from the fixtures.
func notificationSeeds(f *testing.F) []fzNotification {
	var out []fzNotification
	dir := filepath.Join("..", "..", "..", "shared", "vectors", "multisafepay")
	if data, err := os.ReadFile(filepath.Join(dir, "msp_hmac_vectors.json")); err == nil {
		var vs map[string]struct {
			APIKey      string `json:"api_key"`
			AuthHeader  string `json:"auth_header"`
			PayloadFile string `json:"payload_file"`
		}
		if err := json.Unmarshal(data, &vs); err != nil {
			f.Fatal(err)
		}
		names := make([]string, 0, len(vs))
		for name := range vs {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			v := vs[name]
			body, err := os.ReadFile(filepath.Join(dir, v.PayloadFile))
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, fzNotification{v.APIKey, body, v.AuthHeader, fzTimestamp(v.AuthHeader)})
		}
	}
	list, err := fixtures.Load("multisafepay")
	if err != nil {
		f.Fatal(err)
	}
	for _, fx := range list {
		// Order answers carry {"success":true,"data":{order}}; a notification is the order itself.
		if fx.Response == nil || fx.OperationID != "getOrder" && fx.OperationID != "createOrder" {
			continue
		}
		var env struct {
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(fx.Response.BodyBytes(), &env) == nil && len(env.Data) > 0 {
			out = append(out, fzNotification{fzAPIKey, env.Data, "", fzSignedAt})
		}
	}
	for _, body := range []string{`{"order_id":"my-order-1","status":"completed","amount":1000}`, `{"order_id":""}`, `{"order_id":12}`, `[]`, `null`, ``} {
		out = append(out, fzNotification{fzAPIKey, []byte(body), "", fzSignedAt})
	}
	return out
}

// fzTimestamp reads the unix time out of an Auth header; 0 if there is none.
func fzTimestamp(auth string) int64 {
	raw, err := base64.StdEncoding.DecodeString(auth)
	if err != nil {
		return 0
	}
	ts, _, _ := strings.Cut(string(raw), ":")
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return 0
	}
	return secs
}

// fzAuthentic decides independently of the verifier whether a notification
// is genuine and fresh: the Auth header is exactly the one MultiSafepay
// makes with this key for this body, and its time is within ten minutes.
func fzAuthentic(apiKey string, body []byte, auth string, now int64) bool {
	ts := fzTimestamp(auth)
	if apiKey == "" || ts < 0 || ts >= 1e12 || signing.SignMultiSafepayNotification(apiKey, body, time.Unix(ts, 0)) != auth {
		return false
	}
	d := now - ts
	return d <= 600 && d >= -600
}

// fzInput turns fuzz arguments into a notification: the Auth header as
// given or, with sign, as MultiSafepay would make it at signedAt; the clock
// reads signedAt plus skew.
func fzInput(apiKey string, body []byte, auth string, signedAt, skew int64, sign bool) (string, int64) {
	signedAt %= 1e12
	if signedAt < 0 {
		signedAt += 1e12
	}
	if sign {
		auth = signing.SignMultiSafepayNotification(apiKey, body, time.Unix(signedAt, 0))
	}
	return auth, signedAt + skew%(1<<31)
}

func fzRequest(method string, body []byte, auth string) *http.Request {
	req := httptest.NewRequest(method, "/msp/notify", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set(signing.MultiSafepayNotificationHeader, auth)
	}
	return req
}

// fzClient is a client with apiKey; nil for a key New refuses (empty).
func fzClient(t *testing.T, apiKey string) *Client {
	c, err := New(apiKey, WithBaseURL("http://127.0.0.1:1/v1/json"))
	if err != nil {
		if !errors.Is(err, betaalkit.ErrConfig) || apiKey != "" {
			t.Fatalf("New(%q): %v", apiKey, err)
		}
		return nil
	}
	return c
}

// ParseNotification on any key, body, Auth header and clock: it returns an
// order only for a genuine, fresh notification with an order_id; it judges
// the body (ErrNotificationBody) only after the signature verified; any
// other refusal is a verification error; the key never shows in an error.
func FuzzParseNotification(f *testing.F) {
	for _, s := range notificationSeeds(f) {
		if s.auth != "" {
			f.Add(s.apiKey, s.body, s.auth, s.at, int64(120), false)
			f.Add(s.apiKey, s.body, s.auth, s.at, int64(3600), false)
		}
		f.Add(s.apiKey, s.body, "", s.at, int64(0), true)
	}
	f.Add("", []byte(`{"order_id":"1"}`), "", int64(fzSignedAt), int64(0), true)
	f.Add(fzAPIKey, []byte(`{"order_id":"1"}`), "MTcwMDAwMDAwMDo=", int64(fzSignedAt), int64(0), false)
	f.Fuzz(func(t *testing.T, apiKey string, body []byte, auth string, signedAt, skew int64, sign bool) {
		c := fzClient(t, apiKey)
		if c == nil {
			return
		}
		auth, now := fzInput(apiKey, body, auth, signedAt, skew, sign)
		authentic := fzAuthentic(apiKey, body, auth, now)
		n, err := c.ParseNotification(fzRequest(http.MethodPost, body, auth), betaalkit.WebhookClock(func() time.Time { return time.Unix(now, 0) }))
		switch {
		case err == nil:
			if !authentic {
				t.Fatalf("accepted a notification that is not genuine and fresh: %q with %q", body, auth)
			}
			var order Order
			if n == nil || n.OrderID == "" || json.Unmarshal(body, &order) != nil || order.OrderID != n.OrderID {
				t.Fatalf("accepted %q as order %+v", body, n)
			}
		case errors.Is(err, ErrNotificationBody):
			if !authentic {
				t.Fatalf("judged the body of an unverified notification: %v", err)
			}
		default:
			if !errors.Is(err, betaalkit.ErrVerification) {
				t.Fatalf("refusal is not a verification error: %v", err)
			}
			if authentic {
				t.Fatalf("refused a genuine, fresh notification: %v", err)
			}
		}
		if err != nil && len(apiKey) >= 8 && !bytes.Contains(body, []byte(apiKey)) && strings.Contains(err.Error(), apiKey) {
			t.Fatalf("error shows the API key: %v", err)
		}
	})
}

// The webhook handler end to end, on any key, body, header, clock and
// method. Each input is served twice; the shop's callback fails the first
// time. The callback runs only for a genuine, fresh POSTed order; its
// failure answers 500 (MultiSafepay retries) and the retry 200 "OK"; a
// verified body that is not an order answers 400, anything not genuine or
// stale 401, not a POST 405. Every refusal reaches OnReject once, with the
// status it answered.
func FuzzWebhookHandler(f *testing.F) {
	for _, s := range notificationSeeds(f) {
		if s.auth != "" {
			f.Add(s.apiKey, s.body, s.auth, s.at, int64(120), false, uint8(0))
		}
		f.Add(s.apiKey, s.body, "", s.at, int64(0), true, uint8(0))
	}
	f.Add(fzAPIKey, []byte(`{"order_id":"1"}`), "", int64(fzSignedAt), int64(0), true, uint8(1))
	f.Add(fzAPIKey, []byte(`{"order_id":"1"}`), "", int64(fzSignedAt), int64(601), true, uint8(0))
	methods := []string{http.MethodPost, http.MethodGet, http.MethodPut, "post"}
	quiet := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, apiKey string, body []byte, auth string, signedAt, skew int64, sign bool, m uint8) {
		c := fzClient(t, apiKey)
		if c == nil {
			return
		}
		c.logger = quiet
		method := methods[int(m)%len(methods)]
		auth, now := fzInput(apiKey, body, auth, signedAt, skew, sign)
		authentic := fzAuthentic(apiKey, body, auth, now)
		var calls []string
		var rejected []int
		h := c.WebhookHandler(func(ctx context.Context, o *Order) error {
			if o == nil || o.OrderID == "" {
				t.Fatalf("callback got a notification without order_id")
			}
			calls = append(calls, o.OrderID.String())
			if len(calls) == 1 {
				return errors.New("shop database down")
			}
			return nil
		}, betaalkit.WebhookClock(func() time.Time { return time.Unix(now, 0) }),
			betaalkit.OnReject(func(_ *http.Request, r betaalkit.WebhookRejection) { rejected = append(rejected, r.HTTPStatus) }))
		var codes []int
		var last *httptest.ResponseRecorder
		for range 2 {
			last = httptest.NewRecorder()
			h.ServeHTTP(last, fzRequest(method, body, auth))
			codes = append(codes, last.Code)
		}
		var want []int
		switch {
		case method != http.MethodPost:
			want = []int{405, 405}
		case !authentic:
			want = []int{401, 401}
		case len(calls) == 0:
			want = []int{400, 400}
		default:
			want = []int{500, 200}
			if last.Body.String() != "OK" {
				t.Fatalf("a processed notification answered %q", last.Body.String())
			}
		}
		if codes[0] != want[0] || codes[1] != want[1] {
			t.Fatalf("%s %q with %q (authentic %v): answers %v, want %v", method, body, auth, authentic, codes, want)
		}
		var refused []int
		for _, code := range codes {
			if code != http.StatusOK {
				refused = append(refused, code)
			}
		}
		if fmt.Sprint(refused) != fmt.Sprint(rejected) {
			t.Fatalf("answered %v, OnReject saw %v", codes, rejected)
		}
		if len(calls) > 0 && (len(calls) != 2 || calls[0] != calls[1]) {
			t.Fatalf("callback calls %q", calls)
		}
	})
}

// toError on any status and body returns an *Error (a betaalkit.APIError
// matching ErrAPI) with that status and the exact raw body; an error
// envelope's error_code and error_info survive the trip.
func FuzzToError(f *testing.F) {
	for _, seed := range apiclienttest.ErrorSeeds(f, provider) {
		f.Add(seed.StatusCode, seed.Body, 0, "")
	}
	f.Add(404, []byte(`{"success":false,"data":{},"error_code":1006,"error_info":"Invalid transaction ID"}`), 0, "")
	f.Add(401, []byte(`{"success":false,"data":[],"error_code":"1032","error_info":"Invalid API key"}`), 0, "")
	f.Add(400, []byte(`{"success":false,"error_code":{"a":1}}`), 0, "")
	f.Add(400, []byte(`{"success":false,"error_code":1e3}`), 0, "")
	f.Add(502, []byte("<html><body>Bad Gateway</body></html>"), 0, "")
	f.Add(500, []byte(nil), 1000, "Unknown")
	f.Fuzz(func(t *testing.T, status int, body []byte, code int, info string) {
		_ = fzCheckError(t, status, body).Error()

		if !utf8.ValidString(info) {
			return
		}
		env, err := json.Marshal(map[string]any{"success": false, "data": map[string]any{}, "error_code": code, "error_info": info})
		if err != nil {
			t.Fatal(err)
		}
		e := fzCheckError(t, status, env)
		if e.Code != ErrorCode(code) || e.Info != info || !HasCode(e, ErrorCode(code)) {
			t.Fatalf("envelope %s read as code %d info %q", env, e.Code, e.Info)
		}
	})
}

func fzCheckError(t *testing.T, status int, body []byte) *Error {
	return apiclienttest.CheckError[*Error](t, provider, toError, status, body)
}
