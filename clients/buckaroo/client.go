// Package buckaroo is the client for Buckaroo's JSON Transaction API: any
// transaction through the generic request, typed builders for iDEAL
// (IdealPayment, PayIdeal) and iDEAL In3 (service Capayable, action
// PayInInstallments), refunds and refund info (GetRefundInfo), what a
// service takes (GetSpecification), status look-ups, and verified pushes,
// JSON or the classic form push (ParseFormPush; WebhookHandler serves
// both). Buckaroo calls a payment a transaction; a refund is a
// transaction too. Every request is signed with Buckaroo's HMAC scheme (see
// signing.BuckarooSigner), afresh on each retry and redirect. Buckaroo has
// no idempotency key, so a transaction request (a POST) is never resent
// once it may have arrived; status look-ups are retried (see transport).
//
//	c, err := buckaroo.New(websiteKey, secretKey, buckaroo.WithEnvironment(buckaroo.Live))
//	tx, err := c.PayInInstallments(ctx, buckaroo.In3Payment{...})
//	http.Redirect(w, r, buckaroo.PaymentURL(tx), http.StatusFound)
//	…
//	status := buckaroo.StatusOf(tx) // status.IsPaid(), status.Raw == "190"
//
// The steps have the same names in every betaalkit client: CreatePayment,
// GetPayment, PaymentURL, StatusOf and NormalizeStatus, AmountOf,
// CreateRefund and WebhookHandler.
//
// Money: what a caller passes to this package's own types and methods
// (IdealPayment, In3Payment, RefundRequest) is money.Cents, and AmountOf
// and RefundableOf read cents; the
// wire models (TransactionRequest, Transaction) keep Buckaroo's decimal
// euros as money.Decimal (8.00, 0.3), exactly as sent.
package buckaroo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/buckaroo"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/transport"
)

// ClientIP types.
const (
	ClientIPv4 = gen.ClientIPTypeIPv4
	ClientIPv6 = gen.ClientIPTypeIPv6
)

// Environment is a Buckaroo host.
type Environment string

// Buckaroo's hosts. Without WithEnvironment a client talks to Test, so a
// forgotten option never moves money.
const (
	Test Environment = "https://testcheckout.buckaroo.nl"
	Live Environment = "https://checkout.buckaroo.nl"
)

// Option configures a Client.
type Option func(*config)

type config struct {
	baseURL string
	// baseSetting names the option that set baseURL, for a ConfigError.
	baseSetting string
	http        transport.Options
	signing     []signing.BuckarooOption
}

// WithEnvironment picks the host to talk to (default Test).
func WithEnvironment(e Environment) Option {
	return func(c *config) { c.baseURL, c.baseSetting = string(e), "WithEnvironment" }
}

// WithBaseURL points the client at another host, e.g. the sandbox. It wins
// over an earlier WithEnvironment.
func WithBaseURL(u string) Option {
	return func(c *config) { c.baseURL, c.baseSetting = u, "WithBaseURL" }
}

// WithHTTPClient sends requests through hc (its Transport, Timeout, …). hc
// itself is not modified: the client uses a copy with its own layers added.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.http.HTTPClient = hc } }

// WithRetry sets how often and how patiently a request is retried
// (transport.NoRetries: never). Which requests may be retried is fixed so
// that no payment is made twice; see transport.RetryPolicy.
func WithRetry(p transport.RetryPolicy) Option { return func(c *config) { c.http.Retry = p } }

// WithLogger logs one line per attempt to l, with headers and bodies when
// l's level includes Debug; credentials, tokens and IBANs are redacted. The
// push handler logs each refused push to l as well.
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
	// newVerifier builds a push verifier with the client's signing options
	// and then extra.
	newVerifier func(extra ...signing.BuckarooOption) (*signing.BuckarooVerifier, error)
	// form checks classic HTTP form pushes (brq_signature).
	form   *formVerifier
	logger *slog.Logger
}

// New returns a client for a website key and its secret key. Every error
// is a *betaalkit.ConfigError naming the argument or option that is wrong.
func New(websiteKey, secretKey string, opts ...Option) (*Client, error) {
	cfg := config{baseURL: string(Test), baseSetting: "WithEnvironment"}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	switch {
	case websiteKey == "":
		return nil, configError("websiteKey", "is empty", signing.ErrMissingCredentials)
	case secretKey == "":
		return nil, configError("secretKey", "is empty", signing.ErrMissingCredentials)
	}
	base, err := apiclient.BaseURL(provider, cfg.baseURL)
	if err != nil {
		return nil, configError(cfg.baseSetting, fmt.Sprintf("%q is not an absolute URL", cfg.baseURL), nil)
	}
	sign := func(next http.RoundTripper) (http.RoundTripper, error) {
		return signing.NewBuckarooSigner(websiteKey, secretKey, next, cfg.signing...)
	}
	hc, err := apiclient.HTTPClient(cfg.http, sign, transport.Config{Provider: provider, Secrets: []string{secretKey}, SignedPerAttempt: true})
	if err != nil {
		return nil, configError("WithHTTPClient", "cannot be used", err)
	}
	newVerifier := func(extra ...signing.BuckarooOption) (*signing.BuckarooVerifier, error) {
		opts := append(append([]signing.BuckarooOption{}, cfg.signing...), extra...)
		return signing.NewBuckarooVerifier(websiteKey, secretKey, opts...)
	}
	// ParsePush remembers nonces so a captured push cannot be replayed;
	// WebhookHandler uses its betaalkit.ReplayStore instead.
	verifier, err := newVerifier(signing.BuckarooRejectReplays())
	if err != nil {
		return nil, configError("WithSigningOptions", "cannot be used", err)
	}
	api, err := gen.NewClient(base.String(), gen.WithHTTPClient(hc))
	if err != nil {
		return nil, configError(cfg.baseSetting, "cannot be used", err)
	}
	return &Client{api: api, verifier: verifier, newVerifier: newVerifier, logger: cfg.http.Logger,
		form: &formVerifier{websiteKey: websiteKey, secretKey: secretKey}}, nil
}

func configError(setting, reason string, err error) error {
	return &betaalkit.ConfigError{Provider: provider, Setting: setting, Reason: reason, Err: err}
}

// CreatePayment sends a transaction request (POST /json/Transaction):
// Buckaroo calls a payment a transaction, and the same request carries
// actions on earlier transactions such as a refund. Its amounts are the
// wire's decimal euros (money.Decimal, e.g. money.MustDecimal("8.00") or
// money.Cents(800).Decimal()); the typed helpers PayInInstallments and
// CreateRefund take cents. The request is checked first (Currency, an amount, ClientIP.Type against its Address, each
// service's Name and Action): a mistake is a *betaalkit.FieldError naming
// the field's JSON path.
//
// A request Buckaroo refuses (status 491/492 or RequestErrors) returns an
// *Error that carries the transaction; other outcomes (success, pending,
// failed, rejected, canceled) are returned as the transaction, to be
// judged with StatusOf.
func (c *Client) CreatePayment(ctx context.Context, req TransactionRequest) (*Transaction, error) {
	return c.send(ctx, apiclient.Call{Provider: provider, Op: "create payment"}, req)
}

func (c *Client) send(ctx context.Context, call apiclient.Call, req TransactionRequest) (*Transaction, error) {
	if err := validateRequest(req); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.CreateTransaction(ctx, req))
	if err != nil {
		return nil, err
	}
	return transactionResult(r)
}

// PayInInstallments starts an iDEAL In3 (Capayable) payment: it builds the
// request with In3Payment.Request, which checks the payment (required
// fields, line totals) before anything is sent, and sends it with
// CreatePayment.
func (c *Client) PayInInstallments(ctx context.Context, p In3Payment) (*Transaction, error) {
	req, err := p.Request()
	if err != nil {
		return nil, apiclient.Call{Provider: provider, Op: "create payment"}.Wrap(err)
	}
	return c.CreatePayment(ctx, req)
}

// RefundRequest is a refund of (part of) an earlier transaction.
type RefundRequest struct {
	// Amount is what to pay back, in cents; it must be positive.
	Amount money.Cents
	// Currency defaults to EUR.
	Currency string
	// Invoice is the merchant's reference for the refund.
	Invoice string
	// Description is shown to the customer where the method supports it.
	Description string
	// Service is the original transaction's service; it defaults to
	// Capayable (iDEAL In3).
	Service string
}

// Request builds the transaction request CreateRefund sends, in the layout
// of the document's example: AmountCredit (decimal euros), the original
// transaction's key, and the service's Refund action.
func (r RefundRequest) Request(originalTransactionKey string) (TransactionRequest, error) {
	if err := apiclient.CheckPathID("OriginalTransactionKey", originalTransactionKey); err != nil {
		return TransactionRequest{}, err
	}
	if r.Amount <= 0 {
		return TransactionRequest{}, &betaalkit.FieldError{Field: "AmountCredit", Reason: fmt.Sprintf("%s is not a positive amount", r.Amount)}
	}
	return TransactionRequest{
		Currency:               orDefault(r.Currency, "EUR"),
		AmountCredit:           r.Amount.Decimal(),
		Invoice:                r.Invoice,
		Description:            r.Description,
		OriginalTransactionKey: originalTransactionKey,
		Services: RequestServices{ServiceList: []RequestService{
			{Name: orDefault(r.Service, ServiceCapayable), Action: ActionRefund},
		}},
	}, nil
}

// CreateRefund refunds (part of) an earlier transaction, e.g. a
// PayInInstallments payment: a transaction request with the Refund action
// (POST /json/Transaction). The answer is the refund's own transaction.
func (c *Client) CreateRefund(ctx context.Context, originalTransactionKey string, refund RefundRequest) (*Transaction, error) {
	call := apiclient.Call{Provider: provider, Op: "create refund"}
	req, err := refund.Request(originalTransactionKey)
	if err != nil {
		return nil, call.Wrap(err)
	}
	return c.send(ctx, call, req)
}

// GetPayment fetches a transaction's current state, e.g. to confirm a push
// before acting on it (GET /json/Transaction/Status/{transactionKey}).
func (c *Client) GetPayment(ctx context.Context, transactionKey string) (*Transaction, error) {
	call := apiclient.Call{Provider: provider, Op: "get payment"}
	if err := apiclient.CheckPathID("transactionKey", transactionKey); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.GetTransactionStatus(ctx, transactionKey))
	if err != nil {
		return nil, err
	}
	return transactionResult(r)
}

// transactionResult decodes a transaction answer: a refusal becomes an
// *Error, and an answer without a status code (or, when not refused,
// without a key) is an ErrDecode keeping the raw body.
func transactionResult(r *apiclient.Response) (*Transaction, error) {
	tx, err := apiclient.Expect[Transaction](r, toError, http.StatusOK)
	if err != nil {
		return nil, err
	}
	if tx.Status.Code.Code == 0 {
		return nil, apiclient.DecodeFailure(r, errors.New("the transaction has no Status.Code.Code"))
	}
	if refused(tx) {
		return nil, refusal(r, tx)
	}
	if tx.Key == "" {
		return nil, apiclient.DecodeFailure(r, errors.New("the transaction has no Key"))
	}
	return tx, nil
}

func validateRequest(req TransactionRequest) error {
	if err := apiclient.CheckCurrency("Currency", req.Currency); err != nil {
		return err
	}
	if req.AmountDebit.IsZero() && req.AmountCredit.IsZero() {
		return &betaalkit.FieldError{Field: "AmountDebit", Reason: "a transaction needs AmountDebit (payment) or AmountCredit (refund)"}
	}
	for _, a := range []struct {
		name string
		v    money.Decimal
	}{{"AmountDebit", req.AmountDebit}, {"AmountCredit", req.AmountCredit}} {
		if a.v.Rat().Sign() < 0 {
			return &betaalkit.FieldError{Field: a.name, Reason: fmt.Sprintf("%s is negative", a.v)}
		}
	}
	if ip := req.ClientIP; ip.Address != "" {
		addr, err := netip.ParseAddr(ip.Address)
		switch {
		case err != nil:
			return &betaalkit.FieldError{Field: "ClientIP.Address", Reason: fmt.Sprintf("%q is not an IP address", ip.Address)}
		case ipType(addr) != ip.Type:
			return &betaalkit.FieldError{Field: "ClientIP.Type", Reason: fmt.Sprintf("%d does not match %s (0 IPv4, 1 IPv6)", ip.Type, ip.Address)}
		}
	}
	for i, s := range req.Services.ServiceList {
		if s.Name == "" {
			return &betaalkit.FieldError{Field: fmt.Sprintf("Services.ServiceList[%d].Name", i), Reason: "is required"}
		}
		if s.Action == "" {
			return &betaalkit.FieldError{Field: fmt.Sprintf("Services.ServiceList[%d].Action", i), Reason: "is required"}
		}
	}
	return nil
}

// ipType is the ClientIP.Type of an address.
func ipType(addr netip.Addr) ClientIPType {
	if addr.Is6() && !addr.Is4In6() {
		return ClientIPv6
	}
	return ClientIPv4
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
