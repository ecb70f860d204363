// Package multisafepay is the client for the MultiSafepay JSON API v1:
// gateways, iDEAL issuers, categories, orders of every kind (redirect,
// direct, checkout, payment link, recurring, split payments, templates) and
// payment method, order updates, refunds, and signed POST notifications.
//
// MultiSafepay calls a payment an order, identified by your own order_id:
//
//	c, err := multisafepay.New(apiKey) // the test environment; WithEnvironment(Live) for real money
//	order, err := c.CreatePayment(ctx, multisafepay.OrderCreate{
//		OrderID: "order-1001", Currency: "EUR", Amount: 1000, Description: "Order 1001",
//		Gateway: multisafepay.GatewayIDEAL,
//	})
//	http.Redirect(w, r, multisafepay.PaymentURL(order), http.StatusFound)
//	// later: c.GetPayment(ctx, "order-1001"), or the WebhookHandler's callback
//
// The steps every betaalkit client shares: CreatePayment, GetPayment,
// PaymentURL, StatusOf / NormalizeStatus, AmountOf, CreateRefund and
// WebhookHandler. Besides them: UpdateOrder (ship, complete, void),
// ListGateways, GetGateway, ListIssuers / ListIdealIssuers, ListCategories,
// ListPaymentMethods / GetPaymentMethod (with iDEAL's issuers), a customer's
// recurring tokens (ListTokens / Tokens, GetToken, DeleteToken), and the
// account's transactions for reconciliation (ListTransactions, and
// Transactions, which walks every page of the cursor).
//
// Every call sends the API key in a header named exactly "api_key", as the
// documentation spells it. Answers arrive in the {"success", "data"}
// envelope; the methods return the data. An error answer becomes an *Error
// carrying MultiSafepay's error_code and error_info; a success answer
// without the envelope, or without what it must carry (an order without
// order_id), is a *betaalkit.DecodeError (betaalkit.ErrDecode) with the raw
// body, never an empty value.
//
// Amounts: every amount you pass and every amount AmountOf returns is
// money.Cents. The models keep the wire's types: cents (money.Cents,
// money.BlankCents) for order, refund and split amounts, exact decimals
// (money.DecimalString, money.Decimal) for item prices and tax rates.
package multisafepay

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/multisafepay"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/transport"
)

// Environment is the base URL of one of MultiSafepay's API environments.
type Environment string

// The environments. Test orders need a test API key, live orders a live
// one. Without WithEnvironment a client talks to Test.
const (
	Test Environment = "https://testapi.multisafepay.com/v1/json"
	Live Environment = "https://api.multisafepay.com/v1/json"
)

// Option configures a Client.
type Option func(*config)

type config struct {
	baseURL string
	// baseSetting names the option that set baseURL, for a ConfigError.
	baseSetting string
	http        transport.Options
	locale      string
}

// WithEnvironment selects the test or live API. The default is Test.
func WithEnvironment(env Environment) Option {
	return func(c *config) { c.baseURL, c.baseSetting = string(env), "WithEnvironment" }
}

// WithBaseURL points the client at another host, e.g. the sandbox
// ("http://127.0.0.1:8080/v1/json"). The last of WithBaseURL and
// WithEnvironment wins.
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
// WebhookHandler logs its refusals (Warn) to l too.
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
	locale gen.Locale
	logger *slog.Logger
	// notify holds the API key for notification checks behind a pointer, so
	// that printing a Client shows an address, never the key.
	notify *notifyKey
}

type notifyKey struct{ apiKey string }

// New returns a client that authenticates with the website's API key. It
// talks to the test environment unless WithEnvironment(Live) or WithBaseURL
// says otherwise. Every error is a *betaalkit.ConfigError
// (betaalkit.ErrConfig) naming the argument or option.
func New(apiKey string, opts ...Option) (*Client, error) {
	cfg := config{baseURL: string(Test), baseSetting: "WithEnvironment"}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	auth, err := signing.NewMultiSafepayAPIKey(apiKey, nil)
	if err != nil {
		return nil, configError("apiKey", "is empty", err)
	}
	base, err := apiclient.BaseURL(provider, cfg.baseURL)
	if err != nil {
		return nil, configError(cfg.baseSetting, fmt.Sprintf("%q is not an absolute URL", cfg.baseURL), err)
	}
	hc, err := apiclient.HTTPClient(cfg.http, nil, transport.Config{Provider: provider, Secrets: []string{apiKey}})
	if err != nil {
		return nil, configError("WithHTTPClient", "cannot be used", err)
	}
	api, err := gen.NewClient(base.String(), gen.WithHTTPClient(hc), gen.WithRequestEditorFn(apiclient.AuthorizeEditor(auth)))
	if err != nil {
		return nil, configError(cfg.baseSetting, "cannot be used", err)
	}
	return &Client{api: api, locale: gen.Locale(cfg.locale), logger: cfg.http.Logger, notify: &notifyKey{apiKey: apiKey}}, nil
}

func configError(setting, reason string, err error) error {
	return &betaalkit.ConfigError{Provider: provider, Setting: setting, Reason: reason, Err: err}
}

// GatewayFilter narrows ListGateways; the zero value lists every gateway.
type GatewayFilter struct {
	Country  string      // ISO 3166-1, e.g. "NL"
	Currency string      // ISO 4217, e.g. "EUR"
	Amount   money.Cents // drops gateways that do not accept this amount; 0 means no filter
	Include  string      // comma-separated extra types, e.g. "coupons"
}

// ListGateways returns the payment methods available to the website
// (GET /gateways).
func (c *Client) ListGateways(ctx context.Context, filter GatewayFilter) ([]Gateway, error) {
	call := apiclient.Call{Provider: provider, Op: "list gateways"}
	if filter.Amount < 0 {
		return nil, call.Wrap(&betaalkit.FieldError{Field: "amount", Reason: fmt.Sprintf("%d cents is negative", filter.Amount)})
	}
	params := &gen.ListGatewaysParams{
		Locale:   c.locale,
		Country:  filter.Country,
		Currency: filter.Currency,
		Amount:   int64(filter.Amount), // 0 is not sent
		Include:  filter.Include,
	}
	env, err := expect[gen.GatewayListEnvelope](call.Read(c.api.ListGateways(ctx, params)))
	if err != nil {
		return nil, err
	}
	return env.Data, nil
}

// GetGateway returns one gateway, e.g. GatewayIDEAL (GET /gateways/{id}).
func (c *Client) GetGateway(ctx context.Context, id string) (*Gateway, error) {
	call := apiclient.Call{Provider: provider, Op: "get gateway"}
	if err := apiclient.CheckPathID("id", id); err != nil {
		return nil, call.Wrap(err)
	}
	env, err := expect[gen.GatewayEnvelope](call.Read(c.api.GetGateway(ctx, id, &gen.GetGatewayParams{Locale: c.locale})))
	if err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// ListIssuers returns the issuers of a gateway (GET /issuers/{gateway_id});
// the document supports "ideal".
func (c *Client) ListIssuers(ctx context.Context, gatewayID string) ([]Issuer, error) {
	call := apiclient.Call{Provider: provider, Op: "list issuers"}
	if err := apiclient.CheckPathID("gateway_id", gatewayID); err != nil {
		return nil, call.Wrap(err)
	}
	env, err := expect[gen.IssuerListEnvelope](call.Read(c.api.ListIssuers(ctx, gatewayID, &gen.ListIssuersParams{Locale: c.locale})))
	if err != nil {
		return nil, err
	}
	return env.Data, nil
}

// ListIdealIssuers returns the banks a customer can choose for a direct
// iDEAL order; an issuer's Code goes into GatewayInfo.IssuerID.
func (c *Client) ListIdealIssuers(ctx context.Context) ([]Issuer, error) {
	return c.ListIssuers(ctx, "ideal")
}

// ListCategories returns the website categories (GET /categories).
func (c *Client) ListCategories(ctx context.Context) ([]Category, error) {
	call := apiclient.Call{Provider: provider, Op: "list categories"}
	env, err := expect[gen.CategoryListEnvelope](call.Read(c.api.ListCategories(ctx, &gen.ListCategoriesParams{Locale: c.locale})))
	if err != nil {
		return nil, err
	}
	return env.Data, nil
}

// CreatePayment creates an order, which is what MultiSafepay calls a
// payment (POST /orders). A redirect order answers only order_id and
// payment_url (send the customer there, see PaymentURL); a direct order
// answers the full order, and for iDEAL its payment_url is the bank's page.
// The order is checked before it is sent (a *betaalkit.FieldError names the
// field as sent on the wire).
func (c *Client) CreatePayment(ctx context.Context, order OrderCreate) (*Order, error) {
	call := apiclient.Call{Provider: provider, Op: "create payment"}
	if err := validateOrder(order); err != nil {
		return nil, call.Wrap(err)
	}
	env, err := expect[gen.OrderEnvelope](call.Read(c.api.CreateOrder(ctx, &gen.CreateOrderParams{Locale: c.locale}, order)))
	if err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// GetPayment retrieves an order's status and details by your own order id
// (GET /orders/{order_id}).
func (c *Client) GetPayment(ctx context.Context, orderID string) (*Order, error) {
	call := apiclient.Call{Provider: provider, Op: "get payment"}
	if err := apiclient.CheckPathID("order_id", orderID); err != nil {
		return nil, call.Wrap(err)
	}
	env, err := expect[gen.OrderEnvelope](call.Read(c.api.GetOrder(ctx, orderID, &gen.GetOrderParams{Locale: c.locale})))
	if err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// UpdateOrder ships, completes or voids an order, or sets its track and
// trace code or invoice id (PATCH /orders/{order_id}).
func (c *Client) UpdateOrder(ctx context.Context, orderID string, update OrderUpdate) error {
	call := apiclient.Call{Provider: provider, Op: "update order"}
	if err := apiclient.CheckPathID("order_id", orderID); err != nil {
		return call.Wrap(err)
	}
	if update.Status != "" && !update.Status.Valid() {
		return call.Wrap(&betaalkit.FieldError{Field: "status", Reason: fmt.Sprintf("%q is not one of shipped, completed, void", update.Status)})
	}
	_, err := expect[gen.UpdateEnvelope](call.Read(c.api.UpdateOrder(ctx, orderID, &gen.UpdateOrderParams{Locale: c.locale}, update)))
	return err
}

// CreateRefund refunds an order (POST /orders/{order_id}/refunds): an
// amount in cents (Currency, Amount, Description), a shopping cart
// (CheckoutData: the original items, see CartOf, plus copies of the
// refunded ones with negative quantity, or negative unit_price for
// Klarna), or a bank transfer (an amount plus GatewayInfo with the
// account).
func (c *Client) CreateRefund(ctx context.Context, orderID string, refund RefundCreate) (*Refund, error) {
	call := apiclient.Call{Provider: provider, Op: "create refund"}
	if err := apiclient.CheckPathID("order_id", orderID); err != nil {
		return nil, call.Wrap(err)
	}
	if err := validateRefund(refund); err != nil {
		return nil, call.Wrap(err)
	}
	env, err := expect[gen.RefundEnvelope](call.Read(c.api.CreateRefund(ctx, orderID, &gen.CreateRefundParams{Locale: c.locale}, refund)))
	if err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// envelope lists the success envelopes of the API.
type envelope interface {
	gen.GatewayListEnvelope | gen.GatewayEnvelope | gen.IssuerListEnvelope |
		gen.CategoryListEnvelope | gen.OrderEnvelope | gen.UpdateEnvelope | gen.RefundEnvelope |
		gen.PaymentMethodInfoListEnvelope | gen.PaymentMethodInfoEnvelope |
		gen.TokenListEnvelope | gen.TokenEnvelope | gen.TokenDeleteEnvelope | gen.TransactionListEnvelope
}

// mayBeUnsuccessful reports whether body may hold "success": false: only
// then is the envelope decoded twice. JSON's false is always spelled so,
// while the key may be escaped or in any case (encoding/json matches it
// case-insensitively), so the test is for the value.
func mayBeUnsuccessful(body []byte) bool { return bytes.Contains(body, []byte("false")) }

// expect decodes a success envelope from a call.Read result. An error
// status, or "success": false (which MultiSafepay may send with 200, with
// data {} or []), becomes an *Error; a success answer without the envelope
// or without what it must carry becomes a decode error with the raw body.
func expect[T envelope](r *apiclient.Response, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	// The text test spares a second parse of every successful answer.
	if (r.StatusCode == http.StatusOK || r.StatusCode == http.StatusCreated) && mayBeUnsuccessful(r.Body) {
		head := apiclient.DecodeErrorBody[struct {
			Success *bool `json:"success"`
		}](r)
		if head != nil && head.Success != nil && !*head.Success {
			return nil, toError(r)
		}
	}
	env, err := apiclient.Expect[T](r, toError, http.StatusOK, http.StatusCreated)
	if err != nil {
		return nil, err
	}
	if lack := lacking(env); lack != "" {
		return nil, apiclient.DecodeFailure(r, errors.New("a success answer must carry "+lack))
	}
	return env, nil
}

// lacking names what a decoded success envelope is missing ("" if nothing):
// "success": true (an answer without the envelope, such as the document's
// credit-card "JSON Response" or {}), its data, or the field that
// identifies the data.
func lacking(env any) string {
	const envelope = `the {"success": true, "data": …} envelope`
	switch e := env.(type) {
	case *gen.GatewayListEnvelope:
		if !e.Success || e.Data == nil {
			return envelope
		}
	case *gen.IssuerListEnvelope:
		if !e.Success || e.Data == nil {
			return envelope
		}
	case *gen.CategoryListEnvelope:
		if !e.Success || e.Data == nil {
			return envelope
		}
	case *gen.GatewayEnvelope:
		if !e.Success {
			return envelope
		}
		if e.Data.ID == "" {
			return "data.id"
		}
	case *gen.OrderEnvelope:
		if !e.Success {
			return envelope
		}
		if e.Data.OrderID == "" {
			return "data.order_id"
		}
	case *gen.RefundEnvelope:
		if !e.Success {
			return envelope
		}
		if e.Data.RefundID == "" {
			return "data.refund_id"
		}
	case *gen.UpdateEnvelope:
		if !e.Success {
			return envelope
		}
	case *gen.PaymentMethodInfoListEnvelope:
		if !e.Success || e.Data == nil {
			return envelope
		}
	case *gen.PaymentMethodInfoEnvelope:
		if !e.Success {
			return envelope
		}
		if e.Data.ID == "" {
			return "data.id"
		}
	case *gen.TokenListEnvelope:
		if !e.Success {
			return envelope
		}
		if e.Data.Tokens == nil {
			return "data.tokens"
		}
	case *gen.TokenEnvelope:
		if !e.Success {
			return envelope
		}
		if e.Data.Token == "" {
			return "data.token"
		}
	case *gen.TokenDeleteEnvelope:
		if !e.Success {
			return envelope
		}
		if !e.Data.Removed {
			return `data.removed: true (the token was not removed)`
		}
	case *gen.TransactionListEnvelope:
		if !e.Success || e.Data == nil {
			return envelope
		}
	}
	return ""
}

func validateOrder(o OrderCreate) error {
	field := func(name, format string, a ...any) error {
		return &betaalkit.FieldError{Field: name, Reason: fmt.Sprintf(format, a...)}
	}
	if strings.TrimSpace(o.OrderID) == "" {
		return field("order_id", "is empty; use your own unique order reference")
	}
	if err := cmp.Or(apiclient.CheckCurrency("currency", o.Currency), apiclient.CheckAmount("amount", o.Amount)); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(o.Description) == "":
		return field("description", "is empty")
	case utf8.RuneCountInString(o.Description) > 200:
		return field("description", "is %d characters; at most 200", utf8.RuneCountInString(o.Description))
	case o.Type != "" && !o.Type.Valid():
		return field("type", "%q is not one of redirect, direct, checkout, paymentlink", o.Type)
	case o.Type == OrderTypeDirect && o.Gateway == "" && o.RecurringID == "":
		return field("gateway", "a direct order needs a gateway (see ListGateways), or a token as recurring_id")
	case o.Type == OrderTypeDirect && strings.EqualFold(o.Gateway, GatewayIDEAL) && o.RecurringID == "" && o.GatewayInfo.IssuerID == "":
		return field("gateway_info.issuer_id", "a direct iDEAL order needs the customer's bank (see ListIdealIssuers)")
	case o.PaymentOptions.NotificationMethod != "" && !o.PaymentOptions.NotificationMethod.Valid():
		return field("payment_options.notification_method", "%q is not POST or GET", o.PaymentOptions.NotificationMethod)
	case len(o.Affiliate.SplitPayments) > 0 && o.Var3 != "":
		return field("var3", "must be empty with split payments, or MultiSafepay discards the split")
	}
	for i, sp := range o.Affiliate.SplitPayments {
		switch {
		case sp.Merchant == 0:
			return field(fmt.Sprintf("affiliate.split_payments[%d].merchant", i), "names no affiliate merchant id")
		case sp.Fixed == 0 && sp.Percentage.IsZero():
			return field(fmt.Sprintf("affiliate.split_payments[%d]", i), "splits nothing: set fixed (cents) or percentage")
		}
	}
	return nil
}

func validateRefund(r RefundCreate) error {
	if r.CheckoutData.Items != nil {
		if len(r.CheckoutData.Items) == 0 {
			return &betaalkit.FieldError{Field: "checkout_data.items", Reason: "a shopping-cart refund needs the cart items"}
		}
		return nil
	}
	if r.Amount <= 0 {
		return &betaalkit.FieldError{Field: "amount", Reason: "a refund needs a positive amount in cents (or checkout_data)"}
	}
	if len(r.Currency) != 3 || strings.ToUpper(r.Currency) != r.Currency {
		return &betaalkit.FieldError{Field: "currency", Reason: "a refund needs the order's ISO 4217 currency, e.g. EUR"}
	}
	return nil
}
