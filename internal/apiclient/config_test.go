package apiclient_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/internal/apiclient"
)

func TestCopyHTTPClientKeepsCredentialsOnTheirHost(t *testing.T) {
	foreignHit := false
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { foreignHit = true }))
	defer foreign.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, foreign.URL+"/steal", http.StatusFound)
		case "/moved":
			http.Redirect(w, r, "/here", http.StatusTemporaryRedirect)
		case "/here":
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer api.Close()

	mine := &http.Client{}
	hc, base := apiclient.CopyHTTPClient(mine)
	assert.Nil(t, base)
	assert.Nil(t, mine.CheckRedirect, "the caller's client is not changed")

	_, err := hc.Get(api.URL + "/away")
	require.Error(t, err)
	assert.True(t, errors.Is(err, apiclient.ErrCrossOriginRedirect), "%v", err)
	assert.False(t, foreignHit, "nothing reaches the other host")

	resp, err := hc.Get(api.URL + "/moved")
	require.NoError(t, err, "a redirect on the same host is followed")
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// The caller's own policy still applies on the same host.
	strict := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	hc, _ = apiclient.CopyHTTPClient(strict)
	resp, err = hc.Get(api.URL + "/moved")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusTemporaryRedirect, resp.StatusCode)
}
