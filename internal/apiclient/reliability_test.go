package apiclient_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
	"github.com/betaalkit/betaalkit/transport"
)

// TestDebugLogKeepsTheBodyBound: a 100 MB answer and a gzip bomb (128 MB
// inflated, decompressed by net/http) read through a client with a Debug
// logger grow the heap by no more than the client's own bounded read, and
// the client still reports the oversize answer. Not parallel: it measures
// the process's heap.
func TestDebugLogKeepsTheBodyBound(t *testing.T) {
	const limit = 32 << 20
	const huge = 100 << 20
	var sent atomic.Int64
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(huge))
		chunk := bytes.Repeat([]byte("a"), 32<<10)
		for n := 0; n < huge; n += len(chunk) {
			k, err := w.Write(chunk)
			sent.Add(int64(k))
			if err != nil {
				return
			}
		}
	}))
	defer plain.Close()
	bomb := gzipBomb(t, 128)
	zipped := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(bomb)
	}))
	defer zipped.Close()

	for _, tc := range []struct {
		name, url string
		logger    bool
	}{
		{"100 MB, no logger", plain.URL, false},
		{"100 MB, Debug logger", plain.URL, true},
		{"gzip bomb, no logger", zipped.URL, false},
		{"gzip bomb, Debug logger", zipped.URL, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs syncbuf.Buffer
			opts := transport.Options{Retry: transport.NoRetries}
			if tc.logger {
				opts.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			}
			hc, err := apiclient.HTTPClient(opts, nil, transport.Config{Provider: "test"})
			require.NoError(t, err)
			sent.Store(0)
			var r *apiclient.Response
			peak, after := heapGrowth(func() {
				r, err = apiclient.Call{Provider: "test", Op: "get payment"}.Read(hc.Get(tc.url))
			})
			t.Logf("heap growth: peak %.1f MiB, after GC %.1f MiB (sent %.1f MiB)", mib(peak), mib(after), mib(uint64(sent.Load())))
			assert.Nil(t, r)
			require.ErrorIs(t, err, betaalkit.ErrDecode)
			var de *betaalkit.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Contains(t, err.Error(), "larger than 16777216 bytes")
			assert.Len(t, de.RawBody, apiclient.MaxBody, "the start of the answer is kept, as always")
			assert.Less(t, peak, uint64(limit), "peak heap growth")
			assert.Less(t, after, uint64(limit), "heap growth after GC")
			if tc.logger {
				var line struct {
					ResponseBody *string `json:"response_body"`
				}
				require.NoError(t, json.Unmarshal([]byte(logs.String()), &line))
				require.NotNil(t, line.ResponseBody, "one Debug line with the body")
				assert.LessOrEqual(t, len(*line.ResponseBody), 16<<10+len("…"), "it quotes the start only")
			}
		})
	}
}

// heapGrowth runs fn and reports how far the heap grew above where it was
// before: at its highest while fn ran (sampled every millisecond), and
// after fn, once collected.
func heapGrowth(fn func()) (peak, after uint64) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var (
		wg   sync.WaitGroup
		stop = make(chan struct{})
		high atomic.Uint64
	)
	wg.Go(func() {
		var s runtime.MemStats
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&s)
			if s.HeapAlloc > high.Load() {
				high.Store(s.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	fn()
	close(stop)
	wg.Wait()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return sub(high.Load(), base), sub(ms.HeapAlloc, base)
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// gzipBomb returns a gzip stream of mb MiB of zeros: one compressed MiB,
// repeated as concatenated members (which gzip readers read as one).
func gzipBomb(t *testing.T, mb int) []byte {
	var one bytes.Buffer
	zw, err := gzip.NewWriterLevel(&one, gzip.BestCompression)
	require.NoError(t, err)
	_, err = zw.Write(make([]byte, 1<<20))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	out := bytes.Repeat(one.Bytes(), mb)
	// Check the bomb is what it says.
	zr, err := gzip.NewReader(bytes.NewReader(out))
	require.NoError(t, err)
	n, err := io.Copy(io.Discard, zr)
	require.NoError(t, err)
	require.EqualValues(t, mb<<20, n)
	return out
}

// TestRedirectOfAPOSTIsNotFollowed: a same-origin 307 or 308 to a POST is
// returned as the provider's error, saying so, with the raw answer; the
// POST reaches the server once. A GET still follows.
func TestRedirectOfAPOSTIsNotFollowed(t *testing.T) {
	var posts, gets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/orders":
			posts.Add(1)
			w.Header().Set("Location", "/orders/again")
			w.WriteHeader(http.StatusTemporaryRedirect)
			_, _ = io.WriteString(w, `{"moved":"/orders/again"}`)
		case "/orders/again":
			posts.Add(1)
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"id":"second"}`)
		case "/status":
			gets.Add(1)
			http.Redirect(w, r, "/status/here", http.StatusPermanentRedirect)
		case "/status/here":
			gets.Add(1)
			_, _ = io.WriteString(w, `{"id":"here"}`)
		}
	}))
	defer srv.Close()
	hc, err := apiclient.HTTPClient(transport.Options{}, nil, transport.Config{Provider: "test"})
	require.NoError(t, err)
	toError := func(r *apiclient.Response) error {
		return &testAPIError{status: r.StatusCode, body: r.Body}
	}
	call := apiclient.Call{Provider: "test", Op: "create payment"}
	r, err := call.Read(hc.Post(srv.URL+"/orders", "application/json", bytes.NewReader([]byte(`{"amount":1}`))))
	require.NoError(t, err)
	_, err = apiclient.Expect[struct{ ID string }](r, toError, http.StatusCreated)
	assert.EqualValues(t, 1, posts.Load(), "the POST is sent once")
	require.ErrorIs(t, err, betaalkit.ErrAPI)
	var apiErr *testAPIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTemporaryRedirect, apiErr.status)
	assert.Equal(t, `{"moved":"/orders/again"}`, string(apiErr.body), "the raw answer")
	assert.Contains(t, err.Error(), "redirects to /orders/again, which is not followed")

	r, err = call.Read(hc.Get(srv.URL + "/status"))
	require.NoError(t, err)
	v, err := apiclient.Expect[struct{ ID string }](r, toError, http.StatusOK)
	require.NoError(t, err)
	assert.Equal(t, "here", v.ID, "a GET follows a same-origin redirect")
	assert.EqualValues(t, 2, gets.Load())
}

type testAPIError struct {
	status int
	body   []byte
}

func (e *testAPIError) Error() string        { return "test: HTTP " + strconv.Itoa(e.status) }
func (e *testAPIError) Is(target error) bool { return target == betaalkit.ErrAPI }

// TestDecodeRefusesInvalidUTF8: bytes that are not UTF-8 inside a JSON
// string are a decode error with the raw body, not a silent U+FFFD.
func TestDecodeRefusesInvalidUTF8(t *testing.T) {
	body := []byte("{\"name\":\"caf\xe9\"}")
	r := &apiclient.Response{StatusCode: http.StatusOK, Body: body}
	v, err := apiclient.Decode[struct{ Name string }](r)
	assert.Nil(t, v)
	var de *betaalkit.DecodeError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, betaalkit.ErrDecode)
	assert.Equal(t, body, de.RawBody)
	assert.Contains(t, err.Error(), "not valid UTF-8")

	ok, err := apiclient.Decode[struct{ Name string }](&apiclient.Response{StatusCode: http.StatusOK, Body: []byte(`{"name":"café \u00e9"}`)})
	require.NoError(t, err)
	assert.Equal(t, "café é", ok.Name)
}
