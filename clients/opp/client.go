// Package opp is the client for Online Betaalplatform (OPP, Online Payment
// Platform): transactions, orders, refunds, discount codes and batches,
// list iterators over every page, and the notification OPP posts when a
// transaction changes.
//
//	c, err := opp.New(apiKey, opp.WithEnvironment(opp.Live))
//	tx, err := c.CreateTransaction(ctx, opp.TransactionCreate{...})
//	http.Redirect(w, r, *tx.RedirectURL, http.StatusFound)
//	for tx, err := range c.Transactions(ctx, opp.TransactionListParams{}) { ... }
package opp

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	gen "github.com/betaalkit/betaalkit/gen/opp"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/transport"
)

// Environment is an OPP API base URL.
type Environment string

// OPP's hosts. Sandbox and live keys differ, and so do the hosts.
const (
	Test Environment = "https://api-sandbox.onlinebetaalplatform.nl/v1" // OPP calls it the sandbox
	Live Environment = "https://api.onlinebetaalplatform.nl/v1"
)

// The API's models, so callers need not import the generated package.
type (
	Transaction         = gen.Transaction
	TransactionCreate   = gen.TransactionCreate
	ProductCreate       = gen.ProductCreate
	TransactionList     = gen.TransactionList
	Status              = gen.Status
	Order               = gen.Order
	OrderUpdate         = gen.OrderUpdate
	OrderList           = gen.OrderList
	Customer            = gen.Customer
	CustomerName        = gen.CustomerName
	CustomerUpdate      = gen.CustomerUpdate
	Escrow              = gen.Escrow
	Refund              = gen.Refund
	RefundCreate        = gen.RefundCreate
	RefundList          = gen.RefundList
	DiscountCode        = gen.DiscountCode
	DiscountCodeCreate  = gen.DiscountCodeCreate
	DiscountCodeList    = gen.DiscountCodeList
	DiscountBatch       = gen.DiscountBatch
	DiscountBatchCreate = gen.DiscountBatchCreate
	DiscountBatchList   = gen.DiscountBatchList
	Deleted             = gen.Deleted
	Notification        = gen.Notification
	PaymentMethod       = gen.PaymentMethod
	PaymentFlow         = gen.PaymentFlow
	Locale              = gen.Locale
	DiscountType        = gen.DiscountType
	CodeType            = gen.CodeType
	// Timestamp is unix seconds (flex.UnixTime). Optional timestamps are
	// pointers: nil when OPP sent null or nothing, so check for nil first.
	Timestamp = gen.Timestamp
)

// Closed sets accepted when creating objects.
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
)

// Option configures a Client.
type Option func(*config)

type config struct {
	baseURL string
	http    transport.Options
}

// WithEnvironment selects the Test (OPP's sandbox, the default) or Live host.
func WithEnvironment(env Environment) Option { return func(c *config) { c.baseURL = string(env) } }

// WithBaseURL points the client at another host, e.g. a local simulator
// ("http://127.0.0.1:8080/v1"). It overrides WithEnvironment.
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

// Client calls the OPP API. It is safe for concurrent use.
type Client struct {
	api     *gen.Client
	baseURL *url.URL
}

// New returns a client that authenticates with apiKey. Without
// WithEnvironment it talks to the sandbox, so a forgotten option never moves
// real money.
func New(apiKey string, opts ...Option) (*Client, error) {
	cfg := config{baseURL: string(Test)}
	for _, o := range opts {
		o(&cfg)
	}
	base, err := apiclient.BaseURL(provider, cfg.baseURL)
	if err != nil {
		return nil, err
	}
	auth, err := signing.NewBasicAuth(apiKey, nil)
	if err != nil {
		return nil, fmt.Errorf("opp: API key is empty: %w", err)
	}
	hc, err := apiclient.HTTPClient(cfg.http, nil, transport.Config{Provider: provider, Secrets: []string{apiKey}, RetryStatuses: []int{http.StatusConflict}})
	if err != nil {
		return nil, fmt.Errorf("opp: %w", err)
	}
	api, err := gen.NewClient(base.String(), gen.WithHTTPClient(hc), gen.WithRequestEditorFn(apiclient.AuthorizeEditor(auth)))
	if err != nil {
		return nil, fmt.Errorf("opp: %w", err)
	}
	return &Client{api: api, baseURL: base}, nil
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

func expandParam(expand []Expand) (*gen.Expand, error) {
	if len(expand) == 0 {
		return nil, nil
	}
	out := make(gen.Expand, 0, len(expand))
	for _, e := range expand {
		if strings.TrimSpace(string(e)) == "" {
			return nil, &apiclient.FieldError{Field: "expand[]", Reason: "is empty"}
		}
		out = append(out, string(e))
	}
	return &out, nil
}

var okStatus = []int{http.StatusOK, http.StatusCreated}

// CreateTransaction creates a transaction; send the buyer to its RedirectURL.
func (c *Client) CreateTransaction(ctx context.Context, tx TransactionCreate) (*Transaction, error) {
	if err := validateTransaction(tx); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.CreateTransaction(ctx, tx))
	if err != nil {
		return nil, fmt.Errorf("opp: create transaction: %w", err)
	}
	return apiclient.Expect[Transaction](r, toError, okStatus...)
}

// GetTransaction retrieves a transaction, with the named objects expanded.
func (c *Client) GetTransaction(ctx context.Context, uid string, expand ...Expand) (*Transaction, error) {
	if err := validateUID("uid", uid); err != nil {
		return nil, err
	}
	exp, err := expandParam(expand)
	if err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.GetTransaction(ctx, uid, &gen.GetTransactionParams{Expand: exp}))
	if err != nil {
		return nil, fmt.Errorf("opp: get transaction: %w", err)
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
		return &apiclient.FieldError{Field: "page", Reason: fmt.Sprintf("%d is not a page number (from 1)", p.Page)}
	}
	if p.PerPage < 0 || p.PerPage > 100 {
		return &apiclient.FieldError{Field: "perpage", Reason: fmt.Sprintf("%d is outside 1 to 100", p.PerPage)}
	}
	return nil
}

func optInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// TransactionListParams selects a page of transactions.
type TransactionListParams struct {
	ListParams
	Expand []Expand
}

// ListTransactions fetches one page of transactions.
func (c *Client) ListTransactions(ctx context.Context, p TransactionListParams) (*TransactionList, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	exp, err := expandParam(p.Expand)
	if err != nil {
		return nil, err
	}
	params := &gen.ListTransactionsParams{Page: optInt(p.Page), Perpage: optInt(p.PerPage), Expand: exp}
	r, err := apiclient.Read(c.api.ListTransactions(ctx, params))
	if err != nil {
		return nil, fmt.Errorf("opp: list transactions: %w", err)
	}
	return apiclient.Expect[TransactionList](r, toError, http.StatusOK)
}

// CreateRefund refunds (part of) a transaction.
func (c *Client) CreateRefund(ctx context.Context, transactionUID string, refund RefundCreate) (*Refund, error) {
	if err := validateUID("transaction_uid", transactionUID); err != nil {
		return nil, err
	}
	if refund.Amount <= 0 {
		return nil, &apiclient.FieldError{Field: "amount", Reason: fmt.Sprintf("%d cents is not a positive amount", refund.Amount)}
	}
	r, err := apiclient.Read(c.api.CreateRefund(ctx, transactionUID, refund))
	if err != nil {
		return nil, fmt.Errorf("opp: create refund: %w", err)
	}
	return apiclient.Expect[Refund](r, toError, okStatus...)
}

// ListRefunds fetches one page of a transaction's refunds.
func (c *Client) ListRefunds(ctx context.Context, transactionUID string, p ListParams) (*RefundList, error) {
	if err := validateUID("transaction_uid", transactionUID); err != nil {
		return nil, err
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	params := &gen.ListRefundsParams{Page: optInt(p.Page), Perpage: optInt(p.PerPage)}
	r, err := apiclient.Read(c.api.ListRefunds(ctx, transactionUID, params))
	if err != nil {
		return nil, fmt.Errorf("opp: list refunds: %w", err)
	}
	return apiclient.Expect[RefundList](r, toError, http.StatusOK)
}

// GetOrder retrieves an order.
func (c *Client) GetOrder(ctx context.Context, uid string) (*Order, error) {
	if err := validateUID("uid", uid); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.GetOrder(ctx, uid))
	if err != nil {
		return nil, fmt.Errorf("opp: get order: %w", err)
	}
	return apiclient.Expect[Order](r, toError, http.StatusOK)
}

// UpdateOrder changes the fields set in update; the others stay unchanged.
func (c *Client) UpdateOrder(ctx context.Context, uid string, update OrderUpdate) (*Order, error) {
	if err := validateUID("uid", uid); err != nil {
		return nil, err
	}
	if update.Country != nil && !isAlpha3(*update.Country) {
		return nil, &apiclient.FieldError{Field: "country", Reason: fmt.Sprintf("%q is not a three-letter country code such as NLD", *update.Country)}
	}
	r, err := apiclient.Read(c.api.UpdateOrder(ctx, uid, update))
	if err != nil {
		return nil, fmt.Errorf("opp: update order: %w", err)
	}
	return apiclient.Expect[Order](r, toError, http.StatusOK)
}

// ListOrders fetches one page of orders.
func (c *Client) ListOrders(ctx context.Context, p ListParams) (*OrderList, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	params := &gen.ListOrdersParams{Page: optInt(p.Page), Perpage: optInt(p.PerPage)}
	r, err := apiclient.Read(c.api.ListOrders(ctx, params))
	if err != nil {
		return nil, fmt.Errorf("opp: list orders: %w", err)
	}
	return apiclient.Expect[OrderList](r, toError, http.StatusOK)
}

// CreateDiscountCode creates a single discount code.
func (c *Client) CreateDiscountCode(ctx context.Context, code DiscountCodeCreate) (*DiscountCode, error) {
	if err := validateDiscountCode(code); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.CreateDiscountCode(ctx, code))
	if err != nil {
		return nil, fmt.Errorf("opp: create discount code: %w", err)
	}
	return apiclient.Expect[DiscountCode](r, toError, okStatus...)
}

// GetDiscountCode retrieves a discount code.
func (c *Client) GetDiscountCode(ctx context.Context, uid string) (*DiscountCode, error) {
	if err := validateUID("uid", uid); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.GetDiscountCode(ctx, uid))
	if err != nil {
		return nil, fmt.Errorf("opp: get discount code: %w", err)
	}
	return apiclient.Expect[DiscountCode](r, toError, http.StatusOK)
}

// DeleteDiscountCode deletes a discount code.
func (c *Client) DeleteDiscountCode(ctx context.Context, uid string) (*Deleted, error) {
	if err := validateUID("uid", uid); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.DeleteDiscountCode(ctx, uid))
	if err != nil {
		return nil, fmt.Errorf("opp: delete discount code: %w", err)
	}
	return apiclient.Expect[Deleted](r, toError, http.StatusOK)
}

// ListDiscountCodes fetches one page of single discount codes.
func (c *Client) ListDiscountCodes(ctx context.Context, p ListParams) (*DiscountCodeList, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	params := &gen.ListDiscountCodesParams{Page: optInt(p.Page), Perpage: optInt(p.PerPage)}
	r, err := apiclient.Read(c.api.ListDiscountCodes(ctx, params))
	if err != nil {
		return nil, fmt.Errorf("opp: list discount codes: %w", err)
	}
	return apiclient.Expect[DiscountCodeList](r, toError, http.StatusOK)
}

// CreateDiscountBatch asks OPP to generate a batch of codes; it posts to
// NotifyURL when the CSV at DownloadURL is ready.
func (c *Client) CreateDiscountBatch(ctx context.Context, batch DiscountBatchCreate) (*DiscountBatch, error) {
	if err := validateDiscountBatch(batch); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.CreateDiscountBatch(ctx, batch))
	if err != nil {
		return nil, fmt.Errorf("opp: create discount batch: %w", err)
	}
	return apiclient.Expect[DiscountBatch](r, toError, okStatus...)
}

// GetDiscountBatch retrieves a discount batch.
func (c *Client) GetDiscountBatch(ctx context.Context, uid string) (*DiscountBatch, error) {
	if err := validateUID("uid", uid); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.GetDiscountBatch(ctx, uid))
	if err != nil {
		return nil, fmt.Errorf("opp: get discount batch: %w", err)
	}
	return apiclient.Expect[DiscountBatch](r, toError, http.StatusOK)
}

// DeleteDiscountBatch deletes a batch and every code generated by it.
func (c *Client) DeleteDiscountBatch(ctx context.Context, uid string) (*Deleted, error) {
	if err := validateUID("uid", uid); err != nil {
		return nil, err
	}
	r, err := apiclient.Read(c.api.DeleteDiscountBatch(ctx, uid))
	if err != nil {
		return nil, fmt.Errorf("opp: delete discount batch: %w", err)
	}
	return apiclient.Expect[Deleted](r, toError, http.StatusOK)
}

// ListDiscountBatches fetches one page of discount batches.
func (c *Client) ListDiscountBatches(ctx context.Context, p ListParams) (*DiscountBatchList, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	params := &gen.ListDiscountBatchesParams{Page: optInt(p.Page), Perpage: optInt(p.PerPage)}
	r, err := apiclient.Read(c.api.ListDiscountBatches(ctx, params))
	if err != nil {
		return nil, fmt.Errorf("opp: list discount batches: %w", err)
	}
	return apiclient.Expect[DiscountBatchList](r, toError, http.StatusOK)
}
