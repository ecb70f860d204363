// Package ideal2 is the client for iDEAL 2.0 payment initiation through the
// Worldline routing service: access tokens, signed payment requests,
// verified responses, a status poller and the status notification handler.
//
// The steps have the names every betaalkit client uses:
//
//	c, err := ideal2.New(ideal2.Config{MerchantID: "…", ClientName: "…",
//		MerchantKey: key, MerchantCertificate: cert, ServerCertificate: serverCert})
//	p, err := c.CreatePayment(ctx, ideal2.NewPayment(1250, "Order 123", "order-123"), ideal2.WithReturnURL(u))
//	http.Redirect(w, r, ideal2.PaymentURL(p), http.StatusFound)
//	st, err := c.GetPayment(ctx, p.CommonPaymentData.PaymentID)
//	if ideal2.StatusOf(st).IsPaid() { … }
//
// Where this client differs from the others, the difference is iDEAL 2.0's:
//
//   - New takes a Config instead of a key and options: the routing service
//     wants a merchant key pair and certificate, the acquirer's ids and the
//     certificate its answers are signed with. Config has the settings the
//     other clients take as options (HTTPClient, Retry, Logger, …).
//   - Config.BaseURL empty means TestBaseURL, Worldline's test environment,
//     as every client talks to its provider's test environment by default.
//     There is no Live constant: each acquirer runs its own production host.
//   - A created payment (PaymentInitiationResponse) is read back as a status
//     (PaymentStatusResponse): GetPayment, StatusOf, AmountOf and the
//     WebhookHandler's callback take the latter.
//   - iDEAL 2.0 has no refund API, so there is no CreateRefund.
//
// # Fast Checkout
//
// A payment with IDEALPayments.FlowType FlowTypeFastCheckout asks the
// customer's bank for the data named in ExpectedCheckoutData. Once settled,
// its status (GetPayment, and the notification) carries them in
// CommonPaymentData.DebtorInformation: ContactDetails (name, phone, e-mail),
// ShippingAddress and BillingAddress, each only when asked for.
package ideal2

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/ideal2"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/transport"
)

// TestBaseURL is the payment initiation base URL of Worldline's test
// environment, the default of Config.BaseURL. Production hosts differ per
// acquirer: set Config.BaseURL to yours.
const TestBaseURL = "https://digitalroutingservice.awltest.de/xs2a/routingservice/services/ob/pis/v3"

// authorizePath is the token endpoint's path at Worldline, next to the PIS
// base path of TestBaseURL.
const authorizePath = "/xs2a/routingservice/services/authorize/token"

// PaymentProductIDEAL is the only payment product of this API.
const PaymentProductIDEAL = gen.PaymentProductIDEAL

// FlowTypeFastCheckout asks the bank for the customer's contact and address
// data (IDEALPayments.FlowType).
const FlowTypeFastCheckout = "FastCheckout"

// VerifyError is returned (wrapped) when a response fails Digest or
// Signature verification; the body is then never decoded.
type VerifyError = signing.IDEAL2VerifyError

// Config configures a Client. MerchantID, ClientName, MerchantKey and
// MerchantCertificate are required, and so is either ServerCertificate or
// an explicit SkipResponseVerification.
type Config struct {
	// BaseURL is the acquirer's PIS base URL (empty: TestBaseURL).
	BaseURL string
	// TokenURL is the access-token endpoint. Empty: derived from BaseURL
	// (…/ob/pis/v3 becomes …/authorize/token).
	TokenURL string
	// MerchantID is the initiating party id; SubID, if any, is sent as
	// "<MerchantID>:<SubID>".
	MerchantID string
	SubID      string
	// ClientName is the acquirer's client name (the token request's Client header).
	ClientName string
	// MerchantKey signs every request; MerchantCertificate is its
	// certificate (its SHA-1 is the keyId). See LoadKeyPair.
	MerchantKey         crypto.Signer
	MerchantCertificate *x509.Certificate
	// ServerCertificate is the routing service's response-signing
	// certificate. When set, every response and notification must carry a
	// valid Digest and Signature.
	ServerCertificate *x509.Certificate
	// SkipResponseVerification turns verification off, for acquirers that
	// do not sign responses. It must be set explicitly when there is no
	// ServerCertificate; it cannot be combined with one.
	SkipResponseVerification bool
	// IgnoreCertificateValidity accepts a server certificate outside its
	// validity period (a policy choice; the signature is still checked).
	IgnoreCertificateValidity bool
	// HTTPClient sends the requests (nil: http.DefaultClient). It is not
	// modified; the client uses copies with the signer added.
	HTTPClient *http.Client
	// Retry sets how often and how patiently a request is retried
	// (transport.NoRetries: never); which requests may be retried is fixed
	// so that no payment is made twice (see transport.RetryPolicy).
	Retry transport.RetryPolicy
	// Logger, when set, gets one line per attempt, with headers and bodies
	// at Debug level; tokens, signatures and IBANs are redacted. The
	// WebhookHandler logs its refusals through it (nil: slog.Default()).
	Logger *slog.Logger
	// AttemptTimeout bounds each attempt (zero: transport.DefaultAttemptTimeout,
	// unless HTTPClient has a Timeout).
	AttemptTimeout time.Duration
	// Clock sets the signed times and decides token expiry and certificate
	// validity (nil: time.Now). RequestID makes X-Request-ID values (nil:
	// random UUIDs). Both exist for tests and debugging.
	Clock     func() time.Time
	RequestID func() string
	// TokenRefreshMargin is how long before its expiry a token is renewed
	// (zero: DefaultTokenRefreshMargin).
	TokenRefreshMargin time.Duration
	// ResponseTolerance binds every verified answer to its request: its
	// signed MessageCreateDateTime may lie no more than this before the
	// request's own (or after the clock), so an older, validly signed
	// answer served again later is refused with ErrVerification instead of
	// being returned as the current status (zero:
	// signing.DefaultIDEAL2ResponseTolerance, 5 minutes).
	ResponseTolerance time.Duration
	// NotificationMaxAge rejects a notification whose MessageCreateDateTime
	// is further than this from the clock, so a captured notification cannot
	// be replayed later (zero: DefaultNotificationMaxAge).
	NotificationMaxAge time.Duration
	// PollBackoff returns the wait before poll attempt n (n ≥ 1) of
	// WaitForFinalStatus (nil: DefaultPollBackoff).
	PollBackoff func(attempt int) time.Duration
}

// Client calls the iDEAL 2.0 payment initiation API. It is safe for
// concurrent use.
type Client struct {
	baseURL string
	http    *http.Client
	tokens  *TokenSource
	logger  *slog.Logger
	// notifications verifies notifications: the response verifier plus a
	// freshness check against replays (nil when verification is off).
	notifications *signing.IDEAL2Verifier
	backoff       func(int) time.Duration
}

// New checks cfg and returns a client. Nothing is sent until the first
// call. Every error is a *betaalkit.ConfigError naming the Config field.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = TestBaseURL
	}
	base, err := apiclient.BaseURL(provider, cfg.BaseURL)
	if err != nil {
		return nil, configError("Config.BaseURL", fmt.Sprintf("%q is not an absolute URL", cfg.BaseURL), err)
	}
	tokenURL, err := tokenURLOf(base, cfg.TokenURL)
	if err != nil {
		return nil, err
	}
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	clock := signing.Clock(cfg.Clock)
	tokens, err := NewTokenSource(TokenConfig{
		URL:            tokenURL,
		MerchantID:     cfg.MerchantID,
		SubID:          cfg.SubID,
		ClientName:     cfg.ClientName,
		MerchantKey:    cfg.MerchantKey,
		Certificate:    cfg.MerchantCertificate,
		HTTPClient:     cfg.HTTPClient,
		Retry:          cfg.Retry,
		Logger:         cfg.Logger,
		AttemptTimeout: cfg.AttemptTimeout,
		Clock:          cfg.Clock,
		RefreshMargin:  cfg.TokenRefreshMargin,
	})
	if err != nil {
		return nil, err
	}

	var verifier *signing.IDEAL2Verifier
	if cfg.ServerCertificate != nil {
		if verifier, err = signing.NewIDEAL2Verifier(cfg.ServerCertificate); err != nil {
			return nil, configError("Config.ServerCertificate", "cannot verify signatures (it needs an RSA key)", err)
		}
		verifier.Clock = clock
		verifier.IgnoreValidity = cfg.IgnoreCertificateValidity
	}
	sign := func(next http.RoundTripper) (http.RoundTripper, error) {
		return signing.NewIDEAL2Signer(signing.IDEAL2SignerConfig{
			Key:         cfg.MerchantKey,
			Certificate: cfg.MerchantCertificate,
			// The token source retried already; the PIS request is not
			// sent again because its token could not be fetched.
			Token: func(ctx context.Context) (string, error) {
				token, err := tokens.AccessToken(ctx)
				return token, transport.Final(err)
			},
			Verifier:          verifier,
			ResponseTolerance: cfg.ResponseTolerance,
			Clock:             clock,
			RequestID:         cfg.RequestID,
			Base:              next,
		})
	}
	httpOpts := transport.Options{HTTPClient: cfg.HTTPClient, Retry: cfg.Retry, Logger: cfg.Logger, AttemptTimeout: cfg.AttemptTimeout}
	pis, err := apiclient.HTTPClient(httpOpts, sign, transport.Config{Provider: provider, SignedPerAttempt: true})
	if err != nil {
		return nil, configError("Config.MerchantKey", "cannot sign requests", err)
	}
	backoff := cfg.PollBackoff
	if backoff == nil {
		backoff = DefaultPollBackoff
	}
	var notifications *signing.IDEAL2Verifier
	if verifier != nil {
		v := *verifier
		v.MaxAge = cfg.NotificationMaxAge
		if v.MaxAge <= 0 {
			v.MaxAge = DefaultNotificationMaxAge
		}
		notifications = &v
	}
	// The generated builders resolve "./payments" against the base, which
	// needs its trailing slash.
	return &Client{baseURL: base.String() + "/", http: pis, tokens: tokens, logger: cfg.Logger, notifications: notifications, backoff: backoff}, nil
}

// checkConfig checks the credentials and the verification choice.
func checkConfig(cfg Config) error {
	switch {
	case cfg.MerchantID == "":
		return configError("Config.MerchantID", "is empty", nil)
	case cfg.ClientName == "":
		return configError("Config.ClientName", "is empty", nil)
	case cfg.MerchantKey == nil:
		return configError("Config.MerchantKey", "is missing (see LoadKeyPair)", signing.ErrMissingCredentials)
	case cfg.MerchantCertificate == nil:
		return configError("Config.MerchantCertificate", "is missing (see LoadKeyPair)", signing.ErrMissingCredentials)
	case cfg.ServerCertificate == nil && !cfg.SkipResponseVerification:
		return configError("Config.ServerCertificate", "is missing: set it to verify responses, or set SkipResponseVerification to turn verification off explicitly", nil)
	case cfg.ServerCertificate != nil && cfg.SkipResponseVerification:
		return configError("Config.SkipResponseVerification", "contradicts Config.ServerCertificate", nil)
	}
	if pub, ok := cfg.MerchantKey.Public().(*rsa.PublicKey); !ok || !pub.Equal(cfg.MerchantCertificate.PublicKey) {
		return configError("Config.MerchantKey", "is not the RSA key of Config.MerchantCertificate", nil)
	}
	return nil
}

// tokenURLOf is Config.TokenURL, or the token URL next to the PIS base.
func tokenURLOf(base *url.URL, tokenURL string) (string, error) {
	if tokenURL != "" {
		if _, err := apiclient.BaseURL(provider, tokenURL); err != nil || !strings.HasSuffix(tokenURL, "/token") {
			return "", configError("Config.TokenURL", fmt.Sprintf("%q is not an absolute URL ending in /token", tokenURL), err)
		}
		return tokenURL, nil
	}
	prefix, ok := strings.CutSuffix(base.Path, "/ob/pis/v3")
	if !ok {
		return "", configError("Config.BaseURL", fmt.Sprintf("%s does not end in /ob/pis/v3, so the token URL cannot be derived: set Config.TokenURL", base), nil)
	}
	u := *base
	u.Path = prefix + "/authorize/token"
	return u.String(), nil
}

func configError(setting, reason string, err error) error {
	return &betaalkit.ConfigError{Provider: provider, Setting: setting, Reason: reason, Err: err}
}

// Tokens returns the client's access-token source (an oauth2.TokenSource).
func (c *Client) Tokens() *TokenSource { return c.tokens }

// PaymentOption sets one of CreatePayment's optional headers.
type PaymentOption func(paymentHeaders)

// paymentHeaders are the URLs CreatePayment sends as headers, by name.
type paymentHeaders map[string]string

// WithReturnURL sets InitiatingPartyReturnURL: where the bank sends the customer back.
func WithReturnURL(u string) PaymentOption {
	return func(h paymentHeaders) { h["InitiatingPartyReturnURL"] = u }
}

// WithNotificationURL sets InitiatingPartyNotificationURL: where the routing
// service POSTs status notifications (see WebhookHandler).
func WithNotificationURL(u string) PaymentOption {
	return func(h paymentHeaders) { h["InitiatingPartyNotificationURL"] = u }
}

// NewPayment builds a standard iDEAL payment request for amount (in euro
// cents; it goes out as the decimal string "12.50"), the description shown
// to the customer and the merchant's reference.
func NewPayment(amount money.Cents, description, reference string) PaymentInitiationRequest {
	return PaymentInitiationRequest{
		PaymentProduct: []PaymentProduct{PaymentProductIDEAL},
		CommonPaymentData: CommonPaymentDataRequest{
			Amount:                          Amount{Amount: money.DecimalString{Decimal: amount.Decimal()}},
			RemittanceInformation:           description,
			RemittanceInformationStructured: RemittanceInformationStructured{Reference: reference},
		},
	}
}

// CreatePayment initiates a payment (POST /payments; iDEAL 2.0 calls it a
// payment initiation). Send the customer to PaymentURL(p), then learn the
// outcome from the WebhookHandler, GetPayment or WaitForFinalStatus. A
// request the client can tell is wrong is refused before anything is sent,
// with a *betaalkit.FieldError naming the field.
func (c *Client) CreatePayment(ctx context.Context, payment PaymentInitiationRequest, opts ...PaymentOption) (*PaymentInitiationResponse, error) {
	call := apiclient.Call{Provider: provider, Op: "create payment"}
	h := paymentHeaders{}
	for _, o := range opts {
		o(h)
	}
	if err := validatePayment(payment, h); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := c.do(ctx, call, func() (*http.Request, error) {
		req, err := gen.NewCreatePaymentRequest(c.baseURL, nil, payment)
		if err != nil {
			return nil, err
		}
		for name, u := range h {
			req.Header.Set(name, u)
		}
		return req, nil
	})
	if err != nil {
		return nil, err
	}
	p, err := apiclient.Expect[PaymentInitiationResponse](r, toError, http.StatusCreated, http.StatusOK)
	if err == nil && (p.CommonPaymentData.PaymentID == "" || p.Links.RedirectURL.Href == "") {
		return nil, apiclient.DecodeFailure(r, errors.New("the answer has no PaymentId or RedirectUrl"))
	}
	return p, err
}

// GetPayment reads a payment's current status (GET
// /payments/{paymentId}/status).
func (c *Client) GetPayment(ctx context.Context, paymentID string) (*PaymentStatusResponse, error) {
	call := apiclient.Call{Provider: provider, Op: "get payment"}
	if err := apiclient.CheckPathID("paymentId", paymentID); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := c.do(ctx, call, func() (*http.Request, error) { return gen.NewGetPaymentStatusRequest(c.baseURL, paymentID, nil) })
	if err != nil {
		return nil, err
	}
	st, err := apiclient.Expect[PaymentStatusResponse](r, toError, http.StatusOK)
	if err != nil {
		return nil, err
	}
	// A signed answer about another payment is still not this payment's status.
	switch d := st.CommonPaymentData; {
	case d.PaymentID != paymentID:
		return nil, apiclient.DecodeFailure(r, fmt.Errorf("the answer is about payment %q, not %q", d.PaymentID, paymentID))
	case d.PaymentStatus == "":
		return nil, apiclient.DecodeFailure(r, errors.New("the answer has no PaymentStatus"))
	}
	return st, nil
}

// do sends a request built by build. The access token is fetched first, so
// that a failure to get one is reported as that. When the routing service
// says the token has expired (code 017) although the cache thought it
// fresh (clock skew, a revoked token), the token is dropped and the request
// is sent once more, newly signed. Nothing was created by the refused attempt.
func (c *Client) do(ctx context.Context, call apiclient.Call, build func() (*http.Request, error)) (*apiclient.Response, error) {
	for attempt := 0; ; attempt++ {
		if _, err := c.tokens.AccessToken(ctx); err != nil {
			return nil, call.Wrap(err)
		}
		req, err := build()
		if err != nil {
			return nil, call.Wrap(err)
		}
		req.Header.Set("Accept", "application/json")
		r, err := call.Read(c.http.Do(req.WithContext(ctx)))
		if err != nil {
			return nil, err
		}
		if attempt == 0 && r.StatusCode == http.StatusUnauthorized {
			var e *Error
			if errors.As(toError(r), &e) && e.Code == CodeTokenExpired {
				c.tokens.Invalidate()
				continue
			}
		}
		return r, nil
	}
}

// validatePayment checks what the routing service would refuse, with the
// fields named by their JSON paths.
func validatePayment(p PaymentInitiationRequest, h paymentHeaders) error {
	if len(p.PaymentProduct) == 0 {
		return &betaalkit.FieldError{Field: "PaymentProduct", Reason: "is empty (use IDEAL)"}
	}
	for i, prod := range p.PaymentProduct {
		if !prod.Valid() {
			return &betaalkit.FieldError{Field: fmt.Sprintf("PaymentProduct[%d]", i), Reason: fmt.Sprintf("%q is not IDEAL", prod)}
		}
	}
	a := p.CommonPaymentData.Amount
	if err := checkAmount("CommonPaymentData.Amount.Amount", a.Amount, true); err != nil {
		return err
	}
	if a.Currency != "" {
		if err := apiclient.CheckCurrency("CommonPaymentData.Amount.Currency", a.Currency); err != nil {
			return err
		}
	}
	if b := a.AmountBreakdown; b != (AmountBreakdown{}) {
		const field = "CommonPaymentData.Amount.AmountBreakdown"
		if err := checkAmount(field+".OrderAmount", b.OrderAmount, false); err != nil {
			return err
		}
		if err := checkAmount(field+".ShippingCost", b.ShippingCost, false); err != nil {
			return err
		}
		if b.OrderAmount.Add(b.ShippingCost.Decimal).Cmp(a.Amount.Decimal) != 0 {
			return &betaalkit.FieldError{Field: field, Reason: fmt.Sprintf("OrderAmount %s plus ShippingCost %s is not the amount %s", b.OrderAmount, b.ShippingCost, a.Amount)}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(h)) {
		if u, err := url.Parse(h[name]); err != nil || u.Scheme == "" || u.Host == "" {
			return &betaalkit.FieldError{Field: name, Reason: fmt.Sprintf("%q is not an absolute URL", h[name])}
		}
	}
	return nil
}

func checkAmount(field string, d money.DecimalString, positive bool) error {
	if _, err := d.Cents(); err != nil {
		return &betaalkit.FieldError{Field: field, Reason: fmt.Sprintf("%s is not a whole number of cents", d)}
	}
	switch sign := d.Rat().Sign(); {
	case sign < 0:
		return &betaalkit.FieldError{Field: field, Reason: fmt.Sprintf("%s is negative", d)}
	case sign == 0 && positive:
		return &betaalkit.FieldError{Field: field, Reason: "is zero"}
	}
	return nil
}
