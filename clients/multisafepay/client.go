// Package multisafepay is the client for the MultiSafepay JSON API v1:
// gateways, iDEAL issuers, categories, orders of every kind (redirect,
// direct, checkout, payment link, recurring, split payments, templates) and
// payment method, order updates, refunds, and signed POST notifications.
//
//	c, err := multisafepay.New(apiKey, multisafepay.WithEnvironment(multisafepay.Live))
//	order, err := c.CreateOrder(ctx, multisafepay.OrderCreate{...})
//	http.Redirect(w, r, *order.PaymentURL, http.StatusFound)
//
// Every call sends the API key in a header named exactly "api_key", as the
// documentation spells it. Answers arrive in the {"success", "data"}
// envelope; the methods return the data, and any error answer becomes an
// *Error carrying MultiSafepay's error_code and error_info.
package multisafepay

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	gen "github.com/betaalkit/betaalkit/gen/multisafepay"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/transport"
)

// Environment is the base URL of one of MultiSafepay's API environments.
type Environment string

// The environments. Test orders need a test API key, live orders a live one.
const (
	Test Environment = "https://testapi.multisafepay.com/v1/json"
	Live Environment = "https://api.multisafepay.com/v1/json"
)

// The API's models, so callers need not import the generated package.
type (
	Order                            = gen.Order
	OrderCreate                      = gen.OrderCreate
	OrderUpdate                      = gen.OrderUpdate
	OrderUpdateStatus                = gen.OrderUpdateStatus
	OrderType                        = gen.OrderType
	Notification                     = gen.Notification
	Gateway                          = gen.Gateway
	Issuer                           = gen.Issuer
	Category                         = gen.Category
	Refund                           = gen.Refund
	RefundCreate                     = gen.RefundCreate
	PaymentOptions                   = gen.PaymentOptions
	PaymentOptionsNotificationMethod = gen.PaymentOptionsNotificationMethod
	GatewayInfo                      = gen.GatewayInfo
	Customer                         = gen.Customer
	Delivery                         = gen.Delivery
	ShoppingCart                     = gen.ShoppingCart
	CartItem                         = gen.CartItem
	CheckoutOptions                  = gen.CheckoutOptions
	TaxTables                        = gen.TaxTables
	TaxTableDefault                  = gen.TaxTableDefault
	Affiliate                        = gen.Affiliate
	SplitPayment                     = gen.SplitPayment
	Template                         = gen.Template
	PaymentDetails                   = gen.PaymentDetails
	Cost                             = gen.Cost
)

// Order types (the payment flow).
const (
	OrderTypeRedirect    = gen.OrderTypeRedirect
	OrderTypeDirect      = gen.OrderTypeDirect
	OrderTypeCheckout    = gen.OrderTypeCheckout
	OrderTypePaymentlink = gen.OrderTypePaymentlink
)

// Notification methods; only POST notifications are signed.
const (
	NotificationMethodPOST = gen.PaymentOptionsNotificationMethodPOST
	NotificationMethodGET  = gen.PaymentOptionsNotificationMethodGET
)

// Order update statuses.
const (
	UpdateStatusShipped   = gen.OrderUpdateStatusShipped
	UpdateStatusCompleted = gen.OrderUpdateStatusCompleted
	UpdateStatusVoid      = gen.OrderUpdateStatusVoid
)

// Option configures a Client.
type Option func(*config)

type config struct {
	baseURL string
	http    transport.Options
	locale  string
}

// WithEnvironment selects the test or live API. The default is Test.
func WithEnvironment(env Environment) Option { return func(c *config) { c.baseURL = string(env) } }

// WithBaseURL points the client at another host, e.g. the sandbox
// ("http://127.0.0.1:8080/v1/json"). The last of WithBaseURL and
// WithEnvironment wins.
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

// WithLocale adds ?locale=<locale> (e.g. "nl" or "nl_NL") to every call, so
// gateway names and messages come back in that language.
func WithLocale(locale string) Option { return func(c *config) { c.locale = locale } }

// Client calls the MultiSafepay API. It is safe for concurrent use.
type Client struct {
	api    *gen.Client
	locale *string
	// notify holds the API key for notification checks behind a pointer, so
	// that printing a Client shows an address, never the key.
	notify *notifyKey
}

type notifyKey struct{ apiKey string }

// New returns a client that authenticates with the website's API key.
func New(apiKey string, opts ...Option) (*Client, error) {
	cfg := config{baseURL: string(Test)}
	for _, o := range opts {
		o(&cfg)
	}
	base, err := apiclient.BaseURL(provider, cfg.baseURL)
	if err != nil {
		return nil, err
	}
	auth, err := signing.NewMultiSafepayAPIKey(apiKey, nil)
	if err != nil {
		return nil, fmt.Errorf("multisafepay: API key is empty: %w", err)
	}
	hc, err := apiclient.HTTPClient(cfg.http, nil, transport.Config{Provider: provider, Secrets: []string{apiKey}})
	if err != nil {
		return nil, fmt.Errorf("multisafepay: %w", err)
	}
	api, err := gen.NewClient(base.String(), gen.WithHTTPClient(hc), gen.WithRequestEditorFn(apiclient.AuthorizeEditor(auth)))
	if err != nil {
		return nil, fmt.Errorf("multisafepay: %w", err)
	}
	c := &Client{api: api, notify: &notifyKey{apiKey: apiKey}}
	if cfg.locale != "" {
		c.locale = &cfg.locale
	}
	return c, nil
}

// GatewayFilter narrows ListGateways; every field is optional.
type GatewayFilter struct {
	Country  string      // ISO 3166-1, e.g. "NL"
	Currency string      // ISO 4217, e.g. "EUR"
	Amount   money.Cents // drops gateways that do not accept this amount; 0 means no filter
	Include  string      // comma-separated extra types, e.g. "coupons"
}

// ListGateways returns the payment methods available to the website.
func (c *Client) ListGateways(ctx context.Context, filter *GatewayFilter) ([]Gateway, error) {
	params := &gen.ListGatewaysParams{Locale: c.locale}
	if filter != nil {
		params.Country = nonEmpty(filter.Country)
		params.Currency = nonEmpty(filter.Currency)
		params.Include = nonEmpty(filter.Include)
		if filter.Amount != 0 {
			amount := int64(filter.Amount)
			params.Amount = &amount
		}
	}
	r, err := apiclient.Read(c.api.ListGateways(ctx, params))
	if err != nil {
		return nil, fmt.Errorf("multisafepay: list gateways: %w", err)
	}
	env, err := expect[gen.GatewayListEnvelope](r)
	if err != nil {
		return nil, err
	}
	return env.Data, nil
}

// GetGateway returns one gateway, e.g. "IDEAL".
func (c *Client) GetGateway(ctx context.Context, id string) (*Gateway, error) {
	if err := apiclient.CheckPathID("id", id); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.GetGateway(ctx, id, &gen.GetGatewayParams{Locale: c.locale}))
	if err != nil {
		return nil, fmt.Errorf("multisafepay: get gateway: %w", err)
	}
	env, err := expect[gen.GatewayEnvelope](r)
	if err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// ListIssuers returns the issuers of a gateway; the document supports "ideal".
func (c *Client) ListIssuers(ctx context.Context, gatewayID string) ([]Issuer, error) {
	if err := apiclient.CheckPathID("gateway_id", gatewayID); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.ListIssuers(ctx, gatewayID, &gen.ListIssuersParams{Locale: c.locale}))
	if err != nil {
		return nil, fmt.Errorf("multisafepay: list issuers: %w", err)
	}
	env, err := expect[gen.IssuerListEnvelope](r)
	if err != nil {
		return nil, err
	}
	return env.Data, nil
}

// ListIdealIssuers returns the banks a customer can choose for a direct
// iDEAL order (their code goes into GatewayInfo.IssuerID).
func (c *Client) ListIdealIssuers(ctx context.Context) ([]Issuer, error) {
	return c.ListIssuers(ctx, "ideal")
}

// ListCategories returns the website categories.
func (c *Client) ListCategories(ctx context.Context) ([]Category, error) {
	r, err := apiclient.Read(c.api.ListCategories(ctx, &gen.ListCategoriesParams{Locale: c.locale}))
	if err != nil {
		return nil, fmt.Errorf("multisafepay: list categories: %w", err)
	}
	env, err := expect[gen.CategoryListEnvelope](r)
	if err != nil {
		return nil, err
	}
	return env.Data, nil
}

// CreateOrder creates an order. A redirect order answers with order_id and
// payment_url (send the customer there); a direct order answers with the
// full order, and for iDEAL its payment_url is the bank's page.
func (c *Client) CreateOrder(ctx context.Context, order OrderCreate) (*Order, error) {
	if err := validateOrder(order); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.CreateOrder(ctx, &gen.CreateOrderParams{Locale: c.locale}, order))
	if err != nil {
		return nil, fmt.Errorf("multisafepay: create order: %w", err)
	}
	env, err := expect[gen.OrderEnvelope](r)
	if err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// GetOrder retrieves an order's status and details by the merchant's order id.
func (c *Client) GetOrder(ctx context.Context, orderID string) (*Order, error) {
	if err := apiclient.CheckPathID("order_id", orderID); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.GetOrder(ctx, orderID, &gen.GetOrderParams{Locale: c.locale}))
	if err != nil {
		return nil, fmt.Errorf("multisafepay: get order: %w", err)
	}
	env, err := expect[gen.OrderEnvelope](r)
	if err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// UpdateOrder ships, completes or voids an order, or sets its track and
// trace code or invoice id.
func (c *Client) UpdateOrder(ctx context.Context, orderID string, update OrderUpdate) error {
	if err := apiclient.CheckPathID("order_id", orderID); err != nil {
		return err
	}
	if update.Status != nil && !update.Status.Valid() {
		return &apiclient.FieldError{Field: "status", Reason: fmt.Sprintf("%q is not one of shipped, completed, void", *update.Status)}
	}
	r, err := apiclient.Read(c.api.UpdateOrder(ctx, orderID, &gen.UpdateOrderParams{Locale: c.locale}, update))
	if err != nil {
		return fmt.Errorf("multisafepay: update order: %w", err)
	}
	_, err = expect[gen.UpdateEnvelope](r)
	return err
}

// CreateRefund refunds an order: an amount (Currency, Amount, Description),
// a shopping cart (CheckoutData: the original items plus copies of the
// refunded ones with negative quantity, or negative unit_price for Klarna),
// or a bank transfer (an amount plus GatewayInfo with the account).
func (c *Client) CreateRefund(ctx context.Context, orderID string, refund RefundCreate) (*Refund, error) {
	if err := apiclient.CheckPathID("order_id", orderID); err != nil {
		return nil, err
	}
	if err := validateRefund(refund); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.CreateRefund(ctx, orderID, &gen.CreateRefundParams{Locale: c.locale}, refund))
	if err != nil {
		return nil, fmt.Errorf("multisafepay: create refund: %w", err)
	}
	env, err := expect[gen.RefundEnvelope](r)
	if err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// envelope lists the success envelopes of the API.
type envelope interface {
	gen.GatewayListEnvelope | gen.GatewayEnvelope | gen.IssuerListEnvelope |
		gen.CategoryListEnvelope | gen.OrderEnvelope | gen.UpdateEnvelope | gen.RefundEnvelope
}

// mayBeUnsuccessful reports whether body may hold "success": false: only
// then is the envelope decoded twice. JSON's false is always spelled so,
// while the key may be escaped or in any case (encoding/json matches it
// case-insensitively), so the test is for the value.
func mayBeUnsuccessful(body []byte) bool { return bytes.Contains(body, []byte("false")) }

// expect decodes a success envelope. An error status, or "success": false
// (which MultiSafepay may send with 200, with data {} or []), becomes an *Error.
func expect[T envelope](r *apiclient.Response) (*T, error) {
	// The text test spares a second parse of every successful answer.
	if (r.StatusCode == http.StatusOK || r.StatusCode == http.StatusCreated) && mayBeUnsuccessful(r.Body) {
		head := apiclient.DecodeErrorBody[struct {
			Success *bool `json:"success"`
		}](r)
		if head != nil && head.Success != nil && !*head.Success {
			return nil, toError(r)
		}
	}
	return apiclient.Expect[T](r, toError, http.StatusOK, http.StatusCreated)
}

func validateOrder(o OrderCreate) error {
	if strings.TrimSpace(o.OrderID) == "" {
		return &apiclient.FieldError{Field: "order_id", Reason: "is empty; use your own unique order reference"}
	}
	if len(o.Currency) != 3 || strings.ToUpper(o.Currency) != o.Currency {
		return &apiclient.FieldError{Field: "currency", Reason: fmt.Sprintf("%q is not an ISO 4217 code such as EUR", o.Currency)}
	}
	if o.Amount <= 0 {
		return &apiclient.FieldError{Field: "amount", Reason: fmt.Sprintf("%d cents is not a positive amount", o.Amount)}
	}
	if strings.TrimSpace(o.Description) == "" {
		return &apiclient.FieldError{Field: "description", Reason: "is empty"}
	}
	if n := utf8.RuneCountInString(o.Description); n > 200 {
		return &apiclient.FieldError{Field: "description", Reason: fmt.Sprintf("is %d characters; at most 200", n)}
	}
	if o.Type != nil && !o.Type.Valid() {
		return &apiclient.FieldError{Field: "type", Reason: fmt.Sprintf("%q is not one of redirect, direct, checkout, paymentlink", *o.Type)}
	}
	if o.Type != nil && *o.Type == OrderTypeDirect && (o.Gateway == nil || *o.Gateway == "") {
		return &apiclient.FieldError{Field: "gateway", Reason: "a direct order needs a gateway (see ListGateways)"}
	}
	if o.Type != nil && *o.Type == OrderTypeDirect && o.Gateway != nil && strings.EqualFold(*o.Gateway, "IDEAL") && o.RecurringID == nil {
		if o.GatewayInfo == nil || o.GatewayInfo.IssuerID == nil || o.GatewayInfo.IssuerID.String() == "" {
			return &apiclient.FieldError{Field: "gateway_info.issuer_id", Reason: "a direct iDEAL order needs the customer's bank (see ListIdealIssuers)"}
		}
	}
	if o.PaymentOptions != nil && o.PaymentOptions.NotificationMethod != nil && !o.PaymentOptions.NotificationMethod.Valid() {
		return &apiclient.FieldError{Field: "payment_options.notification_method", Reason: fmt.Sprintf("%q is not POST or GET", *o.PaymentOptions.NotificationMethod)}
	}
	if o.Affiliate != nil && o.Affiliate.SplitPayments != nil && len(*o.Affiliate.SplitPayments) > 0 && o.Var3 != nil && *o.Var3 != "" {
		return &apiclient.FieldError{Field: "var3", Reason: "must be empty with split payments, or MultiSafepay discards the split"}
	}
	return nil
}

func validateRefund(r RefundCreate) error {
	if r.CheckoutData != nil {
		if r.CheckoutData.Items == nil || len(*r.CheckoutData.Items) == 0 {
			return &apiclient.FieldError{Field: "checkout_data.items", Reason: "a shopping-cart refund needs the cart items"}
		}
		return nil
	}
	if r.Amount == nil || *r.Amount <= 0 {
		return &apiclient.FieldError{Field: "amount", Reason: "a refund needs a positive amount in cents (or checkout_data)"}
	}
	if r.Currency == nil || len(*r.Currency) != 3 || strings.ToUpper(*r.Currency) != *r.Currency {
		return &apiclient.FieldError{Field: "currency", Reason: "a refund needs the order's ISO 4217 currency, e.g. EUR"}
	}
	return nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
