package ideal2

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/ideal2"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/transport"
)

// DefaultTokenRefreshMargin is how long before expiry a token is renewed. A
// token lives 60 minutes; renewing 5 minutes early keeps a request signed
// just before expiry from arriving with a dead token.
const DefaultTokenRefreshMargin = 5 * time.Minute

// defaultTokenLifetime applies when the answer has no expires_in.
const defaultTokenLifetime = time.Hour

// tokenFetchTimeout bounds a token request that no caller's context bounds
// (the shared fetch outlives a caller that gives up).
const tokenFetchTimeout = 30 * time.Second

// TokenConfig configures a TokenSource; New builds one from Config.
type TokenConfig struct {
	URL         string // the token endpoint, …/xs2a/routingservice/services/authorize/token
	MerchantID  string
	SubID       string
	ClientName  string
	MerchantKey crypto.Signer
	Certificate *x509.Certificate
	HTTPClient  *http.Client // nil: http.DefaultClient; not modified
	// Retry, Logger and AttemptTimeout are as in Config. The token request
	// is a POST: it is retried only when the connection failed before it
	// was sent.
	Retry          transport.RetryPolicy
	Logger         *slog.Logger
	AttemptTimeout time.Duration
	Clock          func() time.Time // nil: time.Now
	RefreshMargin  time.Duration    // zero: DefaultTokenRefreshMargin
}

// TokenSource fetches access tokens with the signed client-credentials
// request, caches the token and renews it RefreshMargin before it expires.
// Concurrent callers share one fetch: while a token is being fetched, no
// second request is made. It implements oauth2.TokenSource.
type TokenSource struct {
	cfg   TokenConfig
	keyID string
	id    string

	mu  sync.Mutex
	tok *oauth2.Token

	flight singleflight.Group
}

var _ oauth2.TokenSource = (*TokenSource)(nil)

// NewTokenSource checks cfg and returns a token source. Every error is a
// *betaalkit.ConfigError naming the TokenConfig field.
func NewTokenSource(cfg TokenConfig) (*TokenSource, error) {
	switch {
	case !strings.HasSuffix(cfg.URL, "/token"):
		return nil, configError("TokenConfig.URL", fmt.Sprintf("%q does not end in /token", cfg.URL), nil)
	case cfg.MerchantID == "":
		return nil, configError("TokenConfig.MerchantID", "is empty", nil)
	case cfg.ClientName == "":
		return nil, configError("TokenConfig.ClientName", "is empty", nil)
	case cfg.MerchantKey == nil:
		return nil, configError("TokenConfig.MerchantKey", "is missing", signing.ErrMissingCredentials)
	case cfg.Certificate == nil:
		return nil, configError("TokenConfig.Certificate", "is missing", signing.ErrMissingCredentials)
	}
	// A copy, so the redirect policy that keeps the signed request on its
	// host is ours and the caller's client stays as it was.
	hc, err := apiclient.HTTPClient(transport.Options{HTTPClient: cfg.HTTPClient, Retry: cfg.Retry, Logger: cfg.Logger, AttemptTimeout: cfg.AttemptTimeout}, nil, transport.Config{Provider: provider})
	if err != nil {
		return nil, configError("TokenConfig.HTTPClient", "cannot be used", err)
	}
	cfg.HTTPClient = hc
	if cfg.RefreshMargin <= 0 {
		cfg.RefreshMargin = DefaultTokenRefreshMargin
	}
	id := cfg.MerchantID
	if cfg.SubID != "" {
		id += ":" + cfg.SubID
	}
	return &TokenSource{cfg: cfg, keyID: signing.IDEAL2KeyID(cfg.Certificate), id: id}, nil
}

func (ts *TokenSource) now() time.Time {
	if ts.cfg.Clock == nil {
		return time.Now()
	}
	return ts.cfg.Clock()
}

// Token returns a valid token (oauth2.TokenSource). Prefer TokenContext,
// which a caller can cancel.
func (ts *TokenSource) Token() (*oauth2.Token, error) { return ts.TokenContext(context.Background()) }

// AccessToken returns the current access token's text.
func (ts *TokenSource) AccessToken(ctx context.Context) (string, error) {
	t, err := ts.TokenContext(ctx)
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

// TokenContext returns the cached token while it is fresh, and otherwise
// joins (or starts) the one fetch in flight. A caller whose ctx ends stops
// waiting; the fetch itself goes on for the others.
func (ts *TokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	if t := ts.cached(); t != nil {
		return t, nil
	}
	ch := ts.flight.DoChan("token", func() (any, error) {
		// A fetch that finished just before this one started has already
		// stored a fresh token: use it rather than fetching again.
		if t := ts.cached(); t != nil {
			return t, nil
		}
		fetchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenFetchTimeout)
		defer cancel()
		t, err := ts.fetch(fetchCtx)
		if err != nil {
			return nil, err
		}
		ts.mu.Lock()
		ts.tok = t
		ts.mu.Unlock()
		return t, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return copyToken(res.Val.(*oauth2.Token)), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Invalidate drops the cached token; the next call fetches a new one.
func (ts *TokenSource) Invalidate() {
	ts.mu.Lock()
	ts.tok = nil
	ts.mu.Unlock()
}

// cached returns a copy of the cached token if it is still fresh.
func (ts *TokenSource) cached() *oauth2.Token {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok == nil || !ts.now().Before(ts.tok.Expiry.Add(-ts.margin(ts.tok))) {
		return nil
	}
	return copyToken(ts.tok)
}

func copyToken(t *oauth2.Token) *oauth2.Token {
	c := *t
	return &c
}

// margin is how early a token is renewed: the configured margin, but never
// more than half the token's life, or a short-lived token would be fetched
// anew on every call.
func (ts *TokenSource) margin(t *oauth2.Token) time.Duration {
	if t.ExpiresIn > 0 {
		return min(ts.cfg.RefreshMargin, time.Duration(t.ExpiresIn)*time.Second/2)
	}
	return ts.cfg.RefreshMargin
}

// fetch performs the signed token request.
func (ts *TokenSource) fetch(ctx context.Context) (*oauth2.Token, error) {
	call := apiclient.Call{Provider: provider, Op: "get access token"}
	now := ts.now()
	params := &gen.RequestAccessTokenParams{
		App:    "IDEAL",
		Client: ts.cfg.ClientName,
		ID:     ts.id,
		Date:   now.UTC().Format(signing.IDEAL2TimeFormat),
	}
	// The generated builder resolves "./token" against its server URL.
	server := strings.TrimSuffix(ts.cfg.URL, "token")
	req, err := gen.NewRequestAccessTokenRequestWithFormdataBody(server, params, gen.TokenRequest{GrantType: gen.TokenRequestGrantTypeClientCredentials})
	if err != nil {
		return nil, call.Wrap(err)
	}
	req.Header.Set("Accept", "application/json")
	if err := signing.IDEAL2SignTokenRequest(req, ts.cfg.MerchantKey, ts.keyID); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(ts.cfg.HTTPClient.Do(req.WithContext(ctx)))
	if err != nil {
		return nil, err
	}
	body, err := apiclient.Expect[gen.TokenResponse](r, toError, http.StatusOK)
	var decodeErr *apiclient.DecodeError
	if errors.As(err, &decodeErr) {
		// A success body holds the token: never put it in an error.
		return nil, call.Wrap(fmt.Errorf("%w: HTTP %d: %w", betaalkit.ErrDecode, r.StatusCode, redactJSONError(decodeErr.Err)))
	}
	if err != nil {
		return nil, err
	}
	if body.AccessToken == "" {
		return nil, call.Wrap(fmt.Errorf("%w: HTTP %d: the answer has no access_token", betaalkit.ErrDecode, r.StatusCode))
	}
	lifetime := time.Duration(body.ExpiresIn) * time.Second
	if lifetime <= 0 {
		lifetime = defaultTokenLifetime
	}
	tokenType := "Bearer"
	if body.TokenType != "" {
		tokenType = body.TokenType
	}
	// Expiry counts from when the request was made, erring early.
	return &oauth2.Token{AccessToken: body.AccessToken, TokenType: tokenType, Expiry: now.Add(lifetime), ExpiresIn: int64(body.ExpiresIn)}, nil
}

// redactJSONError keeps the kind of a decode error but none of the input:
// a *json.SyntaxError or *json.UnmarshalTypeError quotes no value, any other
// error is reduced to its type.
func redactJSONError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax), errors.As(err, &typ):
		return err
	}
	return fmt.Errorf("malformed JSON (%T)", err)
}

// String keeps the token out of logs.
func (ts *TokenSource) String() string {
	return "ideal2.TokenSource{id: " + ts.id + ", token: [redacted]}"
}

// GoString keeps the token out of %#v.
func (ts *TokenSource) GoString() string { return ts.String() }
