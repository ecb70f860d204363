package clients_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/transport"
)

// answerServer serves a provider's sandbox; the create and get calls go
// through a hook the test sets, which may answer itself or change the
// sandbox's answer. It counts the arrivals of each call.
type answerServer struct {
	*httptest.Server
	env      *sandboxEnv
	classify *http.ServeMux

	mu     sync.Mutex
	hook   func(c call, w http.ResponseWriter, r *http.Request) bool
	counts map[call]int
}

func newAnswerServer(t *testing.T, p provider) *answerServer {
	env, err := sandboxFor(p)
	require.NoError(t, err)
	as := &answerServer{env: env, classify: http.NewServeMux(), counts: map[call]int{}}
	as.classify.Handle(p.createPattern, classified{create})
	as.classify.Handle(p.getPattern, classified{get})
	as.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, _ := as.classify.Handler(r)
		if cl, ok := h.(classified); ok {
			as.mu.Lock()
			as.counts[cl.c]++
			hook := as.hook
			as.mu.Unlock()
			if hook != nil && hook(cl.c, w, r) {
				return
			}
		}
		env.handler.ServeHTTP(w, r)
	}))
	t.Cleanup(as.Close)
	return as
}

func (as *answerServer) set(hook func(c call, w http.ResponseWriter, r *http.Request) bool) {
	as.mu.Lock()
	defer as.mu.Unlock()
	as.hook, as.counts = hook, map[call]int{}
}

func (as *answerServer) count(c call) int {
	as.mu.Lock()
	defer as.mu.Unlock()
	return as.counts[c]
}

// replaceBody lets the sandbox answer c, then sends body instead of its
// answer's body (signed anew where the provider signs answers), with the
// sandbox's status.
func (as *answerServer) replaceBody(only call, body func(sandbox []byte) []byte) func(call, http.ResponseWriter, *http.Request) bool {
	return func(c call, w http.ResponseWriter, r *http.Request) bool {
		if c != only {
			return false
		}
		rec := httptest.NewRecorder()
		as.env.handler.ServeHTTP(rec, r)
		out, h := body(rec.Body.Bytes()), rec.Header().Clone()
		h.Del("Content-Length")
		if as.env.resign != nil {
			as.env.resign(h, out)
		}
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(out)
		return true
	}
}

// TestNullAndInvalidUTF8AreDecodeErrors: a success answer (the status the
// provider sends, signed where it signs) whose body is JSON null, or whose
// strings hold bytes that are not UTF-8, is ErrDecode with the raw body
// kept, on create and on get, for every provider.
func TestNullAndInvalidUTF8AreDecodeErrors(t *testing.T) {
	t.Parallel()
	forEachProvider(t, func(t *testing.T, p provider) {
		as := newAnswerServer(t, p)
		c := as.client(t)
		ctx := context.Background()
		id, err := c.Create(ctx)
		require.NoError(t, err)

		for _, tc := range []struct {
			name string
			edit func([]byte) []byte
		}{
			{"null", func([]byte) []byte { return []byte("null") }},
			{"null with spaces", func([]byte) []byte { return []byte(" null\n") }},
			{"invalid UTF-8 in a string", breakUTF8},
		} {
			for _, cl := range []call{create, get} {
				t.Run(tc.name+" on "+string(cl), func(t *testing.T) {
					var sent []byte
					as.set(as.replaceBody(cl, func(b []byte) []byte {
						sent = tc.edit(b)
						return sent
					}))
					if cl == create {
						_, err = c.Create(ctx)
					} else {
						err = c.Get(ctx, id)
					}
					assertKind(t, err, betaalkit.ErrDecode)
					var de *betaalkit.DecodeError
					require.ErrorAs(t, err, &de)
					assert.Equal(t, sent, de.RawBody, "the raw body is kept")
				})
			}
		}
	})
}

// breakUTF8 puts bytes that are not UTF-8 at the start of the first string
// value of a JSON body that is text (not a number or time), where
// encoding/json would otherwise read them as U+FFFD without a word.
func breakUTF8(b []byte) []byte {
	for from := 0; ; {
		i := bytes.Index(b[from:], []byte(`":"`))
		if i < 0 {
			panic("no string value in " + string(b))
		}
		at := from + i + 3
		if at < len(b) && (b[at] < '0' || b[at] > '9') {
			return append(append(append([]byte(nil), b[:at]...), 0xff, 0xfe), b[at:]...)
		}
		from = at
	}
}

// TestRedirectOfACreateIsNotFollowed: a same-origin 307 or 308 answer to a
// create (a POST) is never followed: the POST arrives once, and the client
// returns the provider's error (ErrAPI, the 3xx status, the raw answer)
// saying the redirect was not followed. A get follows a same-origin
// redirect as before.
func TestRedirectOfACreateIsNotFollowed(t *testing.T) {
	t.Parallel()
	forEachProvider(t, func(t *testing.T, p provider) {
		as := newAnswerServer(t, p)
		c := as.client(t)
		ctx := context.Background()
		id, err := c.Create(ctx)
		require.NoError(t, err)
		for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound, http.StatusSeeOther} {
			t.Run(http.StatusText(status), func(t *testing.T) {
				body := []byte(`{"moved": "elsewhere"}`)
				as.set(func(c call, w http.ResponseWriter, r *http.Request) bool {
					if c != create || r.URL.Query().Get("again") != "" {
						return false
					}
					w.Header().Set("Location", r.URL.Path+"?again=1")
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(status)
					_, _ = w.Write(body)
					return true
				})
				_, err := c.Create(ctx)
				assert.Equal(t, 1, as.count(create), "the POST is sent once")
				assertKind(t, err, betaalkit.ErrAPI)
				apiErr, ok := p.asError(err)
				require.True(t, ok, "the provider's own error: %v", err)
				assert.Equal(t, status, apiErr.HTTPStatus())
				assert.Equal(t, body, apiErr.ResponseBody(), "the raw answer")
				assert.Contains(t, err.Error(), "is not followed")
				t.Log(err)
			})
		}
		t.Run("get follows", func(t *testing.T) {
			as.set(func(c call, w http.ResponseWriter, r *http.Request) bool {
				if c != get || r.URL.Query().Get("again") != "" {
					return false
				}
				q := r.URL.Query()
				q.Set("again", "1")
				w.Header().Set("Location", r.URL.Path+"?"+q.Encode())
				w.WriteHeader(http.StatusTemporaryRedirect)
				return true
			})
			require.NoError(t, c.Get(ctx, id))
			assert.Equal(t, 2, as.count(get), "the redirect and the request it names")
		})
	})
}

func (as *answerServer) client(t *testing.T) apiClient {
	c, err := as.env.newClient(as.URL, clientOptions{Retry: transport.NoRetries})
	require.NoError(t, err)
	return c
}
