package clients_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
)

// Every client's WebhookHandler refuses the same way: the same status per
// reason, a body naming only the reason class, one Warn line through the
// client's logger, and one call of the OnReject hook.
func TestWebhookRefusalsAreNeverSilent(t *testing.T) {
	// What a POST without the provider's signature is refused for: the
	// unsigned providers cannot tell it from a bad body.
	unsigned := map[string]betaalkit.RejectReason{
		"kassacompleet": betaalkit.RejectBody, "opp": betaalkit.RejectBody,
		"multisafepay": betaalkit.RejectSignature, "buckaroo": betaalkit.RejectSignature, "ideal2": betaalkit.RejectSignature,
	}
	forEachProvider(t, func(t *testing.T, p provider) {
		env, err := p.newSandbox()
		require.NoError(t, err)
		srv := httptest.NewServer(env.handler)
		defer srv.Close()
		var log syncbuf.Buffer
		c, err := env.newClient(srv.URL, clientOptions{Logger: debugLogger(&log)})
		require.NoError(t, err)
		var rejections []betaalkit.WebhookRejection
		h := c.Webhook(betaalkit.OnReject(func(_ *http.Request, r betaalkit.WebhookRejection) { rejections = append(rejections, r) }))

		for _, tc := range []struct {
			method, body string
			reason       betaalkit.RejectReason
			status       int
		}{
			{http.MethodGet, "", betaalkit.RejectMethod, http.StatusMethodNotAllowed},
			{http.MethodPost, `{"not":"a webhook"`, unsigned[p.name], 0},
		} {
			rejections = nil
			before := strings.Count(log.String(), "level=WARN")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, "/webhook", strings.NewReader(tc.body)))

			if tc.status != 0 {
				assert.Equal(t, tc.status, rec.Code, "%s %s", p.name, tc.method)
			}
			assert.GreaterOrEqual(t, rec.Code, 400)
			assert.Equal(t, "webhook rejected: "+string(tc.reason)+"\n", rec.Body.String(), "the answer names only the reason class")
			if assert.Len(t, rejections, 1, "OnReject once") {
				assert.Equal(t, tc.reason, rejections[0].Reason)
				assert.Equal(t, p.name, rejections[0].Provider)
				assert.Equal(t, rec.Code, rejections[0].HTTPStatus)
				assert.Error(t, rejections[0].Err)
			}
			assert.Equal(t, before+1, strings.Count(log.String(), "level=WARN"), "one Warn line")
			assert.Contains(t, log.String(), `msg="webhook rejected" provider=`+p.name+` reason=`+string(tc.reason))
		}
	})
}
