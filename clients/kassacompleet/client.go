// Package kassacompleet is the client for the Kassa Compleet API (a Ginger
// Payments white label): iDEAL issuers, orders for iDEAL, credit card, bank
// transfer and hosted payment pages, order status, and the status webhook.
//
//	c, err := kassacompleet.New(apiKey)
//	order, err := c.CreateOrder(ctx, kassacompleet.OrderCreate{...})
//	http.Redirect(w, r, kassacompleet.PaymentURL(order), http.StatusFound)
package kassacompleet

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	gen "github.com/betaalkit/betaalkit/gen/kassacompleet"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/transport"
)

// DefaultBaseURL is Kassa Compleet's API. Test orders use a test API key on
// the same host; other Ginger white labels have their own host (WithBaseURL).
const DefaultBaseURL = "https://api.kassacompleet.nl/v1"

// The API's models, so callers need not import the generated package.
type (
	Order                      = gen.Order
	OrderCreate                = gen.OrderCreate
	Transaction                = gen.Transaction
	TransactionCreate          = gen.TransactionCreate
	PaymentMethod              = gen.PaymentMethod
	PaymentMethodDetailsCreate = gen.PaymentMethodDetailsCreate
	Issuer                     = gen.Issuer
	WebhookEvent               = gen.WebhookEvent
)

// Payment methods an order can be created with.
const (
	PaymentMethodIdeal        = gen.PaymentMethodIdeal
	PaymentMethodCreditCard   = gen.PaymentMethodCreditCard
	PaymentMethodBankTransfer = gen.PaymentMethodBankTransfer
)

// Option configures a Client.
type Option func(*config)

type config struct {
	baseURL string
	http    transport.Options
}

// WithBaseURL points the client at another host, e.g. a Ginger white label
// or the sandbox ("https://api.example.com/v1").
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

// Client calls the Kassa Compleet API. It is safe for concurrent use.
type Client struct {
	api     *gen.Client
	baseURL *url.URL
}

// New returns a client that authenticates with apiKey.
func New(apiKey string, opts ...Option) (*Client, error) {
	cfg := config{baseURL: DefaultBaseURL}
	for _, o := range opts {
		o(&cfg)
	}
	base, err := apiclient.BaseURL(provider, cfg.baseURL)
	if err != nil {
		return nil, err
	}
	auth, err := signing.NewBasicAuth(apiKey, nil)
	if err != nil {
		return nil, fmt.Errorf("kassacompleet: API key is empty: %w", err)
	}
	hc, err := apiclient.HTTPClient(cfg.http, nil, transport.Config{Provider: provider, Secrets: []string{apiKey}})
	if err != nil {
		return nil, fmt.Errorf("kassacompleet: %w", err)
	}
	api, err := gen.NewClient(base.String(), gen.WithHTTPClient(hc), gen.WithRequestEditorFn(apiclient.AuthorizeEditor(auth)))
	if err != nil {
		return nil, fmt.Errorf("kassacompleet: %w", err)
	}
	return &Client{api: api, baseURL: base}, nil
}

// ListIdealIssuers returns the banks a customer can choose for iDEAL.
func (c *Client) ListIdealIssuers(ctx context.Context) ([]Issuer, error) {
	r, err := apiclient.Read(c.api.ListIdealIssuers(ctx))
	if err != nil {
		return nil, fmt.Errorf("kassacompleet: list iDEAL issuers: %w", err)
	}
	issuers, err := apiclient.Expect[[]Issuer](r, toError, http.StatusOK)
	if err != nil {
		return nil, err
	}
	return *issuers, nil
}

// CreateOrder creates an order. An order without transactions and return
// URL is a payment-page order: send the customer to PaymentPageURL.
func (c *Client) CreateOrder(ctx context.Context, order OrderCreate) (*Order, error) {
	if err := validateOrder(order); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.CreateOrder(ctx, order))
	if err != nil {
		return nil, fmt.Errorf("kassacompleet: create order: %w", err)
	}
	return apiclient.Expect[Order](r, toError, http.StatusCreated, http.StatusOK)
}

// GetOrder retrieves an order with its transactions.
func (c *Client) GetOrder(ctx context.Context, orderID string) (*Order, error) {
	if err := apiclient.CheckPathID("order_id", orderID); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.GetOrder(ctx, orderID))
	if err != nil {
		return nil, fmt.Errorf("kassacompleet: get order: %w", err)
	}
	return apiclient.Expect[Order](r, toError, http.StatusOK)
}

// PaymentPageURL is the hosted payment page for an order created without a
// payment method: <host>/pay/<order_id>/ on the API's host.
func (c *Client) PaymentPageURL(orderID string) string {
	u := url.URL{Scheme: c.baseURL.Scheme, Host: c.baseURL.Host, Path: "/pay/" + orderID + "/"}
	return u.String()
}

// PaymentURL returns where to send the customer for an order created with a
// payment method: the payment_url of its first transaction that has one.
func PaymentURL(order *Order) string {
	if order == nil || order.Transactions == nil {
		return ""
	}
	for _, t := range *order.Transactions {
		if t.PaymentURL != nil && *t.PaymentURL != "" {
			return *t.PaymentURL
		}
	}
	return ""
}

func validateOrder(o OrderCreate) error {
	if len(o.Currency) != 3 || strings.ToUpper(o.Currency) != o.Currency {
		return &apiclient.FieldError{Field: "currency", Reason: fmt.Sprintf("%q is not an ISO 4217 code such as EUR", o.Currency)}
	}
	if o.Amount <= 0 {
		return &apiclient.FieldError{Field: "amount", Reason: fmt.Sprintf("%d cents is not a positive amount", o.Amount)}
	}
	if o.Transactions == nil {
		return nil
	}
	for i, t := range *o.Transactions {
		field := fmt.Sprintf("transactions[%d]", i)
		if !t.PaymentMethod.Valid() {
			return &apiclient.FieldError{Field: field + ".payment_method", Reason: fmt.Sprintf("%q is not one of ideal, credit-card, bank-transfer", t.PaymentMethod)}
		}
		if t.PaymentMethod != PaymentMethodIdeal {
			continue
		}
		if t.PaymentMethodDetails == nil || t.PaymentMethodDetails.IssuerID == nil || *t.PaymentMethodDetails.IssuerID == "" {
			return &apiclient.FieldError{Field: field + ".payment_method_details.issuer_id", Reason: "iDEAL needs the customer's bank (see ListIdealIssuers)"}
		}
		if o.ReturnURL == nil || *o.ReturnURL == "" {
			return &apiclient.FieldError{Field: "return_url", Reason: "iDEAL needs the URL to send the customer back to"}
		}
	}
	return nil
}
