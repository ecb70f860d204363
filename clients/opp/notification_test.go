package opp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/specs/fixtures"
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
	assert.Equal(t, "completed", *tx.Status, "the transaction comes from the configured API")
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
		var ferr *apiclient.FieldError
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

func TestNotificationHandler(t *testing.T) {
	api := fixed(t, http.StatusOK, `{"uid":"tra_1a2b3c2cf578","object":"transaction","status":"completed"}`)
	foreign := fixed(t, http.StatusOK, `{}`)
	var seen string
	h := api.client(t).NotificationHandler(func(ctx context.Context, n *opp.Notification, tx *opp.Transaction) error {
		seen = *tx.Status
		return nil
	})
	post := func(h http.Handler, body string) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/notify/", strings.NewReader(body)))
		return w.Code
	}
	assert.Equal(t, http.StatusOK, post(h, foreignNotification(foreign.URL, documentTx)))
	assert.Equal(t, "completed", seen)
	assert.Zero(t, foreign.hits.Load(), "the handler never follows object_url")
	assert.Equal(t, "/v1/transactions/"+documentTx, api.last(t).path)

	assert.Equal(t, http.StatusBadRequest, post(h, `nonsense`))
	assert.Equal(t, http.StatusBadRequest, post(h, foreignNotification(foreign.URL, "../x")))
	failing := api.client(t).NotificationHandler(func(context.Context, *opp.Notification, *opp.Transaction) error { return errors.New("db down") })
	assert.Equal(t, http.StatusInternalServerError, post(failing, string(notificationFixture(t))), "a failed handler asks for a retry")

	down := fixed(t, http.StatusServiceUnavailable, `{"error":{"code":503,"message":"down"}}`)
	assert.Equal(t, http.StatusBadGateway, post(down.client(t).NotificationHandler(func(context.Context, *opp.Notification, *opp.Transaction) error { return nil }), string(notificationFixture(t))))

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/notify/", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
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
