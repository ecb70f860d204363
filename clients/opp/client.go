// Package opp is the client for Online Betaalplatform (OPP, Online Payment
// Platform). OPP calls a payment a transaction: CreatePayment creates one,
// PaymentURL is where the buyer pays, GetPayment and StatusOf read how it
// stands, CreateRefund pays (part of) it back and WebhookHandler serves the
// notify_url. Orders, refunds, discount codes and batches have their own
// calls, and so do merchants and their bank accounts (OPP is a marketplace:
// every transaction pays a merchant); every list has an iterator over all
// its pages.
//
//	c, err := opp.New(apiKey) // OPP's sandbox until opp.WithEnvironment(opp.Live)
//	tx, err := c.CreatePayment(ctx, opp.TransactionCreate{...})
//	http.Redirect(w, r, opp.PaymentURL(tx), http.StatusFound)
//	for tx, err := range c.Transactions(ctx, opp.TransactionListParams{}) { ... }
//
// Amounts are cents (money.Cents) both ways.
package opp

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/opp"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/transport"
)

// Environment is an OPP API base URL.
type Environment string

// OPP's hosts. Sandbox and live keys differ, and so do the hosts. Without
// WithEnvironment a client talks to Test.
const (
	Test Environment = "https://api-sandbox.onlinebetaalplatform.nl/v1" // OPP calls it the sandbox
	Live Environment = "https://api.onlinebetaalplatform.nl/v1"
)

// The spec's closed sets.
const (
	PaymentMethodIdeal  = gen.PaymentMethodIdeal
	PaymentMethodPaypal = gen.PaymentMethodPaypal
	PaymentMethodBcmc   = gen.PaymentMethodBcmc
	PaymentMethodSepa   = gen.PaymentMethodSepa

	PaymentFlowDirect = gen.PaymentFlowDirect
	PaymentFlowEmail  = gen.PaymentFlowEmail

	LocaleNl = gen.LocaleNl
	LocaleEn = gen.LocaleEn
	LocaleFr = gen.LocaleFr

	DiscountTypeAmount     = gen.DiscountTypeAmount
	DiscountTypePercentage = gen.DiscountTypePercentage

	CodeTypeOnce   = gen.CodeTypeOnce
	CodeTypeLimit  = gen.CodeTypeLimit
	CodeTypeUnique = gen.CodeTypeUnique
	CodeTypeAll    = gen.CodeTypeAll

	RefundStatusCreated   = gen.RefundStatusCreated
	RefundStatusCompleted = gen.RefundStatusCompleted
)

// Option configures a Client.
type Option func(*config)

type config struct {
	merchantUID string
	baseURL     string
	// baseSetting names the option that set baseURL, for a ConfigError.
	baseSetting string
	http        transport.Options
}

// WithEnvironment selects the Test (OPP's sandbox, the default) or Live host.
func WithEnvironment(env Environment) Option {
	return func(c *config) { c.baseURL, c.baseSetting = string(env), "WithEnvironment" }
}

// WithBaseURL points the client at another host, e.g. a local simulator
// ("http://127.0.0.1:8080/v1"). It overrides WithEnvironment.
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
// webhook handler logs its refusals (Warn) and the notifications it skips
// (Info) to l too.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.http.Logger = l } }

// WithAttemptTimeout bounds each attempt (default:
// transport.DefaultAttemptTimeout, unless the HTTP client has a Timeout).
func WithAttemptTimeout(d time.Duration) Option { return func(c *config) { c.http.AttemptTimeout = d } }

// WithMerchantUID sets the merchant (mer_…) a transaction is for when it
// names none. OPP is a marketplace: every transaction belongs to a merchant,
// and a shop selling for itself names its own on every payment this way.
func WithMerchantUID(uid string) Option { return func(c *config) { c.merchantUID = uid } }

// Client calls the OPP API. It is safe for concurrent use.
type Client struct {
	api *gen.Client
	// root is api at the host's root, for GET /status (outside /v1).
	root        *gen.Client
	baseURL     *url.URL
	logger      *slog.Logger // WithLogger's; nil when none was given
	merchantUID string
}

// New returns a client that authenticates with apiKey. Without
// WithEnvironment it talks to the sandbox, so a forgotten option never moves
// real money. Every error is a *betaalkit.ConfigError (betaalkit.ErrConfig)
// naming the argument or option.
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
		return nil, configError(cfg.baseSetting, fmt.Sprintf("%q is not an absolute URL", cfg.baseURL), err)
	}
	hc, err := apiclient.HTTPClient(cfg.http, nil, transport.Config{Provider: provider, Secrets: []string{apiKey}, RetryStatuses: []int{http.StatusConflict}})
	if err != nil {
		return nil, configError("WithHTTPClient", "cannot be used", err)
	}
	api, err := gen.NewClient(base.String(), gen.WithHTTPClient(hc), gen.WithRequestEditorFn(apiclient.AuthorizeEditor(auth)))
	if err != nil {
		return nil, configError(cfg.baseSetting, "cannot be used", err)
	}
	root, err := gen.NewClient(rootOf(base), gen.WithHTTPClient(hc), gen.WithRequestEditorFn(apiclient.AuthorizeEditor(auth)))
	if err != nil {
		return nil, configError(cfg.baseSetting, "cannot be used", err)
	}
	return &Client{api: api, root: root, baseURL: base, logger: cfg.http.Logger, merchantUID: cfg.merchantUID}, nil
}

func configError(setting, reason string, err error) error {
	return &betaalkit.ConfigError{Provider: provider, Setting: setting, Reason: reason, Err: err}
}

// rootOf is the base URL without its trailing /v1, where OPP serves /status.
func rootOf(base *url.URL) string {
	u := *base
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/v1")
	u.RawPath = ""
	return u.String()
}

// BaseURL returns the API base URL the client sends every request to.
func (c *Client) BaseURL() string { return c.baseURL.String() }

// Expand names an object to return inline instead of as a reference.
type Expand string

// The expansions the document names; availability differs per request.
const (
	ExpandOrder         Expand = "order"
	ExpandOrderCustomer Expand = "order.customer"
	ExpandStatuses      Expand = "statuses"
	ExpandEscrow        Expand = "escrow"
)

func expandParam(expand []Expand) (gen.Expand, error) {
	if len(expand) == 0 {
		return nil, nil
	}
	out := make(gen.Expand, 0, len(expand))
	for _, e := range expand {
		if strings.TrimSpace(string(e)) == "" {
			return nil, &betaalkit.FieldError{Field: "expand[]", Reason: "is empty"}
		}
		out = append(out, string(e))
	}
	return out, nil
}

var okStatus = []int{http.StatusOK, http.StatusCreated}

// CreatePayment creates a transaction (POST /transactions; OPP calls a
// payment a transaction). Send the buyer to PaymentURL(tx).
//
// Before sending, it checks what the create table requires and that
// total_price adds up (*betaalkit.FieldError on the field, nothing sent):
// total_price must be the products' price × quantity, plus shipping_costs,
// less discount — the document's example is 10779 + 675 = 11454. When
// ShippingCosts is nil OPP adds the account's shipping setting, which the
// client cannot know, so it then only checks that total_price is not below
// the products less the discount. A product that carries its own
// total_price (as the document's metadata example does) must be its price ×
// quantity plus its shipping_costs. Discount codes the buyer enters in OPP's
// checkout come after this and do not count.
func (c *Client) CreatePayment(ctx context.Context, tx TransactionCreate) (*Transaction, error) {
	call := apiclient.Call{Provider: provider, Op: "create payment"}
	if err := validateTransaction(tx); err != nil {
		return nil, call.Wrap(err)
	}
	if tx.MerchantUID == "" {
		tx.MerchantUID = c.merchantUID
	}
	r, err := call.Read(c.api.CreateTransaction(ctx, tx))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Transaction](r, toError, okStatus...)
}

// GetPayment retrieves a transaction (GET /transactions/{uid}), with the
// named objects expanded.
func (c *Client) GetPayment(ctx context.Context, uid string, expand ...Expand) (*Transaction, error) {
	call := apiclient.Call{Provider: provider, Op: "get payment"}
	if err := validateUID("uid", uid); err != nil {
		return nil, call.Wrap(err)
	}
	exp, err := expandParam(expand)
	if err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.GetTransaction(ctx, uid, &gen.GetTransactionParams{Expand: exp}))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Transaction](r, toError, http.StatusOK)
}

// ListParams selects a page of a list. Zero values leave the choice to OPP
// (the first page, its default page size).
type ListParams struct {
	// Page is the page to fetch (the first page an iterator fetches), from 1.
	Page int
	// PerPage is the number of objects per page, 1 to 100.
	PerPage int
}

func (p ListParams) validate() error {
	if p.Page < 0 {
		return &betaalkit.FieldError{Field: "page", Reason: fmt.Sprintf("%d is not a page number (from 1)", p.Page)}
	}
	if p.PerPage < 0 || p.PerPage > 100 {
		return &betaalkit.FieldError{Field: "perpage", Reason: fmt.Sprintf("%d is outside 1 to 100", p.PerPage)}
	}
	return nil
}

// TransactionListParams selects a page of transactions.
type TransactionListParams struct {
	ListParams
	Expand []Expand
}

// ListTransactions fetches one page of transactions (GET /transactions).
func (c *Client) ListTransactions(ctx context.Context, p TransactionListParams) (*TransactionList, error) {
	call := apiclient.Call{Provider: provider, Op: "list transactions"}
	if err := p.validate(); err != nil {
		return nil, call.Wrap(err)
	}
	exp, err := expandParam(p.Expand)
	if err != nil {
		return nil, call.Wrap(err)
	}
	params := &gen.ListTransactionsParams{Page: p.Page, Perpage: p.PerPage, Expand: exp}
	r, err := call.Read(c.api.ListTransactions(ctx, params))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[TransactionList](r, toError, http.StatusOK)
}

// CreateRefund refunds (part of) a transaction (POST
// /transactions/{uid}/refunds); refund.Amount is in cents. A transaction
// can be refunded more than once, until nothing is left.
func (c *Client) CreateRefund(ctx context.Context, transactionUID string, refund RefundCreate) (*Refund, error) {
	call := apiclient.Call{Provider: provider, Op: "create refund"}
	if err := validateUID("transaction_uid", transactionUID); err != nil {
		return nil, call.Wrap(err)
	}
	if err := apiclient.CheckAmount("amount", refund.Amount); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.CreateRefund(ctx, transactionUID, refund))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Refund](r, toError, okStatus...)
}

// ListRefunds fetches one page of a transaction's refunds (GET
// /transactions/{uid}/refunds).
func (c *Client) ListRefunds(ctx context.Context, transactionUID string, p ListParams) (*RefundList, error) {
	call := apiclient.Call{Provider: provider, Op: "list refunds"}
	if err := validateUID("transaction_uid", transactionUID); err != nil {
		return nil, call.Wrap(err)
	}
	if err := p.validate(); err != nil {
		return nil, call.Wrap(err)
	}
	params := &gen.ListRefundsParams{Page: p.Page, Perpage: p.PerPage}
	r, err := call.Read(c.api.ListRefunds(ctx, transactionUID, params))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[RefundList](r, toError, http.StatusOK)
}

// GetOrder retrieves an order (GET /orders/{uid}).
func (c *Client) GetOrder(ctx context.Context, uid string) (*Order, error) {
	call := apiclient.Call{Provider: provider, Op: "get order"}
	if err := validateUID("uid", uid); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.GetOrder(ctx, uid))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Order](r, toError, http.StatusOK)
}

// UpdateOrder changes the fields set in update (POST /orders/{uid}); the
// others stay unchanged.
func (c *Client) UpdateOrder(ctx context.Context, uid string, update OrderUpdate) (*Order, error) {
	call := apiclient.Call{Provider: provider, Op: "update order"}
	if err := validateUID("uid", uid); err != nil {
		return nil, call.Wrap(err)
	}
	if update.Country != "" && !isAlpha3(update.Country) {
		return nil, call.Wrap(&betaalkit.FieldError{Field: "country", Reason: fmt.Sprintf("%q is not a three-letter country code such as NLD", clip(update.Country))})
	}
	r, err := call.Read(c.api.UpdateOrder(ctx, uid, update))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Order](r, toError, http.StatusOK)
}

// ListOrders fetches one page of orders (GET /orders).
func (c *Client) ListOrders(ctx context.Context, p ListParams) (*OrderList, error) {
	call := apiclient.Call{Provider: provider, Op: "list orders"}
	if err := p.validate(); err != nil {
		return nil, call.Wrap(err)
	}
	params := &gen.ListOrdersParams{Page: p.Page, Perpage: p.PerPage}
	r, err := call.Read(c.api.ListOrders(ctx, params))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[OrderList](r, toError, http.StatusOK)
}

// CreateDiscountCode creates a single discount code (POST /discountcodes).
func (c *Client) CreateDiscountCode(ctx context.Context, code DiscountCodeCreate) (*DiscountCode, error) {
	call := apiclient.Call{Provider: provider, Op: "create discount code"}
	if err := validateDiscountCode(code); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.CreateDiscountCode(ctx, code))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[DiscountCode](r, toError, okStatus...)
}

// GetDiscountCode retrieves a discount code (GET /discountcodes/{uid}).
func (c *Client) GetDiscountCode(ctx context.Context, uid string) (*DiscountCode, error) {
	call := apiclient.Call{Provider: provider, Op: "get discount code"}
	if err := validateUID("uid", uid); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.GetDiscountCode(ctx, uid))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[DiscountCode](r, toError, http.StatusOK)
}

// DeleteDiscountCode deletes a discount code (DELETE /discountcodes/{uid}).
func (c *Client) DeleteDiscountCode(ctx context.Context, uid string) (*Deleted, error) {
	call := apiclient.Call{Provider: provider, Op: "delete discount code"}
	if err := validateUID("uid", uid); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.DeleteDiscountCode(ctx, uid))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Deleted](r, toError, http.StatusOK)
}

// ListDiscountCodes fetches one page of single discount codes (GET
// /discountcodes).
func (c *Client) ListDiscountCodes(ctx context.Context, p ListParams) (*DiscountCodeList, error) {
	call := apiclient.Call{Provider: provider, Op: "list discount codes"}
	if err := p.validate(); err != nil {
		return nil, call.Wrap(err)
	}
	params := &gen.ListDiscountCodesParams{Page: p.Page, Perpage: p.PerPage}
	r, err := call.Read(c.api.ListDiscountCodes(ctx, params))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[DiscountCodeList](r, toError, http.StatusOK)
}

// CreateDiscountBatch asks OPP to generate a batch of codes (POST
// /discountbatches); it posts to NotifyURL when the CSV at DownloadURL is
// ready.
func (c *Client) CreateDiscountBatch(ctx context.Context, batch DiscountBatchCreate) (*DiscountBatch, error) {
	call := apiclient.Call{Provider: provider, Op: "create discount batch"}
	if err := validateDiscountBatch(batch); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.CreateDiscountBatch(ctx, batch))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[DiscountBatch](r, toError, okStatus...)
}

// GetDiscountBatch retrieves a discount batch (GET /discountbatches/{uid}).
func (c *Client) GetDiscountBatch(ctx context.Context, uid string) (*DiscountBatch, error) {
	call := apiclient.Call{Provider: provider, Op: "get discount batch"}
	if err := validateUID("uid", uid); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.GetDiscountBatch(ctx, uid))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[DiscountBatch](r, toError, http.StatusOK)
}

// DeleteDiscountBatch deletes a batch and every code generated by it
// (DELETE /discountbatches/{uid}).
func (c *Client) DeleteDiscountBatch(ctx context.Context, uid string) (*Deleted, error) {
	call := apiclient.Call{Provider: provider, Op: "delete discount batch"}
	if err := validateUID("uid", uid); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.DeleteDiscountBatch(ctx, uid))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Deleted](r, toError, http.StatusOK)
}

// ListDiscountBatches fetches one page of discount batches (GET
// /discountbatches).
func (c *Client) ListDiscountBatches(ctx context.Context, p ListParams) (*DiscountBatchList, error) {
	call := apiclient.Call{Provider: provider, Op: "list discount batches"}
	if err := p.validate(); err != nil {
		return nil, call.Wrap(err)
	}
	params := &gen.ListDiscountBatchesParams{Page: p.Page, Perpage: p.PerPage}
	r, err := call.Read(c.api.ListDiscountBatches(ctx, params))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[DiscountBatchList](r, toError, http.StatusOK)
}
