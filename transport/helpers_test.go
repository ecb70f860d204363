package transport

import (
	"bufio"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"
)

// httptestTLS starts a TLS server whose certificate the default client does
// not trust, and returns its https URL.
func httptestTLS(t *testing.T) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("a request got through an untrusted TLS handshake")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }
