package apiclient_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
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

func TestReadTrustsNoContentLength(t *testing.T) {
	for _, tc := range []struct {
		name   string
		length int64
		body   string
		err    bool
	}{
		{"exact", 7, `{"a":1}`, false},
		{"unknown", -1, `{"a":1}`, false},
		{"zero but a body", 0, `{"a":1}`, false},
		{"announced short", 3, `{"a":1}`, false},
		{"announced long: cut short", 20, `{"a":1}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: tc.length, Body: io.NopCloser(strings.NewReader(tc.body))}
			r, err := apiclient.Read(resp, nil)
			if tc.err {
				assert.ErrorIs(t, err, betaalkit.ErrTransport)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.body, string(r.Body), "every byte received is kept")
		})
	}
}

func TestReadClassifiesErrors(t *testing.T) {
	_, err := apiclient.Read(nil, errors.New("dial tcp: connection refused"))
	assert.ErrorIs(t, err, betaalkit.ErrTransport)
	var te *betaalkit.TransportError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 1, te.Attempts)

	verify := fmt.Errorf("wrapped: %w", &betaalkit.DecodeError{Err: errors.New("x")})
	_, err = apiclient.Read(nil, verify)
	assert.Same(t, verify, err, "an error that says what it is passes unchanged")
	assert.NotErrorIs(t, err, betaalkit.ErrTransport)
}

func TestReadKeepsTheRequestID(t *testing.T) {
	resp := func(h http.Header, sent string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, "https://api.example/", nil)
		if sent != "" {
			req.Header.Set("X-Request-ID", sent)
		}
		return &http.Response{StatusCode: 500, Header: h, Body: io.NopCloser(strings.NewReader("")), Request: req}
	}
	r, err := apiclient.Read(resp(http.Header{"X-Request-Id": {"theirs"}}, "ours"), nil)
	require.NoError(t, err)
	assert.Equal(t, "theirs", r.RequestID)
	r, _ = apiclient.Read(resp(http.Header{"Request-Id": {"req_1"}}, ""), nil)
	assert.Equal(t, "req_1", r.RequestID)
	r, _ = apiclient.Read(resp(http.Header{}, "ours"), nil)
	assert.Equal(t, "ours", r.RequestID, "the id we sent identifies the exchange too")
}
