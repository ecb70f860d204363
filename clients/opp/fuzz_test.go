package opp

// Fuzz targets for what reaches this package from the network: the
// unsigned notification through the WebhookHandler end to end
// (ParseNotification alone is fuzzed in notification_test.go) and error
// answers (toError). Run one with
//
//	go test -run='^$' -fuzz='^FuzzWebhookHandler$' -fuzztime=30s ./clients/opp

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
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/betaalkit/betaalkit/internal/apiclient/apiclienttest"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

const fzAPIKey = "fuzz-api-key"

// fzAPI is a stand-in OPP API (no network): it records every request and
// answers a GET of /v1/transactions/{uid} with a transaction of that uid
// whose merchant_uid marks it as the API's answer, or 404 when down.
type fzAPI struct {
	down     bool
	requests []*http.Request
}

func (a *fzAPI) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	a.requests = append(a.requests, r)
	status, body := http.StatusNotFound, `{"error":{"code":404,"message":"not found"}}`
	if uid, ok := strings.CutPrefix(r.URL.Path, "/v1/transactions/"); ok && !a.down {
		b, _ := json.Marshal(map[string]any{
			"uid": uid, "object": "transaction", "status": "created",
			"merchant_uid": fmt.Sprintf("from-the-api-%d", len(a.requests)),
		})
		status, body = http.StatusOK, string(b)
	}
	return &http.Response{
		StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r,
	}, nil
}

// The notification handler end to end, on any body and method, with the
// API up or down. The notification is unsigned, so: for a transaction, the
// shop's callback only ever gets the transaction the API returned, fetched
// by object_uid with one authenticated GET on the client's own base URL
// (object_url, whatever host it names, is never followed); for another
// object the callback does not run, nothing is fetched and the answer is
// 200. Each input is served twice and the callback fails the first time
// (500, then 200). Not a POST: 405; not a notification: 400; transaction
// not fetched: 502.
func FuzzWebhookHandler(f *testing.F) {
	list, err := fixtures.Load("opp")
	if err != nil {
		f.Fatal(err)
	}
	for _, fx := range list {
		if fx.Schema == "Notification" && fx.Request != nil {
			f.Add(fx.Request.BodyBytes(), uint8(0), false)
		}
	}
	for _, s := range []string{
		`{"uid":"not_1","type":"transaction.status.changed","created":1508604719,"object_uid":"tra_1a2b3c2cf578","object_type":"transaction","object_url":"https://evil.example/v1/transactions/tra_1"}`,
		`{"object_uid":"mer_1","object_type":"merchant"}`,
		`{"object_uid":"../x","object_type":"transaction"}`,
		`{"object_uid":"tra_1","object_type":""}`,
		`{"object_uid":12,"object_type":"transaction"}`,
		`[]`, `null`, ``,
	} {
		f.Add([]byte(s), uint8(0), false)
	}
	f.Add([]byte(`{"object_uid":"tra_1","object_type":"transaction"}`), uint8(0), true)
	f.Add([]byte(`{"object_uid":"tra_1","object_type":"transaction"}`), uint8(1), false)
	methods := []string{http.MethodPost, http.MethodGet, http.MethodPut, "post"}
	f.Fuzz(func(t *testing.T, body []byte, m uint8, down bool) {
		method := methods[int(m)%len(methods)]
		api := &fzAPI{down: down}
		c, err := New(fzAPIKey, WithHTTPClient(&http.Client{Transport: api}), WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		var got []*Transaction
		h := c.WebhookHandler(func(ctx context.Context, tx *Transaction) error {
			got = append(got, tx)
			if len(got) == 1 {
				return errors.New("shop database down")
			}
			return nil
		})
		var codes []int
		for range 2 {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(method, "/notify", bytes.NewReader(body)))
			codes = append(codes, w.Code)
		}
		n, perr := ParseNotification(body)
		isTx := perr == nil && n.ObjectType == ObjectTypeTransaction

		for _, r := range api.requests {
			if !isTx || method != http.MethodPost {
				t.Fatalf("%s %q caused an API request %s", method, body, r.URL)
			}
			if r.Method != http.MethodGet || r.URL.Scheme != "https" || r.URL.Host != "api-sandbox.onlinebetaalplatform.nl" ||
				r.URL.EscapedPath() != "/v1/transactions/"+n.ObjectUID || r.URL.RawQuery != "" {
				t.Fatalf("object_uid %q was fetched as %s %s", n.ObjectUID, r.Method, r.URL)
			}
			if user, pass, ok := r.BasicAuth(); !ok || user != fzAPIKey || pass != "" {
				t.Fatalf("API request without the API key: %q", r.Header.Get("Authorization"))
			}
		}
		var want []int
		switch {
		case method != http.MethodPost:
			want = []int{405, 405}
		case perr != nil:
			want = []int{400, 400}
		case !isTx:
			want = []int{200, 200}
		case down:
			want = []int{502, 502}
		default:
			want = []int{500, 200}
		}
		if codes[0] != want[0] || codes[1] != want[1] {
			t.Fatalf("%s %q (API down %v): answers %v, want %v", method, body, down, codes, want)
		}
		if want[0] != 500 {
			if len(got) != 0 {
				t.Fatalf("callback ran for answers %v", codes)
			}
			return
		}
		if len(got) != 2 {
			t.Fatalf("%d callbacks", len(got))
		}
		for i, tx := range got {
			if tx == nil || tx.UID != n.ObjectUID || tx.MerchantUID != fmt.Sprintf("from-the-api-%d", i+1) {
				t.Fatalf("callback got a transaction that is not the API's answer: %+v", tx)
			}
		}
		if isTx && len(api.requests) != 2 || !isTx && len(api.requests) != 0 {
			t.Fatalf("%d API requests for two deliveries", len(api.requests))
		}
	})
}

// toError on any status and body returns an *Error (a betaalkit.APIError
// matching ErrAPI) with that status and the exact raw body; the envelope's
// code and message survive the trip; a 409 is ErrConcurrentRequest.
func FuzzToError(f *testing.F) {
	for _, seed := range apiclienttest.ErrorSeeds(f, provider) {
		f.Add(seed.StatusCode, seed.Body, 0, "")
	}
	f.Add(409, []byte(`{"error":{"code":1200,"message":"concurrent request"}}`), 0, "")
	f.Add(400, []byte(`{"error":{"code":"1935","message":"missing merchant_uid"}}`), 0, "")
	f.Add(400, []byte(`{"error":{"code":null}}`), 0, "")
	f.Add(400, []byte(`{"error":[]}`), 0, "")
	f.Add(502, []byte("<html><body>Bad Gateway</body></html>"), 0, "")
	f.Add(500, []byte(nil), 500, "Internal")
	f.Fuzz(func(t *testing.T, status int, body []byte, code int, message string) {
		_ = fzCheckError(t, status, body).Error()

		if !utf8.ValidString(message) {
			return
		}
		env, err := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": message}})
		if err != nil {
			t.Fatal(err)
		}
		e := fzCheckError(t, status, env)
		if e.Code != strconv.Itoa(code) || e.Message != message {
			t.Fatalf("envelope %s read as %+v", env, e)
		}
	})
}

func fzCheckError(t *testing.T, status int, body []byte) *Error {
	t.Helper()
	e := apiclienttest.CheckError[*Error](t, provider, toError, status, body)
	if errors.Is(e, ErrConcurrentRequest) != (status == http.StatusConflict) {
		t.Fatalf("HTTP %d: errors.Is(ErrConcurrentRequest) = %v", status, status != http.StatusConflict)
	}
	return e
}
