package apiclient_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/internal/apiclient"
)

func TestCheckPathID(t *testing.T) {
	for _, ok := range []string{"f520537f-e8ca-4c92-8d9b-2118eb5022cf", "my order/7", "a.b", "..."} {
		assert.NoError(t, apiclient.CheckPathID("order_id", ok), ok)
	}
	for _, bad := range []string{"", "  ", ".", "..", "a\nb", "a\x00"} {
		err := apiclient.CheckPathID("order_id", bad)
		var fe *apiclient.FieldError
		require.True(t, errors.As(err, &fe), "%q", bad)
		assert.Equal(t, "order_id", fe.Field)
		assert.ErrorIs(t, err, apiclient.ErrInvalidRequest)
	}
}

func TestExpectKeepsTheBody(t *testing.T) {
	toError := func(r *apiclient.Response) error { return errors.New(string(r.Body)) }
	r := &apiclient.Response{StatusCode: http.StatusOK, Body: []byte(`{"n":"x"}`)}
	_, err := apiclient.Expect[struct{ N int }](r, toError, http.StatusOK)
	var de *apiclient.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, `{"n":"x"}`, string(de.RawBody))

	r.StatusCode = http.StatusTeapot
	_, err = apiclient.Expect[struct{ N int }](r, toError, http.StatusOK)
	assert.EqualError(t, err, `{"n":"x"}`, "another status goes to the provider's error")

	assert.Nil(t, apiclient.DecodeErrorBody[struct{ N int }](&apiclient.Response{Body: []byte("<html>")}))
}

func TestReadWebhookBodyIsBounded(t *testing.T) {
	small := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(`{"ok":true}`))
	body, err := apiclient.ReadWebhookBody(small)
	require.NoError(t, err)
	assert.Equal(t, `{"ok":true}`, string(body))

	huge := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(strings.Repeat("x", apiclient.MaxWebhookBody+1)))
	_, err = apiclient.ReadWebhookBody(huge)
	assert.ErrorIs(t, err, apiclient.ErrWebhookTooLarge)
}
