// Package buckaroo is the client for Buckaroo's JSON Transaction API: any
// transaction through the generic request, a typed builder for iDEAL In3
// (service Capayable, action PayInInstallments), refunds, status look-ups,
// and verified pushes. Every request is signed with Buckaroo's HMAC scheme
// (see signing.BuckarooSigner), afresh on each retry and redirect. Buckaroo
// has no idempotency key, so a transaction request (a POST) is never resent
// once it may have arrived; status look-ups are retried (see transport).
//
//	c, err := buckaroo.New(websiteKey, secretKey, buckaroo.WithEnvironment(buckaroo.Live))
//	tx, err := c.PayInInstallments(ctx, buckaroo.In3Payment{...})
//	http.Redirect(w, r, buckaroo.RedirectURL(tx), http.StatusFound)
package buckaroo

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	gen "github.com/betaalkit/betaalkit/gen/buckaroo"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/transport"
)

// The API's models, so callers need not import the generated package.
type (
	Transaction        = gen.Transaction
	TransactionRequest = gen.TransactionRequest
	RequestServices    = gen.RequestServices
	RequestService     = gen.RequestService
	RequestParameter   = gen.RequestParameter
	ClientIP           = gen.ClientIP
	ClientIPType       = gen.ClientIPType
	Push               = gen.Push
	RequestErrors      = gen.RequestErrors
	ResponseService    = gen.ResponseService
	ResponseParameter  = gen.ResponseParameter
)

// ClientIP types.
const (
	ClientIPv4 = gen.ClientIPTypeN0
	ClientIPv6 = gen.ClientIPTypeN1
)

// Environment is a Buckaroo host.
type Environment string

// Buckaroo's hosts. Test is the default, so a forgotten option never moves money.
const (
	Test Environment = "https://testcheckout.buckaroo.nl"
	Live Environment = "https://checkout.buckaroo.nl"
)

// Option configures a Client.
type Option func(*config)

type config struct {
	baseURL string
	http    transport.Options
	signing []signing.BuckarooOption
}

// WithEnvironment selects the test or live host.
func WithEnvironment(e Environment) Option { return func(c *config) { c.baseURL = string(e) } }

// WithBaseURL points the client at another host, e.g. a local sandbox.
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithHTTPClient sends requests through hc (its Transport, Timeout, …). hc
// itself is not modified: the client uses a copy with its own layers added.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.http.HTTPClient = hc } }

// WithRetry sets how often and how patiently a request is retried
// (transport.NoRetries: never). Which requests may be retried is fixed so
// that no payment is made twice; see transport.RetryPolicy.
func WithRetry(p transport.RetryPolicy) Option { return func(c *config) { c.http.Retry = p } }

// WithLogger logs one line per attempt to l, with headers and bodies when
// l's level includes Debug; credentials, tokens and IBANs are redacted.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.http.Logger = l } }

// WithAttemptTimeout bounds each attempt (default:
// transport.DefaultAttemptTimeout, unless the HTTP client has a Timeout).
func WithAttemptTimeout(d time.Duration) Option { return func(c *config) { c.http.AttemptTimeout = d } }

// WithSigningOptions passes options to the signer and the push verifier:
// signing.BuckarooClock, signing.BuckarooNonce, signing.BuckarooTolerance.
func WithSigningOptions(opts ...signing.BuckarooOption) Option {
	return func(c *config) { c.signing = append(c.signing, opts...) }
}

// Client calls the Buckaroo JSON API. It is safe for concurrent use.
type Client struct {
	api      *gen.Client
	verifier *signing.BuckarooVerifier
}

// New returns a client for a website key and its secret key.
func New(websiteKey, secretKey string, opts ...Option) (*Client, error) {
	cfg := config{baseURL: string(Test)}
	for _, o := range opts {
		o(&cfg)
	}
	base, err := apiclient.BaseURL(provider, cfg.baseURL)
	if err != nil {
		return nil, err
	}
	sign := func(next http.RoundTripper) (http.RoundTripper, error) {
		return signing.NewBuckarooSigner(websiteKey, secretKey, next, cfg.signing...)
	}
	hc, err := apiclient.HTTPClient(cfg.http, sign, transport.Config{Provider: provider, Secrets: []string{secretKey}, SignedPerAttempt: true})
	if err != nil {
		return nil, fmt.Errorf("buckaroo: %w", err)
	}
	// Pushes are remembered by nonce so a captured one cannot be replayed.
	verifier, err := signing.NewBuckarooVerifier(websiteKey, secretKey, append(cfg.signing, signing.BuckarooRejectReplays())...)
	if err != nil {
		return nil, fmt.Errorf("buckaroo: %w", err)
	}
	api, err := gen.NewClient(base.String(), gen.WithHTTPClient(hc))
	if err != nil {
		return nil, fmt.Errorf("buckaroo: %w", err)
	}
	return &Client{api: api, verifier: verifier}, nil
}

// CreateTransaction sends any transaction request. A request Buckaroo
// refuses (status 491/492 or RequestErrors) returns an *Error that carries
// the transaction; other outcomes (success, pending, failed, rejected) are
// returned as the transaction, to be judged with StatusOf.
func (c *Client) CreateTransaction(ctx context.Context, req TransactionRequest) (*Transaction, error) {
	if err := validateRequest(req); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.CreateTransaction(ctx, req))
	if err != nil {
		return nil, fmt.Errorf("buckaroo: create transaction: %w", err)
	}
	return transactionResult(r)
}

// PayInInstallments starts an iDEAL In3 (Capayable) payment. The payment is
// checked (required fields, line totals) before anything is sent.
func (c *Client) PayInInstallments(ctx context.Context, p In3Payment) (*Transaction, error) {
	req, err := p.Request()
	if err != nil {
		return nil, err
	}
	return c.CreateTransaction(ctx, req)
}

// RefundDetails are the optional parts of a refund.
type RefundDetails struct {
	// Currency defaults to EUR.
	Currency string
	// Invoice is the merchant's reference for the refund.
	Invoice string
	// Description is shown to the customer where the method supports it.
	Description string
	// Service is the original transaction's service; it defaults to Capayable (iDEAL In3).
	Service string
}

// Refund refunds (part of) an earlier transaction, e.g. a PayInInstallments order.
func (c *Client) Refund(ctx context.Context, originalKey string, amount money.Decimal, d RefundDetails) (*Transaction, error) {
	req, err := RefundRequest(originalKey, amount, d)
	if err != nil {
		return nil, err
	}
	return c.CreateTransaction(ctx, req)
}

// RefundRequest builds the request Refund sends, in the layout of the
// document's example.
func RefundRequest(originalKey string, amount money.Decimal, d RefundDetails) (TransactionRequest, error) {
	if err := apiclient.CheckPathID("OriginalTransactionKey", originalKey); err != nil {
		return TransactionRequest{}, err
	}
	if amount.Rat().Sign() <= 0 {
		return TransactionRequest{}, &apiclient.FieldError{Field: "AmountCredit", Reason: fmt.Sprintf("%s is not a positive amount", amount)}
	}
	req := TransactionRequest{
		Currency:               orDefault(d.Currency, "EUR"),
		AmountCredit:           &amount,
		OriginalTransactionKey: &originalKey,
		Services: &RequestServices{ServiceList: []RequestService{
			{Name: orDefault(d.Service, ServiceCapayable), Action: ActionRefund},
		}},
	}
	if d.Invoice != "" {
		req.Invoice = &d.Invoice
	}
	if d.Description != "" {
		req.Description = &d.Description
	}
	return req, nil
}

// TransactionStatus fetches a transaction's current state, e.g. to confirm
// a push before acting on it.
func (c *Client) TransactionStatus(ctx context.Context, key string) (*Transaction, error) {
	if err := apiclient.CheckPathID("transactionKey", key); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.GetTransactionStatus(ctx, key))
	if err != nil {
		return nil, fmt.Errorf("buckaroo: transaction status: %w", err)
	}
	return transactionResult(r)
}

func transactionResult(r *apiclient.Response) (*Transaction, error) {
	tx, err := apiclient.Expect[Transaction](r, toError, http.StatusOK)
	if err != nil {
		return nil, err
	}
	if refused(tx) {
		return nil, refusal(r, tx)
	}
	return tx, nil
}

func validateRequest(req TransactionRequest) error {
	if len(req.Currency) != 3 || strings.ToUpper(req.Currency) != req.Currency {
		return &apiclient.FieldError{Field: "Currency", Reason: fmt.Sprintf("%q is not an ISO 4217 code such as EUR", req.Currency)}
	}
	if req.AmountDebit == nil && req.AmountCredit == nil {
		return &apiclient.FieldError{Field: "AmountDebit", Reason: "a transaction needs AmountDebit (payment) or AmountCredit (refund)"}
	}
	for _, a := range []struct {
		name string
		v    *money.Decimal
	}{{"AmountDebit", req.AmountDebit}, {"AmountCredit", req.AmountCredit}} {
		if a.v != nil && a.v.Rat().Sign() < 0 {
			return &apiclient.FieldError{Field: a.name, Reason: fmt.Sprintf("%s is negative", a.v)}
		}
	}
	if req.Services != nil {
		for i, s := range req.Services.ServiceList {
			if s.Name == "" {
				return &apiclient.FieldError{Field: fmt.Sprintf("Services.ServiceList[%d].Name", i), Reason: "is required"}
			}
			if s.Action == "" {
				return &apiclient.FieldError{Field: fmt.Sprintf("Services.ServiceList[%d].Action", i), Reason: "is required"}
			}
		}
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
