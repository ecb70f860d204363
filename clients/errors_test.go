package clients_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	"github.com/betaalkit/betaalkit/signing"
)

// kinds are the error kinds; every error matches exactly one.
var kinds = map[string]error{
	"ErrInvalidRequest": betaalkit.ErrInvalidRequest,
	"ErrTransport":      betaalkit.ErrTransport,
	"ErrAPI":            betaalkit.ErrAPI,
	"ErrDecode":         betaalkit.ErrDecode,
	"ErrVerification":   betaalkit.ErrVerification,
}

// assertKind checks that err matches want and no other kind.
func assertKind(t *testing.T, err error, want error) {
	t.Helper()
	require.Error(t, err)
	for name, kind := range kinds {
		if kind == want {
			assert.ErrorIs(t, err, kind, "%v", err)
		} else {
			assert.False(t, errors.Is(err, kind), "%v also matches %s", err, name)
		}
	}
}

// TestOneErrorModel: every provider reports the same kinds of failure the
// same way.
func TestOneErrorModel(t *testing.T) {
	t.Parallel()
	forEachProvider(t, func(t *testing.T, p provider) {
		fs := newFaultServer(t, p)
		c := fs.client(t, clientOptions{Retry: fastRetry(3)})
		id, err := c.Create(context.Background())
		require.NoError(t, err)

		checkAPIError := func(t *testing.T, err error, cl call, status int, wantCode bool) {
			t.Helper()
			assertKind(t, err, betaalkit.ErrAPI)
			own, ok := p.asError(err)
			require.True(t, ok, "errors.As *%s.Error: %v", p.name, err)
			var apiErr betaalkit.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Same(t, own, apiErr, "one error, seen two ways")
			assert.Equal(t, p.name, apiErr.Provider())
			assert.Equal(t, status, apiErr.HTTPStatus())
			assert.NotEmpty(t, apiErr.ProviderMessage(), "the sandbox sends a message")
			if wantCode {
				assert.NotEmpty(t, apiErr.ProviderCode(), "the sandbox sends a code")
			}
			_, body := fs.last(cl)
			require.NotEmpty(t, body)
			assert.Equal(t, string(body), string(apiErr.ResponseBody()), "the raw body")
			assert.True(t, strings.HasPrefix(err.Error(), p.name+": "+opOf(cl)+": HTTP "), "the error names the call: %v", err)
			t.Logf("%v (code %q)", err, apiErr.ProviderCode())
		}

		if p.credentialsRefusal != 0 {
			t.Run("wrong credentials", func(t *testing.T) {
				bad := fs.client(t, clientOptions{Retry: fastRetry(3), BadCredentials: true})
				fs.resetCounts()
				_, err := bad.Create(context.Background())
				assert.Equal(t, 1, fs.count(create), "a refusal is not retried")
				// Buckaroo's non-2xx answers carry a Message, no code.
				checkAPIError(t, err, create, p.credentialsRefusal, p.name != "buckaroo")
			})
		}

		t.Run("unknown payment", func(t *testing.T) {
			fs.resetCounts()
			err := c.Get(context.Background(), "unknown-"+id[:min(len(id), 8)])
			assert.Equal(t, 1, fs.count(get))
			checkAPIError(t, err, get, http.StatusNotFound, p.name != "buckaroo")
		})

		t.Run("server closed", func(t *testing.T) {
			closed := httptest.NewServer(http.NotFoundHandler())
			origin := closed.URL
			closed.Close()
			cc, err := fs.env.newClient(origin, clientOptions{Retry: fastRetry(2)})
			require.NoError(t, err)
			_, err = cc.Create(context.Background())
			assertKind(t, err, betaalkit.ErrTransport)
			var te *betaalkit.TransportError
			assert.ErrorAs(t, err, &te)
			assert.True(t, te.NotSent, "nothing listens: provably not sent")
			assert.True(t, strings.HasPrefix(err.Error(), p.name+": create payment: "), "the error names the call: %v", err)
			t.Logf("create: %v", err)
			err = cc.Get(context.Background(), id)
			assertKind(t, err, betaalkit.ErrTransport)
			assert.ErrorAs(t, err, &te)
		})

		for _, cl := range []call{create, get} {
			t.Run("malformed body of "+string(cl), func(t *testing.T) {
				fs.resetCounts()
				fs.inject(cl, fault{kind: brokenBody})
				if cl == create {
					_, err = c.Create(context.Background())
				} else {
					err = c.Get(context.Background(), id)
				}
				assertKind(t, err, betaalkit.ErrDecode)
				var de *betaalkit.DecodeError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, `{"broken`, string(de.RawBody), "the raw body is kept")
				assert.True(t, strings.HasPrefix(err.Error(), p.name+": "+opOf(cl)+": "), "the error names the call: %v", err)
				st := fs.sandboxStatuses(cl)
				require.Len(t, st, 1)
				assert.Equal(t, st[0], de.StatusCode)
				assert.Equal(t, 1, fs.count(cl), "a body that does not decode is not retried")
			})
		}

		t.Run("invalid request", func(t *testing.T) {
			fresh := fs.client(t, clientOptions{Retry: fastRetry(3)})
			fs.resetCounts()
			invalid := fresh.Invalid(context.Background())
			require.NotEmpty(t, invalid, "%s lists its invalid calls", p.name)
			for _, inv := range invalid {
				assertKind(t, inv.err, betaalkit.ErrInvalidRequest)
				var fe *betaalkit.FieldError
				if assert.ErrorAs(t, inv.err, &fe) {
					assert.Equal(t, inv.field, fe.Field, "%v", inv.err)
				}
			}
			assert.Equal(t, 0, fs.total(), "nothing was sent")
		})

		if p.verifiesResponses {
			for _, cl := range []call{create, get} {
				t.Run("tampered response to "+string(cl), func(t *testing.T) {
					fs.resetCounts()
					fs.inject(cl, fault{kind: tamperedBody})
					if cl == create {
						_, err = c.Create(context.Background())
					} else {
						err = c.Get(context.Background(), id)
					}
					assertKind(t, err, betaalkit.ErrVerification)
					assert.Equal(t, 1, fs.count(cl), "a forged answer is not retried")
				})
			}
		}
	})
}

// opOf is the common name of a call in errors.
func opOf(c call) string {
	if c == create {
		return "create payment"
	}
	return "get payment"
}

// TestWebhookVerification: a push or notification whose signature does not
// match its body is refused by the client's handler, and the verify
// function says why with betaalkit.ErrVerification.
func TestWebhookVerification(t *testing.T) {
	t.Parallel()
	t.Run("buckaroo push", func(t *testing.T) {
		t.Parallel()
		c, err := buckaroo.New(sbbuckaroo.DefaultWebsiteKey, sbbuckaroo.DefaultSecretKey, buckaroo.WithBaseURL("http://127.0.0.1:1"))
		require.NoError(t, err)
		const pushURL = "https://shop.example/buckaroo/push"
		body := []byte(`{"Transaction":{"Key":"4E8BD922192746C3918BF4077CXXXXXX","Invoice":"inv-1","Currency":"EUR","AmountDebit":8.00,"Status":{"Code":{"Code":190,"Description":"Success"}}}}`)
		sign := func(nonce string) string {
			h, err := signing.BuckarooAuthorization(sbbuckaroo.DefaultWebsiteKey, sbbuckaroo.DefaultSecretKey, http.MethodPost, pushURL, nonce, time.Now().Unix(), body)
			require.NoError(t, err)
			return h
		}
		var got []string
		h := c.WebhookHandler(func(_ context.Context, tx *buckaroo.Transaction) error {
			got = append(got, tx.Key)
			return nil
		}, betaalkit.WebhookURL(pushURL))
		send := func(auth string) int {
			req := httptest.NewRequest(http.MethodPost, pushURL, bytes.NewReader(body))
			req.Header.Set("Authorization", auth)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec.Code
		}
		require.Equal(t, http.StatusOK, send(sign("0000000000000001")), "a genuine push is accepted")

		tampered := []byte(sign("0000000000000002"))
		i := bytes.IndexByte(tampered, ':') + 3 // inside the base64 signature
		if tampered[i] == 'A' {
			tampered[i] = 'B'
		} else {
			tampered[i] = 'A'
		}
		assert.Equal(t, http.StatusUnauthorized, send(string(tampered)))
		assert.Len(t, got, 1, "the handler's function never sees the forged push")
		_, err = c.ParsePush(pushURL, body, string(tampered))
		assertKind(t, err, betaalkit.ErrVerification)
		assert.ErrorIs(t, err, signing.ErrSignatureMismatch)
	})

	t.Run("multisafepay notification", func(t *testing.T) {
		t.Parallel()
		c, err := multisafepay.New(sbmultisafepay.DefaultAPIKey, multisafepay.WithBaseURL("http://127.0.0.1:1/v1/json"))
		require.NoError(t, err)
		body := []byte(`{"order_id":"order-1","status":"completed","amount":1250,"currency":"EUR"}`)
		auth := signing.SignMultiSafepayNotification(sbmultisafepay.DefaultAPIKey, body, time.Now())
		var got []string
		h := c.WebhookHandler(func(_ context.Context, o *multisafepay.Order) error {
			got = append(got, o.OrderID.String())
			return nil
		})
		request := func(b []byte, auth string) *http.Request {
			req := httptest.NewRequest(http.MethodPost, "https://shop.example/notify", bytes.NewReader(b))
			req.Header.Set(signing.MultiSafepayNotificationHeader, auth)
			return req
		}
		send := func(b []byte, auth string) int {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, request(b, auth))
			return rec.Code
		}
		require.Equal(t, http.StatusOK, send(body, auth), "a genuine notification is accepted")

		forged := signing.SignMultiSafepayNotification("someone-elses-key", body, time.Now())
		tamperedBody := bytes.Replace(body, []byte("1250"), []byte("9999"), 1)
		for name, r := range map[string]struct {
			body []byte
			auth string
		}{"forged signature": {body, forged}, "tampered body": {tamperedBody, auth}} {
			assert.Equal(t, http.StatusUnauthorized, send(r.body, r.auth), name)
			_, err := c.ParseNotification(request(r.body, r.auth))
			assertKind(t, err, betaalkit.ErrVerification)
			assert.ErrorIs(t, err, signing.ErrSignatureMismatch, name)
		}
		assert.Len(t, got, 1, "the handler's function never sees a forged notification")
	})
}
