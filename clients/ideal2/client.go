// Package ideal2 is the client for iDEAL 2.0 payment initiation through the
// Worldline routing service: access tokens, signed payment requests,
// verified responses, a status poller and the status notification handler.
//
//	c, err := ideal2.New(ideal2.Config{BaseURL: ideal2.TestBaseURL, MerchantID: "…", ClientName: "…",
//		MerchantKey: key, MerchantCertificate: cert, ServerCertificate: serverCert})
//	p, err := c.CreatePayment(ctx, ideal2.NewPayment(amount, "Order 123", "order-123"), ideal2.WithReturnURL(u))
//	http.Redirect(w, r, p.Links.RedirectURL.Href, http.StatusFound)
package ideal2

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	gen "github.com/betaalkit/betaalkit/gen/ideal2"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/transport"
)

// TestBaseURL is the payment initiation base URL of Worldline's test
// environment. Production hosts differ per acquirer, so there is no default:
// Config.BaseURL is always a deliberate choice.
const TestBaseURL = "https://digitalroutingservice.awltest.de/xs2a/routingservice/services/ob/pis/v3"

// pisBasePath is the documented PIS base path; the token endpoint sits next
// to it at authorizePath.
const (
	pisBasePath   = "/xs2a/routingservice/services/ob/pis/v3"
	authorizePath = "/xs2a/routingservice/services/authorize/token"
)

// The API's models, so callers need not import the generated package.
type (
	PaymentInitiationRequest        = gen.PaymentInitiationRequest
	PaymentInitiationResponse       = gen.PaymentInitiationResponse
	PaymentStatusResponse           = gen.PaymentStatusResponse
	CommonPaymentDataRequest        = gen.CommonPaymentDataRequest
	Amount                          = gen.Amount
	AmountBreakdown                 = gen.AmountBreakdown
	RemittanceInformationStructured = gen.RemittanceInformationStructured
	IDEALPayments                   = gen.IDEALPayments
	ExpectedCheckoutData            = gen.ExpectedCheckoutData
	ExpectedContactDetails          = gen.ExpectedContactDetails
	PaymentProduct                  = gen.PaymentProduct
	DebtorInformation               = gen.DebtorInformation
)

// PaymentProductIDEAL is the only payment product of this API.
const PaymentProductIDEAL = gen.PaymentProductIDEAL

// FlowTypeFastCheckout asks the bank for the customer's contact and address
// data (IDEALPayments.FlowType).
const FlowTypeFastCheckout = "FastCheckout"

// VerifyError is returned (wrapped) when a response fails Digest or
// Signature verification; the body is then never decoded.
type VerifyError = signing.IDEAL2VerifyError

// Config configures a Client. BaseURL, MerchantID, ClientName, MerchantKey
// and MerchantCertificate are required, and so is either ServerCertificate
// or an explicit SkipResponseVerification.
type Config struct {
	// BaseURL is the acquirer's PIS base URL, e.g. TestBaseURL.
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
	// at Debug level; tokens, signatures and IBANs are redacted.
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
	baseURL  string
	http     *http.Client
	tokens   *TokenSource
	verifier *signing.IDEAL2Verifier // nil when verification is off
	// notifications verifies notifications: the response verifier plus a
	// freshness check against replays.
	notifications *signing.IDEAL2Verifier
	backoff       func(int) time.Duration
}

// New checks cfg and returns a client. Nothing is sent until the first call.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		if tokenURL, err = deriveTokenURL(base); err != nil {
			return nil, err
		}
	} else if _, err := parseBaseURL(tokenURL); err != nil {
		return nil, fmt.Errorf("ideal2: TokenURL: %w", err)
	}
	switch {
	case cfg.ServerCertificate == nil && !cfg.SkipResponseVerification:
		return nil, errors.New("ideal2: set ServerCertificate to verify responses, or SkipResponseVerification to turn verification off explicitly")
	case cfg.ServerCertificate != nil && cfg.SkipResponseVerification:
		return nil, errors.New("ideal2: ServerCertificate and SkipResponseVerification contradict each other")
	}
	clock := signing.Clock(cfg.Clock)
	httpOpts := transport.Options{HTTPClient: cfg.HTTPClient, Retry: cfg.Retry, Logger: cfg.Logger, AttemptTimeout: cfg.AttemptTimeout}

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
			return nil, fmt.Errorf("ideal2: %w", err)
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
			Verifier:  verifier,
			Clock:     clock,
			RequestID: cfg.RequestID,
			Base:      next,
		})
	}
	pis, err := apiclient.HTTPClient(httpOpts, sign, transport.Config{Provider: provider, SignedPerAttempt: true})
	if err != nil {
		return nil, fmt.Errorf("ideal2: %w", err)
	}
	backoff := cfg.PollBackoff
	if backoff == nil {
		backoff = DefaultPollBackoff
	}
	// The generated builders resolve "./payments" against the base, which
	// needs its trailing slash.
	var notifications *signing.IDEAL2Verifier
	if verifier != nil {
		v := *verifier
		v.MaxAge = cfg.NotificationMaxAge
		if v.MaxAge <= 0 {
			v.MaxAge = DefaultNotificationMaxAge
		}
		notifications = &v
	}
	return &Client{baseURL: base.String() + "/", http: pis, tokens: tokens, verifier: verifier, notifications: notifications, backoff: backoff}, nil
}

// Tokens returns the client's access-token source (an oauth2.TokenSource).
func (c *Client) Tokens() *TokenSource { return c.tokens }

func parseBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("ideal2: BaseURL is required (the acquirer's PIS URL, e.g. ideal2.TestBaseURL)")
	}
	return apiclient.BaseURL(provider, raw)
}

func deriveTokenURL(base *url.URL) (string, error) {
	prefix, ok := strings.CutSuffix(base.Path, "/ob/pis/v3")
	if !ok {
		return "", fmt.Errorf("ideal2: cannot derive the token URL from %s (it does not end in /ob/pis/v3); set TokenURL", base)
	}
	u := *base
	u.Path = prefix + "/authorize/token"
	return u.String(), nil
}

// PaymentOption sets an optional header of CreatePayment.
type PaymentOption func(*gen.CreatePaymentParams)

// WithReturnURL sets InitiatingPartyReturnURL: where the bank sends the customer back.
func WithReturnURL(u string) PaymentOption {
	return func(p *gen.CreatePaymentParams) { p.InitiatingPartyReturnURL = &u }
}

// WithNotificationURL sets InitiatingPartyNotificationURL: where the routing
// service POSTs status notifications (see NotificationHandler).
func WithNotificationURL(u string) PaymentOption {
	return func(p *gen.CreatePaymentParams) { p.InitiatingPartyNotificationURL = &u }
}

// NewPayment builds a standard iDEAL payment request for an exact amount,
// the description shown to the customer and the merchant's reference.
func NewPayment(amount money.DecimalString, description, reference string) PaymentInitiationRequest {
	p := PaymentInitiationRequest{
		PaymentProduct:    []PaymentProduct{PaymentProductIDEAL},
		CommonPaymentData: CommonPaymentDataRequest{Amount: Amount{Amount: amount}},
	}
	if description != "" {
		p.CommonPaymentData.RemittanceInformation = &description
	}
	if reference != "" {
		p.CommonPaymentData.RemittanceInformationStructured = &RemittanceInformationStructured{Reference: &reference}
	}
	return p
}

// CreatePayment initiates a payment. Send the customer to
// Links.RedirectURL.Href and poll (WaitForFinalStatus) or wait for the
// notification.
func (c *Client) CreatePayment(ctx context.Context, payment PaymentInitiationRequest, opts ...PaymentOption) (*PaymentInitiationResponse, error) {
	if err := validatePayment(payment); err != nil {
		return nil, err
	}
	var params gen.CreatePaymentParams
	for _, o := range opts {
		o(&params)
	}
	for name, u := range map[string]*string{"InitiatingPartyReturnURL": params.InitiatingPartyReturnURL, "InitiatingPartyNotificationURL": params.InitiatingPartyNotificationURL} {
		if u != nil {
			if p, err := url.Parse(*u); err != nil || p.Scheme == "" || p.Host == "" {
				return nil, &apiclient.FieldError{Field: name, Reason: fmt.Sprintf("%q is not an absolute URL", *u)}
			}
		}
	}
	r, err := c.do(ctx, func() (*http.Request, error) { return gen.NewCreatePaymentRequest(c.baseURL, &params, payment) })
	if err != nil {
		return nil, fmt.Errorf("ideal2: create payment: %w", err)
	}
	return apiclient.Expect[PaymentInitiationResponse](r, toError, http.StatusCreated, http.StatusOK)
}

// PaymentStatus retrieves a payment's status.
func (c *Client) PaymentStatus(ctx context.Context, paymentID string) (*PaymentStatusResponse, error) {
	if err := apiclient.CheckPathID("paymentId", paymentID); err != nil {
		return nil, err
	}
	r, err := c.do(ctx, func() (*http.Request, error) { return gen.NewGetPaymentStatusRequest(c.baseURL, paymentID, nil) })
	if err != nil {
		return nil, fmt.Errorf("ideal2: payment status: %w", err)
	}
	st, err := apiclient.Expect[PaymentStatusResponse](r, toError, http.StatusOK)
	if err != nil {
		return nil, err
	}
	// A signed answer about another payment is still not this payment's status.
	if got := st.CommonPaymentData.PaymentID; got != paymentID {
		return nil, &apiclient.DecodeError{StatusCode: r.StatusCode, RawBody: r.Body, Err: fmt.Errorf("answer is about payment %q, not %q", got, paymentID)}
	}
	return st, nil
}

// do sends a request built by build. When the routing service says the
// token has expired (code 017) although the cache thought it fresh (clock
// skew, a revoked token), the token is dropped and the request is sent once
// more, newly signed. Nothing was created by the refused attempt.
func (c *Client) do(ctx context.Context, build func() (*http.Request, error)) (*apiclient.Response, error) {
	for attempt := 0; ; attempt++ {
		req, err := build()
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		r, err := apiclient.Read(c.http.Do(req.WithContext(ctx)))
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

func validatePayment(p PaymentInitiationRequest) error {
	if len(p.PaymentProduct) == 0 {
		return &apiclient.FieldError{Field: "PaymentProduct", Reason: "is empty (use IDEAL)"}
	}
	for i, prod := range p.PaymentProduct {
		if !prod.Valid() {
			return &apiclient.FieldError{Field: fmt.Sprintf("PaymentProduct[%d]", i), Reason: fmt.Sprintf("%q is not IDEAL", prod)}
		}
	}
	a := p.CommonPaymentData.Amount
	if err := checkAmount("CommonPaymentData.Amount.Amount", a.Amount, true); err != nil {
		return err
	}
	if a.Currency != nil && (len(*a.Currency) != 3 || strings.ToUpper(*a.Currency) != *a.Currency) {
		return &apiclient.FieldError{Field: "CommonPaymentData.Amount.Currency", Reason: fmt.Sprintf("%q is not an ISO 4217 code such as EUR", *a.Currency)}
	}
	if b := a.AmountBreakdown; b != nil {
		if b.OrderAmount != nil {
			if err := checkAmount("CommonPaymentData.Amount.AmountBreakdown.OrderAmount", *b.OrderAmount, false); err != nil {
				return err
			}
		}
		if b.ShippingCost != nil {
			if err := checkAmount("CommonPaymentData.Amount.AmountBreakdown.ShippingCost", *b.ShippingCost, false); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkAmount(field string, d money.DecimalString, positive bool) error {
	if _, err := d.Cents(); err != nil {
		return &apiclient.FieldError{Field: field, Reason: fmt.Sprintf("%s is not a whole number of cents", d)}
	}
	sign := d.Rat().Sign()
	if sign < 0 || (positive && sign == 0) {
		return &apiclient.FieldError{Field: field, Reason: fmt.Sprintf("%s is not a positive amount", d)}
	}
	return nil
}
