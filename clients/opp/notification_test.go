package opp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
	"github.com/betaalkit/betaalkit/specs/fixtures"
	"github.com/betaalkit/betaalkit/transport"
)

func notificationFixture(t *testing.T) []byte {
	t.Helper()
	list, err := fixtures.Load("opp")
	require.NoError(t, err)
	for _, f := range list {
		if f.Base() == "notification-transaction-status-changed" {
			return f.Request.BodyBytes()
		}
	}
	t.Fatal("no notification fixture")
	return nil
}

func TestParseDocumentedNotification(t *testing.T) {
	n, err := opp.ParseNotification(notificationFixture(t))
	require.NoError(t, err)
	assert.Equal(t, "not_1a2b3c9ccd8d", n.UID)
	assert.Equal(t, opp.NotificationTransactionStatusChanged, n.Type)
	assert.Equal(t, documentTx, n.ObjectUID)
	assert.Equal(t, opp.ObjectTypeTransaction, n.ObjectType)
	assert.Equal(t, int64(1508604719), n.Created.Unix())
}

func TestParseNotificationRejects(t *testing.T) {
	for name, body := range map[string]string{
		"not json":          `uid=not_1`,
		"no object_uid":     `{"uid":"not_1","type":"transaction.status.changed","object_type":"transaction"}`,
		"no object_type":    `{"uid":"not_1","object_uid":"tra_1"}`,
		"path in object":    `{"uid":"not_1","object_type":"transaction","object_uid":"../orders/ord_1"}`,
		"url as object_uid": `{"uid":"not_1","object_type":"transaction","object_uid":"https://evil.example/v1/transactions/tra_1"}`,
	} {
		_, err := opp.ParseNotification([]byte(body))
		assert.Error(t, err, name)
	}
}

// foreignNotification is the documented notification with object_url
// pointing at another host.
func foreignNotification(foreign, uid string) string {
	return fmt.Sprintf(`{"uid":"not_1a2b3c9ccd8d","type":"transaction.status.changed","created":1508604719,
		"object_uid":%q,"object_type":"transaction","object_url":"%s/v1/transactions/%s",
		"parent_uid":null,"parent_type":null,"parent_url":null,"verification_hash":"abc"}`, uid, foreign, uid)
}

func TestNotificationNeverFollowsObjectURL(t *testing.T) {
	api := fixed(t, http.StatusOK, `{"uid":"tra_1a2b3c2cf578","object":"transaction","status":"completed","amount":10}`)
	foreign := fixed(t, http.StatusOK, `{"uid":"tra_1a2b3c2cf578","object":"transaction","status":"refunded"}`)

	n, tx, err := api.client(t).NotificationTransaction(context.Background(), []byte(foreignNotification(foreign.URL, documentTx)))
	require.NoError(t, err)
	assert.Equal(t, documentTx, n.ObjectUID)
	assert.Equal(t, opp.TransactionStatusCompleted, tx.Status, "the transaction comes from the configured API")
	assert.Zero(t, foreign.hits.Load(), "no request may reach the host named in object_url")
	r := api.last(t)
	assert.Equal(t, "GET", r.method)
	assert.Equal(t, "/v1/transactions/"+documentTx, r.path)
	assert.Equal(t, basicAuth, r.auth)
}

func TestNotificationWithHostileObjectUIDSendsNothing(t *testing.T) {
	api := fixed(t, http.StatusOK, `{"uid":"x","object":"transaction"}`)
	foreign := fixed(t, http.StatusOK, `{}`)
	for _, uid := range []string{"../orders/ord_1", foreign.URL, "tra_1?expand[]=order", "tra_1#x", "%2e%2e"} {
		_, _, err := api.client(t).NotificationTransaction(context.Background(), []byte(foreignNotification(foreign.URL, uid)))
		var ferr *betaalkit.FieldError
		assert.True(t, errors.As(err, &ferr), "%q: got %v", uid, err)
	}
	assert.Zero(t, api.hits.Load())
	assert.Zero(t, foreign.hits.Load())
}

func TestNotificationAboutAnotherObject(t *testing.T) {
	api := fixed(t, http.StatusOK, `{}`)
	body := `{"uid":"not_1","type":"merchant.status.changed","created":1508604719,"object_uid":"mer_1","object_type":"merchant","object_url":"/v1/merchants/mer_1"}`
	n, tx, err := api.client(t).NotificationTransaction(context.Background(), []byte(body))
	assert.ErrorIs(t, err, opp.ErrNotTransaction)
	assert.Equal(t, "mer_1", n.ObjectUID)
	assert.Nil(t, tx)
	assert.Zero(t, api.hits.Load())
}

// hookLog captures a client's log lines as JSON.
func hookLog(t *testing.T, s *server) (*opp.Client, *syncbuf.Buffer) {
	t.Helper()
	var buf syncbuf.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, err := opp.New(apiKey, opp.WithBaseURL(s.URL+"/v1"), opp.WithRetry(transport.NoRetries), opp.WithLogger(logger))
	require.NoError(t, err)
	return c, &buf
}

// logLines returns the lines logged with msg.
func logLines(t *testing.T, buf *syncbuf.Buffer, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

func TestWebhookHandler(t *testing.T) {
	api := fixed(t, http.StatusOK, `{"uid":"tra_1a2b3c2cf578","object":"transaction","status":"completed","amount":11454}`)
	foreign := fixed(t, http.StatusOK, `{}`)
	c, buf := hookLog(t, api)
	var seen []*opp.Transaction
	h := c.WebhookHandler(func(ctx context.Context, tx *opp.Transaction) error {
		seen = append(seen, tx)
		return nil
	})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/notify/", strings.NewReader(foreignNotification(foreign.URL, documentTx))))
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "OK", w.Body.String())
	require.Len(t, seen, 1)
	assert.Equal(t, documentTx, seen[0].UID)
	assert.Equal(t, opp.TransactionStatusCompleted, seen[0].Status)
	assert.Zero(t, foreign.hits.Load(), "the handler never follows object_url")
	assert.Equal(t, "/v1/transactions/"+documentTx, api.last(t).path)
	assert.Empty(t, logLines(t, buf, "webhook rejected"))
}

// Every refusal answers its status, names only the reason, logs one Warn
// line and calls OnReject once with the reason.
func TestWebhookHandlerRejects(t *testing.T) {
	up := `{"uid":"tra_1a2b3c2cf578","object":"transaction","status":"completed"}`
	for _, tc := range []struct {
		name      string
		method    string
		body      string
		apiStatus int
		fnErr     error
		reason    betaalkit.RejectReason
		status    int
		fetched   bool
		fnCalled  bool
	}{
		{"not a POST", http.MethodGet, "", 200, nil, betaalkit.RejectMethod, http.StatusMethodNotAllowed, false, false},
		{"not JSON", http.MethodPost, "nonsense", 200, nil, betaalkit.RejectBody, http.StatusBadRequest, false, false},
		{"path in object_uid", http.MethodPost, foreignNotification("https://evil.example", "../x"), 200, nil, betaalkit.RejectBody, http.StatusBadRequest, false, false},
		{"transaction not fetched", http.MethodPost, foreignNotification("https://evil.example", documentTx), http.StatusServiceUnavailable, nil, betaalkit.RejectFetch, http.StatusBadGateway, true, false},
		{"unknown transaction", http.MethodPost, foreignNotification("https://evil.example", documentTx), http.StatusNotFound, nil, betaalkit.RejectFetch, http.StatusBadGateway, true, false},
		{"shop fails", http.MethodPost, foreignNotification("https://evil.example", documentTx), 200, errors.New("db down"), betaalkit.RejectHandler, http.StatusInternalServerError, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := newServer(t, func(*http.Request) (int, string) {
				if tc.apiStatus != 200 {
					return tc.apiStatus, `{"error":{"code":1300,"message":"unavailable"}}`
				}
				return 200, up
			})
			c, buf := hookLog(t, api)
			var rejections []betaalkit.WebhookRejection
			called := false
			h := c.WebhookHandler(func(context.Context, *opp.Transaction) error {
				called = true
				return tc.fnErr
			}, betaalkit.OnReject(func(_ *http.Request, r betaalkit.WebhookRejection) { rejections = append(rejections, r) }))

			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(tc.method, "/notify/", strings.NewReader(tc.body)))
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, "webhook rejected: "+string(tc.reason)+"\n", w.Body.String())
			assert.Equal(t, tc.fnCalled, called)
			assert.Equal(t, tc.fetched, api.hits.Load() > 0)

			require.Len(t, rejections, 1)
			assert.Equal(t, tc.reason, rejections[0].Reason)
			assert.Equal(t, "opp", rejections[0].Provider)
			assert.Equal(t, tc.status, rejections[0].HTTPStatus)
			assert.Error(t, rejections[0].Err)
			lines := logLines(t, buf, "webhook rejected")
			require.Len(t, lines, 1)
			assert.Equal(t, "WARN", lines[0]["level"])
			assert.Equal(t, string(tc.reason), lines[0]["reason"])
			assert.NotContains(t, buf.String(), apiKey)
		})
	}
}

// A notification about another object is acknowledged (OPP would retry it
// forever otherwise), logged at Info, and neither fetched nor passed on.
func TestWebhookHandlerSkipsOtherObjects(t *testing.T) {
	api := fixed(t, http.StatusOK, `{}`)
	c, buf := hookLog(t, api)
	rejected := 0
	h := c.WebhookHandler(func(context.Context, *opp.Transaction) error {
		t.Fatal("fn called for a merchant notification")
		return nil
	}, betaalkit.OnReject(func(*http.Request, betaalkit.WebhookRejection) { rejected++ }))
	body := `{"uid":"not_1","type":"merchant.status.changed","created":1508604719,"object_uid":"mer_1","object_type":"merchant","object_url":"/v1/merchants/mer_1"}`
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/notify/", strings.NewReader(body)))
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "OK", w.Body.String())
	assert.Zero(t, api.hits.Load())
	assert.Zero(t, rejected)
	lines := logLines(t, buf, "webhook skipped: not about a transaction")
	require.Len(t, lines, 1)
	assert.Equal(t, "INFO", lines[0]["level"])
	assert.Equal(t, "merchant", lines[0]["object_type"])
	assert.Equal(t, "mer_1", lines[0]["object_uid"])
}

// A notification body is attacker input: parsing never panics, and an
// accepted object_uid is always a plain identifier safe to put in a path.
func FuzzParseNotification(f *testing.F) {
	f.Add([]byte(`{"uid":"not_1","type":"transaction.status.changed","created":1508604719,"object_uid":"tra_1a2b3c2cf578","object_type":"transaction","object_url":"/v1/transactions/tra_1a2b3c2cf578"}`))
	f.Add([]byte(`{"object_uid":"../x","object_type":"transaction"}`))
	f.Add([]byte(`{"object_uid":12,"object_type":"transaction"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := opp.ParseNotification(body)
		if err != nil {
			return
		}
		if n.ObjectUID == "" || strings.ContainsAny(n.ObjectUID, "/?#%.:") {
			t.Fatalf("accepted object_uid %q", n.ObjectUID)
		}
	})
}
