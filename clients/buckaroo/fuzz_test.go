package buckaroo

// Fuzz targets for what reaches this package from the network: pushes
// (ParsePush's parser and the WebhookHandler end to end) and error answers
// (toError). Run one with
//
//	go test -run='^$' -fuzz='^FuzzPushHandler$' -fuzztime=30s ./clients/buckaroo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
	fzWebsiteKey = "WEBSITE123"
	fzSecret     = "SECRETAPIKEY"
	fzPushURL    = "https://shop.example/buckaroo/push?order=1"
	fzNonce      = "abcdef0123456789"
	fzSignedAt   = 1500000000
	fzNow        = fzSignedAt + 60
)

// fzClient is a fresh client (so no nonce is remembered from another
// input) whose clock reads fzNow.
func fzClient(t testing.TB) *Client {
	c, err := New(fzWebsiteKey, fzSecret, WithSigningOptions(signing.BuckarooClock(func() time.Time { return time.Unix(fzNow, 0) })),
		WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fzSign is the Authorization header Buckaroo sends with a push of body.
func fzSign(t testing.TB, body []byte) string {
	h, err := signing.BuckarooAuthorization(fzWebsiteKey, fzSecret, http.MethodPost, fzPushURL, fzNonce, fzSignedAt, body)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// fzAuthentic decides independently of the verifier whether a push is
// genuine and fresh: its header is exactly what the signer makes with the
// secret key for this body and push URL, at most five minutes from now.
func fzAuthentic(body []byte, auth string) bool {
	h, err := signing.ParseBuckarooHeader(auth)
	if err != nil {
		return false
	}
	ts, err := h.Time()
	if err != nil {
		return false
	}
	want, err := signing.BuckarooAuthorization(fzWebsiteKey, fzSecret, http.MethodPost, fzPushURL, h.Nonce, ts.Unix(), body)
	d := fzNow - ts.Unix()
	return err == nil && want == auth && d <= 300 && d >= -300
}

// pushSeeds are push bodies: the fixtures' pushes, the negative fixture and
// bodies that are JSON but not pushes.
func pushSeeds(f *testing.F) [][]byte {
	list, err := fixtures.Load("buckaroo")
	if err != nil {
		f.Fatal(err)
	}
	invalid, err := fixtures.LoadInvalid("buckaroo")
	if err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	for _, fx := range append(list, invalid...) {
		if fx.Schema == "Push" && fx.Request != nil {
			out = append(out, fx.Request.BodyBytes())
		}
	}
	return append(out,
		[]byte(`{"Transaction":{"Key":"B3E81DCB894A43619AD8CCE5A10F5xxx","Status":{"Code":{"Code":190}}}}`),
		[]byte(`{"Transaction":{"Key":""}}`),
		[]byte(`{"Transaction":{"Key":"K"}} trailing`),
		[]byte(`{"Transaction":{"Key":"K","AmountDebit":"8.00"}}`),
		[]byte(`{"Transaction":null}`),
		[]byte(`null`),
		[]byte(`[]`),
		nil,
	)
}

// ParsePush's parser on any body and header: it accepts only a genuine,
// fresh push that names a transaction; it calls a body "not a push"
// (ErrPushBody) only after the signature verified; any other refusal is a
// verification error; a harness-signed push always verifies.
func FuzzParsePush(f *testing.F) {
	for _, body := range pushSeeds(f) {
		f.Add(body, fzSign(f, body), false)
		f.Add(body, "", true)
	}
	f.Add([]byte(`{"Transaction":{"Key":"K"}}`), "hmac WEBSITE123:Hw0aw3Nd5g5Jg9Mv50h+vy+qS34hE+xAz4CfISejm5A=:abcdef0123456789:1500000000", false)
	f.Fuzz(func(t *testing.T, body []byte, auth string, sign bool) {
		if sign {
			auth = fzSign(t, body)
		}
		authentic := fzAuthentic(body, auth)
		c := fzClient(t)
		tx, _, err := parsePush(c.verifier, fzPushURL, body, auth)
		switch {
		case err == nil:
			if !authentic {
				t.Fatalf("accepted a push that is not genuine: %q with %q", body, auth)
			}
			if tx == nil || tx.Key == "" {
				t.Fatalf("accepted a push without a transaction key: %q", body)
			}
			var p Push
			if json.NewDecoder(bytes.NewReader(body)).Decode(&p) != nil || p.Transaction.Key != tx.Key {
				t.Fatalf("transaction key %q is not the body's", tx.Key)
			}
		case errors.Is(err, ErrPushBody):
			if !authentic {
				t.Fatalf("judged the body of an unverified push: %v", err)
			}
		default:
			if !errors.Is(err, betaalkit.ErrVerification) {
				t.Fatalf("refusal is not a verification error: %v", err)
			}
			if authentic {
				t.Fatalf("refused a genuine push: %v", err)
			}
		}
		if err != nil && strings.Contains(err.Error(), fzSecret) {
			t.Fatalf("error shows the secret key: %v", err)
		}
	})
}

// The push handler end to end, on any body, header and method. Each input
// is served three times; the shop's callback fails the first time. Then:
// the callback runs only for a genuine, fresh POSTed push; its failure
// answers 500 and lets Buckaroo's retry through (200); a third delivery is
// a replay, acknowledged (200) without reaching the callback. A body that verifies but
// is not a push answers 400 each time; anything not genuine 401; not a
// POST 405.
func FuzzPushHandler(f *testing.F) {
	for _, body := range pushSeeds(f) {
		f.Add(body, fzSign(f, body), false, uint8(0))
		f.Add(body, "", true, uint8(0))
	}
	f.Add([]byte(`{"Transaction":{"Key":"K","Status":{"Code":{"Code":190}}}}`), "", true, uint8(1))
	f.Add([]byte(`{"Transaction":{"Key":"K","Status":{"Code":{"Code":190}}}}`), "", true, uint8(3))
	f.Add([]byte(`{"Transaction":{"Key":"K"}}`), "hmac a:b:c:d", false, uint8(0))
	methods := []string{http.MethodPost, http.MethodGet, http.MethodPut, "post"}
	f.Fuzz(func(t *testing.T, body []byte, auth string, sign bool, m uint8) {
		method := methods[int(m)%len(methods)]
		if sign {
			auth = fzSign(t, body)
		}
		authentic := fzAuthentic(body, auth)
		c := fzClient(t)
		var calls []string
		rejections := 0
		h := c.WebhookHandler(func(ctx context.Context, tx *Transaction) error {
			if tx == nil || tx.Key == "" {
				t.Fatalf("callback got a transaction without a key")
			}
			calls = append(calls, tx.Key)
			if len(calls) == 1 {
				return errors.New("shop database down")
			}
			return nil
		}, betaalkit.WebhookURL(fzPushURL), betaalkit.OnReject(func(*http.Request, betaalkit.WebhookRejection) { rejections++ }))
		serve := func() int {
			req := httptest.NewRequest(method, fzPushURL, bytes.NewReader(body))
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			return w.Code
		}
		codes := []int{serve(), serve(), serve()}
		var want []int
		switch {
		case method != http.MethodPost:
			want = []int{405, 405, 405}
		case !authentic:
			want = []int{401, 401, 401}
		case len(calls) == 0:
			want = []int{400, 400, 400} // verified, not a push; the nonce is released
		default:
			want = []int{500, 200, 200}
		}
		if !equalInts(codes, want) {
			t.Fatalf("%s %q with %q (authentic %v): answers %v, want %v", method, body, auth, authentic, codes, want)
		}
		refused := 0
		for _, code := range codes {
			if code != http.StatusOK {
				refused++
			}
		}
		if rejections != refused {
			t.Fatalf("OnReject called %d times for %d refusals", rejections, refused)
		}
		if len(calls) > 0 && (len(calls) != 2 || calls[0] != calls[1]) {
			t.Fatalf("callback calls %q", calls)
		}
		if sign && method == http.MethodPost && codes[0] == 401 {
			t.Fatalf("a genuine push was refused")
		}
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// toError on any status and body returns an *Error (a betaalkit.APIError
// matching ErrAPI) with that status and the exact raw body; and the
// envelope's Message and RequestErrors entries survive the trip.
func FuzzToError(f *testing.F) {
	for _, seed := range apiclienttest.ErrorSeeds(f, provider) {
		f.Add(seed.StatusCode, seed.Body, "")
	}
	f.Add(400, []byte(`{"Message":"The request is invalid.","ModelState":{"request.Services":["required"]}}`), "")
	f.Add(400, []byte(`{"RequestErrors":{"ParameterErrors":[{"Service":"capayable","Action":"Pay","Name":"Amount","Error":"ParameterInvalid","ErrorMessage":"bad"}]}}`), "")
	f.Add(401, []byte(`{"Message":null}`), "")
	f.Add(502, []byte("<html><body>Bad Gateway</body></html>"), "")
	f.Add(500, []byte(nil), "")
	f.Add(-1, []byte(`{"Message":1}`), "x")
	f.Add(404, []byte(`{"RequestErrors":{"ChannelErrors":null,"ServiceErrors":[null]}}`), "")
	f.Fuzz(func(t *testing.T, status int, body []byte, message string) {
		e := fzCheckError(t, status, body)
		_ = e.Error()

		if !utf8.ValidString(message) {
			return
		}
		env, err := json.Marshal(map[string]any{
			"Message":       message,
			"RequestErrors": map[string]any{"ParameterErrors": []map[string]string{{"Name": "Amount", "ErrorMessage": message}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		e = fzCheckError(t, status, env)
		if e.Message != message || len(e.Details) != 1 || e.Details[0].Kind != "ParameterErrors" || e.Details[0].ErrorMessage != message || e.Details[0].Name != "Amount" {
			t.Fatalf("envelope %s read as %+v", env, e)
		}
	})
}

func fzCheckError(t *testing.T, status int, body []byte) *Error {
	return apiclienttest.CheckError[*Error](t, provider, toError, status, body)
}
