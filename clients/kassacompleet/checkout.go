package kassacompleet

import (
	"context"
	"net/http"
	"net/url"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/checkout"
)

// Checkout returns the client as a checkout.Provider. Refunds go through
// CreateRefund, in full or in part; the payment stays paid afterwards (the
// refunded order keeps its completed status and gains FlagHasRefunds).
// Kassa Compleet has no search by the shop's reference: FindByReference
// returns a *checkout.UnsupportedError without sending anything.
func (c *Client) Checkout() checkout.Provider {
	return checkoutProvider{c: c, Unsupported: checkout.Unsupported{Provider: provider}}
}

type checkoutProvider struct {
	c *Client
	checkout.Unsupported
}

var paymentMethods = map[checkout.Method]PaymentMethod{
	checkout.MethodIDEAL:        PaymentMethodIdeal,
	checkout.MethodCreditCard:   PaymentMethodCreditCard,
	checkout.MethodBankTransfer: PaymentMethodBankTransfer,
}

func (checkoutProvider) Name() string { return provider }

func (checkoutProvider) Capabilities() checkout.Capabilities {
	return checkout.Capabilities{
		Methods:    []checkout.Method{checkout.MethodIDEAL, checkout.MethodCreditCard, checkout.MethodBankTransfer},
		Currencies: []string{"EUR"},
		Refunds:    true, PartialRefunds: true,
	}
}

// Create makes an order with one transaction of the request's method (iDEAL
// needs req.Issuer, the customer's bank), or, without a method, a
// payment-page order where the customer picks one.
func (p checkoutProvider) Create(ctx context.Context, req checkout.Request) (*checkout.Payment, error) {
	if err := p.Capabilities().Check(provider, req); err != nil {
		return nil, err
	}
	order := OrderCreate{
		Currency: req.CurrencyCode(), Amount: req.Amount, Description: req.Description,
		MerchantOrderID: req.Reference, ReturnURL: req.ReturnURL, WebhookURL: req.WebhookURL,
	}
	if req.Method != "" {
		order.Transactions = []TransactionCreate{{PaymentMethod: paymentMethods[req.Method], PaymentMethodDetails: PaymentMethodDetailsCreate{IssuerID: req.Issuer}}}
	}
	o, err := p.c.CreatePayment(ctx, order)
	if err != nil {
		return nil, err
	}
	out := paymentOf(o)
	if req.Method == "" {
		out.PaymentURL = p.c.PaymentPageURL(o.ID)
	}
	return out, nil
}

func (p checkoutProvider) Get(ctx context.Context, id string) (*checkout.Payment, error) {
	o, err := p.c.GetPayment(ctx, id)
	if err != nil {
		return nil, err
	}
	return paymentOf(o), nil
}

// Refund refunds an amount of the order; zero refunds the order's whole
// amount (which Kassa Compleet refuses after an earlier partial refund:
// name the rest then). The refund's id is that of the refund order.
func (p checkoutProvider) Refund(ctx context.Context, req checkout.RefundRequest) (*checkout.Refund, error) {
	amount := req.Amount
	if amount == 0 {
		o, err := p.c.GetPayment(ctx, req.PaymentID)
		if err != nil {
			return nil, err
		}
		amount = o.Amount
	}
	r, err := p.c.CreateRefund(ctx, req.PaymentID, RefundCreate{Amount: amount, Description: req.Description})
	if err != nil {
		return nil, err
	}
	return &checkout.Refund{Provider: provider, ID: r.ID, PaymentID: req.PaymentID, Amount: r.Amount, Raw: r}, nil
}

func (p checkoutProvider) WebhookHandler(fn func(context.Context, checkout.Event) error, opts ...betaalkit.WebhookOption) http.Handler {
	return p.c.WebhookHandler(func(ctx context.Context, o *Order) error {
		return fn(ctx, checkout.Event{Payment: paymentOf(o)})
	}, opts...)
}

func paymentOf(o *Order) *checkout.Payment {
	p := &checkout.Payment{
		Provider: provider, ID: o.ID, Reference: o.MerchantOrderID,
		Amount: o.Amount, Currency: o.Currency, Status: StatusOf(o), PaymentURL: PaymentURL(o), Raw: o,
		UpdatedAt: o.Modified,
	}
	if len(o.Transactions) > 0 {
		for method, pm := range paymentMethods {
			if string(pm) == string(o.Transactions[0].PaymentMethod) {
				p.Method = method
			}
		}
	}
	if p.Status.IsFinal() {
		p.PaymentURL = ""
	}
	return p
}

// ReturnID is the order_id the provider adds to the return URL.
func (checkoutProvider) ReturnID(form url.Values) string { return form.Get("order_id") }
