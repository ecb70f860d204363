package ideal2_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/signing"
)

// TestAnAnswerIsBoundToItsRequest: an older, validly signed status answer
// served again later is refused (ErrVerification, ErrStale) rather than
// returned as the current status; so is one signed in the future, or a
// success that does not sign its time. An answer signed within the
// tolerance of the request is accepted.
func TestAnAnswerIsBoundToItsRequest(t *testing.T) {
	rs := newRoutingService(t)
	_, server := testKeys()
	var signedAt atomic.Int64
	var names atomic.Value
	names.Store([]string{"messagecreatedatetime", "x-request-id", "digest"})
	rs.handle(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		body := []byte(statusBody("142641", "Open"))
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("X-Request-ID", signing.IDEAL2RequestID())
		h.Set("MessageCreateDateTime", time.Unix(0, signedAt.Load()).UTC().Format(signing.IDEAL2TimeFormat))
		h.Set("Digest", signing.IDEAL2Digest(body))
		hs := names.Load().([]string)
		ss, err := signing.IDEAL2SigningString(hs, "", "", h)
		require.NoError(t, err)
		sig, err := signing.IDEAL2Sign(server.key, ss)
		require.NoError(t, err)
		h.Set("Signature", signing.IDEAL2SignatureParams{KeyID: strings.ToUpper(signing.IDEAL2KeyID(server.cert)), Algorithm: "rsa-sha256", Headers: hs, Signature: sig}.String())
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
	c := rs.client(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		age   time.Duration // how long before the request the answer was signed
		names []string
		ok    bool
	}{
		{"fresh", 0, nil, true},
		{"a second old", time.Second, nil, true},
		{"four minutes old (clock skew)", 4 * time.Minute, nil, true},
		{"ten minutes old, served again", 10 * time.Minute, nil, false},
		{"a day old, served again", 24 * time.Hour, nil, false},
		{"ten minutes in the future", -10 * time.Minute, nil, false},
		{"time not signed", 0, []string{"x-request-id", "digest"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signedAt.Store(time.Now().Add(-tc.age).UnixNano())
			if tc.names != nil {
				names.Store(tc.names)
				defer names.Store([]string{"messagecreatedatetime", "x-request-id", "digest"})
			}
			st, err := c.GetPayment(ctx, "142641")
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, ideal2.PaymentStatusOpen, st.CommonPaymentData.PaymentStatus)
				return
			}
			assert.Nil(t, st)
			assert.ErrorIs(t, err, betaalkit.ErrVerification)
			var ve *ideal2.VerifyError
			assert.True(t, errors.As(err, &ve), "%v", err)
			if tc.names == nil {
				assert.ErrorIs(t, err, signing.ErrStale)
			}
			t.Log(err)
		})
	}

	// A tighter tolerance is the caller's to set.
	cfg := rs.config()
	cfg.ResponseTolerance = time.Second
	strict, err := ideal2.New(cfg)
	require.NoError(t, err)
	signedAt.Store(time.Now().Add(-time.Minute).UnixNano())
	_, err = strict.GetPayment(ctx, "142641")
	assert.ErrorIs(t, err, signing.ErrStale)
}

// TestASignedErrorUnderASuccessStatusIsNoPayment: a signed error answer
// (its body and signature genuine) served again under 201 or 200 does not
// become an empty payment or status: it lacks what a success must carry.
func TestASignedErrorUnderASuccessStatusIsNoPayment(t *testing.T) {
	rs := newRoutingService(t)
	for _, body := range []string{
		`{"Code":"154","Message":"Invalid digest"}`,
		`{"Code":"003","Message":"Invalid signature","Details":"keyId","Link":{"Href":"https://x"}}`,
		`{}`,
		`{"CommonPaymentData":{}}`,
	} {
		rs.handle(func(w http.ResponseWriter, r *http.Request, _ []byte) {
			status := http.StatusOK
			if r.Method == http.MethodPost {
				status = http.StatusCreated
			}
			rs.reply(w, status, body)
		})
		c := rs.client(t)
		p, err := c.CreatePayment(context.Background(), ideal2.NewPayment(100, "x", "y"))
		assert.Nil(t, p, body)
		assert.ErrorIs(t, err, betaalkit.ErrDecode, body)
		st, err := c.GetPayment(context.Background(), "142641")
		assert.Nil(t, st, body)
		assert.ErrorIs(t, err, betaalkit.ErrDecode, body)
	}
}
