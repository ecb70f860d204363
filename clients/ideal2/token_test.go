package ideal2_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/betaalkit/betaalkit/clients/ideal2"
)

func newTokenSource(t *testing.T, rs *routingService, clock *testClock) *ideal2.TokenSource {
	t.Helper()
	merchant, _ := testKeys()
	cfg := ideal2.TokenConfig{
		URL:         rs.URL + tokenPath,
		MerchantID:  "002881000",
		SubID:       "1",
		ClientName:  "TestAcquirer",
		MerchantKey: merchant.key,
		Certificate: merchant.cert,
	}
	if clock != nil {
		cfg.Clock = clock.Now
	}
	ts, err := ideal2.NewTokenSource(cfg)
	require.NoError(t, err)
	return ts
}

// tokensFromAll calls the source from n goroutines at once and returns the
// access tokens they got.
func tokensFromAll(t *testing.T, ts *ideal2.TokenSource, n int) []string {
	t.Helper()
	var wg sync.WaitGroup
	out := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = ts.AccessToken(context.Background())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	return out
}

// Fifty concurrent callers of a cold source cause exactly one token request.
func TestTokenSourceOneRequestFor50Goroutines(t *testing.T) {
	rs := newRoutingService(t)
	// Hold the one token request until every goroutine has started asking.
	rs.tokenGate = make(chan struct{})
	rs.tokenArrived = make(chan struct{}, 100)
	ts := newTokenSource(t, rs, nil)

	const n = 50
	var started, done sync.WaitGroup
	tokens := make([]string, n)
	for i := range n {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			tok, err := ts.AccessToken(context.Background())
			assert.NoError(t, err)
			tokens[i] = tok
		}()
	}
	started.Wait()
	<-rs.tokenArrived // the fetch is in flight and blocked
	close(rs.tokenGate)
	done.Wait()

	assert.EqualValues(t, 1, rs.tokenHits.Load(), "one token request for all callers")
	for _, tok := range tokens {
		assert.Equal(t, "tok-1", tok)
	}
}

// When the token nears expiry, concurrent callers cause exactly one refresh.
func TestTokenSourceRefreshesOnceBeforeExpiry(t *testing.T) {
	rs := newRoutingService(t)
	clock := newTestClock(time.Date(2024, 1, 8, 12, 0, 0, 0, time.UTC))
	ts := newTokenSource(t, rs, clock)

	first, err := ts.Token()
	require.NoError(t, err)
	assert.Equal(t, "tok-1", first.AccessToken)
	assert.Equal(t, "Bearer", first.TokenType)
	assert.Equal(t, clock.Now().Add(time.Hour), first.Expiry)

	// Still fresh just before the refresh margin: no request.
	clock.Advance(time.Hour - ideal2.DefaultTokenRefreshMargin - time.Second)
	for _, tok := range tokensFromAll(t, ts, 50) {
		assert.Equal(t, "tok-1", tok)
	}
	assert.EqualValues(t, 1, rs.tokenHits.Load())

	// Inside the margin (the token has not expired yet): one refresh.
	clock.Advance(2 * time.Second)
	for _, tok := range tokensFromAll(t, ts, 50) {
		assert.Equal(t, "tok-2", tok)
	}
	assert.EqualValues(t, 2, rs.tokenHits.Load(), "exactly one refresh")

	// Long after expiry: again exactly one.
	clock.Advance(3 * time.Hour)
	for _, tok := range tokensFromAll(t, ts, 50) {
		assert.Equal(t, "tok-3", tok)
	}
	assert.EqualValues(t, 3, rs.tokenHits.Load())
}

func TestTokenSourceCallerCanStopWaiting(t *testing.T) {
	rs := newRoutingService(t)
	rs.tokenGate = make(chan struct{})
	rs.tokenArrived = make(chan struct{}, 10)
	ts := newTokenSource(t, rs, nil)

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := ts.TokenContext(ctx)
		errc <- err
	}()
	<-rs.tokenArrived
	cancel()
	assert.ErrorIs(t, <-errc, context.Canceled, "the caller stops waiting")

	// The fetch it started carries on for the others.
	others := make(chan string, 1)
	go func() {
		tok, err := ts.AccessToken(context.Background())
		assert.NoError(t, err)
		others <- tok
	}()
	close(rs.tokenGate)
	assert.Equal(t, "tok-1", <-others)
	assert.EqualValues(t, 1, rs.tokenHits.Load())
}

func TestTokenSourceErrorsAndSecrets(t *testing.T) {
	rs := newRoutingService(t)
	rs.tokenError = func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"code":"003","message":"Invalid signature"}`)
	}
	ts := newTokenSource(t, rs, nil)
	_, err := ts.Token()
	var e *ideal2.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, ideal2.CodeInvalidSignature, e.Code)

	// A failure is not cached: the next call asks again.
	rs.tokenError = nil
	tok, err := ts.Token()
	require.NoError(t, err)
	assert.Equal(t, "tok-2", tok.AccessToken)

	for _, s := range []string{fmt.Sprint(ts), fmt.Sprintf("%+v", ts), fmt.Sprintf("%#v", ts)} {
		assert.NotContains(t, s, "tok-2")
	}
	ts.Invalidate()
	tok, err = ts.Token()
	require.NoError(t, err)
	assert.Equal(t, "tok-3", tok.AccessToken)
}

// The source plugs into golang.org/x/oauth2, e.g. for an oauth2.Transport.
func TestTokenSourceIsOAuth2TokenSource(t *testing.T) {
	rs := newRoutingService(t)
	var src oauth2.TokenSource = newTokenSource(t, rs, nil)
	tok, err := oauth2.ReuseTokenSource(nil, src).Token()
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok.AccessToken)
	assert.True(t, tok.Valid())
}

func BenchmarkTokenSourceCached(b *testing.B) {
	rs := newRoutingService(b)
	merchant, _ := testKeys()
	ts, err := ideal2.NewTokenSource(ideal2.TokenConfig{URL: rs.URL + tokenPath, MerchantID: "1", ClientName: "c", MerchantKey: merchant.key, Certificate: merchant.cert})
	require.NoError(b, err)
	_, err = ts.Token()
	require.NoError(b, err)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := ts.AccessToken(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A token response that does not decode must not quote the token.
func TestTokenSourceDecodeErrorHidesTheToken(t *testing.T) {
	for _, body := range []string{
		`{"access_token":"SUPERSECRETTOKEN","token_type":"Bearer","expires_in":"soon"}`,
		`{"access_token":"SUPERSECRETTOKEN","token_type":"Bearer","expires_in":[1]}`,
		`{"access_token":"SUPERSECRETTOKEN",`,
	} {
		rs := newRoutingService(t)
		rs.tokenError = func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, body)
		}
		_, err := newTokenSource(t, rs, nil).Token()
		require.Error(t, err, body)
		assert.NotContains(t, err.Error(), "SUPERSECRETTOKEN", body)
	}

	// expires_in as a numeric string is still understood.
	rs := newRoutingService(t)
	rs.tokenError = func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"t","token_type":"Bearer","expires_in":"3600"}`)
	}
	tok, err := newTokenSource(t, rs, nil).Token()
	require.NoError(t, err)
	assert.EqualValues(t, 3600, tok.ExpiresIn)
}

// A token shorter-lived than the refresh margin is still cached for half
// its life instead of being fetched again on every call.
func TestTokenSourceCachesShortLivedTokens(t *testing.T) {
	rs := newRoutingService(t)
	rs.tokenError = func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":120}`, rs.tokenHits.Load())
	}
	clock := newTestClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	ts := newTokenSource(t, rs, clock)
	for range 5 {
		_, err := ts.AccessToken(context.Background())
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, rs.tokenHits.Load())
	clock.Advance(61 * time.Second)
	_, err := ts.AccessToken(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 2, rs.tokenHits.Load(), "renewed after half its life")
}
