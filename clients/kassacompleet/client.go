// Package kassacompleet is the client for the Kassa Compleet API (a Ginger
// Payments white label): iDEAL issuers, payments for iDEAL, credit card,
// bank transfer and hosted payment pages, their status, and the status
// webhook. Kassa Compleet calls a payment an order; an order's transactions
// are its payment attempts.
//
//	c, err := kassacompleet.New(apiKey, kassacompleet.WithEnvironment(kassacompleet.Live))
//	order, err := c.CreatePayment(ctx, kassacompleet.OrderCreate{...})
//	http.Redirect(w, r, kassacompleet.PaymentURL(order), http.StatusFound)
//	…
//	status := kassacompleet.StatusOf(order) // status.IsPaid(), status.Raw
//
// The steps have the same names in every betaalkit client: CreatePayment,
// GetPayment, PaymentURL, StatusOf and NormalizeStatus, AmountOf,
// CreateRefund and WebhookHandler. Besides them, from Ginger's reference
// (Kassa Compleet's document stops at orders): Capture for an accepted
// (authorized) transaction, UpdateOrder and CancelOrder, ListIdealIssuers
// and PaymentPageURL.
//
// # Refunds
//
// A refund is an order of its own at Ginger: CreateRefund returns it, with
// RefundOfOrderID naming the refunded order and FlagIsRefund in its Flags.
// The refunded order keeps its status (completed, so StatusOf stays paid)
// and gains FlagHasRefunds; Kassa Compleet has no refunded status. Refund
// the whole amount or part of it, more than once, up to the order's amount.
package kassacompleet

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/kassacompleet"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/transport"
)

// Payment methods an order can be created with.
const (
	PaymentMethodIdeal        = gen.PaymentMethodIdeal
	PaymentMethodCreditCard   = gen.PaymentMethodCreditCard
	PaymentMethodBankTransfer = gen.PaymentMethodBankTransfer
)

// Environment is the Kassa Compleet API a client talks to (its base URL).
type Environment string

// Kassa Compleet has one host for test and live: the API key decides
// whether an order is a test order (a test key, with the demo iDEAL
// issuers) or a real one. Test and Live are therefore the same URL; they
// exist so that code reads the same with every client. Other Ginger white
// labels have hosts of their own: use WithBaseURL.
const (
	Test Environment = "https://api.kassacompleet.nl/v1"
	Live Environment = "https://api.kassacompleet.nl/v1"
)

// Option configures a Client.
type Option func(*config)

type config struct {
	baseURL string
	// baseSetting names the option that set baseURL, for a ConfigError.
	baseSetting string
	http        transport.Options
}

// WithEnvironment picks the API to talk to. Without it a client talks to
// Test (which, at Kassa Compleet, is also Live: the key decides).
func WithEnvironment(e Environment) Option {
	return func(c *config) { c.baseURL, c.baseSetting = string(e), "WithEnvironment" }
}

// WithBaseURL points the client at another host, e.g. a Ginger white label
// or the sandbox ("https://api.example.com/v1"). It wins over an earlier
// WithEnvironment.
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
// webhook handler logs each refused delivery to l as well.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.http.Logger = l } }

// WithAttemptTimeout bounds each attempt (default:
// transport.DefaultAttemptTimeout, unless the HTTP client has a Timeout).
func WithAttemptTimeout(d time.Duration) Option { return func(c *config) { c.http.AttemptTimeout = d } }

// Client calls the Kassa Compleet API. It is safe for concurrent use.
type Client struct {
	api     *gen.Client
	baseURL *url.URL
	logger  *slog.Logger
}

// New returns a client that authenticates with apiKey (a test key for test
// orders, a live key for real ones). Every error is a
// *betaalkit.ConfigError naming the argument or option that is wrong.
func New(apiKey string, opts ...Option) (*Client, error) {
	cfg := config{baseURL: string(Test), baseSetting: "WithEnvironment"}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	auth, err := signing.NewBasicAuth(apiKey, nil)
	if err != nil {
		return nil, configError("apiKey", "is empty", err)
	}
	base, err := apiclient.BaseURL(provider, cfg.baseURL)
	if err != nil {
		return nil, configError(cfg.baseSetting, fmt.Sprintf("%q is not an absolute URL", cfg.baseURL), nil)
	}
	hc, err := apiclient.HTTPClient(cfg.http, nil, transport.Config{Provider: provider, Secrets: []string{apiKey}})
	if err != nil {
		return nil, configError("WithHTTPClient", "cannot be used", err)
	}
	api, err := gen.NewClient(base.String(), gen.WithHTTPClient(hc), gen.WithRequestEditorFn(apiclient.AuthorizeEditor(auth)))
	if err != nil {
		return nil, configError(cfg.baseSetting, "cannot be used", err)
	}
	return &Client{api: api, baseURL: base, logger: cfg.http.Logger}, nil
}

func configError(setting, reason string, err error) error {
	return &betaalkit.ConfigError{Provider: provider, Setting: setting, Reason: reason, Err: err}
}

// ListIdealIssuers returns the banks a customer can choose for iDEAL
// (GET /v1/ideal/issuers/): the demo issuers with a test key, the live
// banks with a live key.
func (c *Client) ListIdealIssuers(ctx context.Context) ([]Issuer, error) {
	call := apiclient.Call{Provider: provider, Op: "list issuers"}
	r, err := call.Read(c.api.ListIdealIssuers(ctx))
	if err != nil {
		return nil, err
	}
	issuers, err := apiclient.Expect[[]Issuer](r, toError, http.StatusOK)
	if err != nil {
		return nil, err
	}
	return *issuers, nil
}

// CreatePayment creates a payment, which Kassa Compleet calls an order
// (POST /v1/orders/). An order with a transaction is paid at PaymentURL(order);
// one without transactions and return URL is a payment-page order: send the
// customer to PaymentPageURL. The order is checked before it is sent: a
// mistake is a *betaalkit.FieldError naming the field's JSON path.
func (c *Client) CreatePayment(ctx context.Context, order OrderCreate) (*Order, error) {
	call := apiclient.Call{Provider: provider, Op: "create payment"}
	if err := validateOrder(order); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.CreateOrder(ctx, order))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Order](r, toError, http.StatusCreated, http.StatusOK)
}

// GetPayment retrieves a payment's current state: the order with its
// transactions (GET /v1/orders/{id}/).
func (c *Client) GetPayment(ctx context.Context, orderID string) (*Order, error) {
	call := apiclient.Call{Provider: provider, Op: "get payment"}
	if err := apiclient.CheckPathID("order_id", orderID); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.GetOrder(ctx, orderID))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Order](r, toError, http.StatusOK)
}

// PaymentPageURL is the hosted payment page for an order created without a
// payment method: <host>/pay/<order_id>/ on the API's host. The customer
// picks the method there.
func (c *Client) PaymentPageURL(orderID string) string {
	u := url.URL{Scheme: c.baseURL.Scheme, Host: c.baseURL.Host, Path: "/pay/" + orderID + "/"}
	return u.String()
}

func validateOrder(o OrderCreate) error {
	if err := apiclient.CheckCurrency("currency", o.Currency); err != nil {
		return err
	}
	if err := apiclient.CheckAmount("amount", o.Amount); err != nil {
		return err
	}
	for i, t := range o.Transactions {
		field := fmt.Sprintf("transactions[%d]", i)
		if !t.PaymentMethod.Valid() {
			return &betaalkit.FieldError{Field: field + ".payment_method", Reason: fmt.Sprintf("%q is not one of ideal, credit-card, bank-transfer", t.PaymentMethod)}
		}
		if t.PaymentMethod != PaymentMethodIdeal {
			continue
		}
		if t.PaymentMethodDetails.IssuerID == "" {
			return &betaalkit.FieldError{Field: field + ".payment_method_details.issuer_id", Reason: "iDEAL needs the customer's bank (see ListIdealIssuers)"}
		}
		if o.ReturnURL == "" {
			return &betaalkit.FieldError{Field: "return_url", Reason: "iDEAL needs the URL to send the customer back to"}
		}
	}
	return validateLines(o.OrderLines)
}
