package apiclient_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
)

func TestCallNamesEveryError(t *testing.T) {
	create := apiclient.Call{Provider: "opp", Op: "create payment"}
	token := apiclient.Call{Provider: "opp", Op: "get access token"}

	assert.Nil(t, create.Wrap(nil))
	fe := create.Wrap(&betaalkit.FieldError{Field: "amount", Reason: "is negative"})
	assert.EqualError(t, fe, "opp: create payment: invalid request: amount: is negative")
	assert.ErrorIs(t, fe, betaalkit.ErrInvalidRequest)

	again := create.Wrap(fe)
	assert.Same(t, fe, again, "named once")
	nested := create.Wrap(token.Wrap(errors.New("refused")))
	assert.EqualError(t, nested, "opp: create payment: get access token: refused", "a call made on the way is named inside, the provider once")

	_, err := create.Read(nil, errors.New("dial tcp: connection refused"))
	assert.ErrorIs(t, err, betaalkit.ErrTransport)
	assert.True(t, strings.HasPrefix(err.Error(), "opp: create payment: "), err.Error())
}

func TestNullOrIncompleteSuccessIsADecodeError(t *testing.T) {
	call := apiclient.Call{Provider: "opp", Op: "get payment"}
	resp := func(body string) *http.Response {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
	}
	for _, body := range []string{"null", " null\n"} {
		r, err := call.Read(resp(body), nil)
		require.NoError(t, err)
		_, err = apiclient.Expect[struct{ ID string }](r, func(*apiclient.Response) error { return nil }, 200)
		assert.ErrorIs(t, err, betaalkit.ErrDecode, "%q", body)
		var de *betaalkit.DecodeError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, body, string(de.RawBody), "the raw body is kept")
		assert.True(t, strings.HasPrefix(err.Error(), "opp: get payment: decode HTTP 200"), err.Error())
	}
	r, _ := call.Read(resp(`{"id":""}`), nil)
	err := apiclient.DecodeFailure(r, errors.New("no id"))
	assert.ErrorIs(t, err, betaalkit.ErrDecode)
	assert.Contains(t, err.Error(), "no id")
}
