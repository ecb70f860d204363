package opp

import (
	"context"
	"net/http"
	"net/url"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/checkout"
	"github.com/betaalkit/betaalkit/money"
)

// Checkout returns the client as a checkout.Provider. The shop's reference
// is stored in the transaction's metadata ("reference"); OPP's document
// has no search by metadata, so FindByReference is unsupported. Name the
// merchant the payments are for with WithMerchantUID.
func (c *Client) Checkout() checkout.Provider {
	return checkoutProvider{c: c, Unsupported: checkout.Unsupported{Provider: provider}}
}

type checkoutProvider struct {
	c *Client
	checkout.Unsupported
}

// referenceKey is the metadata key that carries the shop's reference.
const referenceKey = "reference"

var paymentMethods = map[checkout.Method]PaymentMethod{
	checkout.MethodIDEAL:      PaymentMethodIdeal,
	checkout.MethodPayPal:     PaymentMethodPaypal,
	checkout.MethodBancontact: PaymentMethodBcmc,
	checkout.MethodSEPA:       PaymentMethodSepa,
}

func (checkoutProvider) Name() string { return provider }

func (checkoutProvider) Capabilities() checkout.Capabilities {
	return checkout.Capabilities{
		Methods:    []checkout.Method{checkout.MethodIDEAL, checkout.MethodPayPal, checkout.MethodBancontact, checkout.MethodSEPA},
		Currencies: []string{"EUR"},
		Refunds:    true, PartialRefunds: true,
	}
}

// Create makes a transaction whose products are the request's lines (one
// line for the whole amount when it has none) with no shipping costs of
// OPP's own, so total_price is exactly the amount.
func (p checkoutProvider) Create(ctx context.Context, req checkout.Request) (*checkout.Payment, error) {
	if err := p.Capabilities().Check(provider, req); err != nil {
		return nil, err
	}
	var products []ProductCreate
	for _, l := range req.OrderLines() {
		products = append(products, ProductCreate{Code: l.Code, Name: l.Name, Price: l.UnitPrice, Quantity: l.Quantity})
	}
	noShipping := money.Cents(0)
	tx := TransactionCreate{
		Products: products, TotalPrice: req.Amount, ShippingCosts: &noShipping,
		ReturnURL: req.ReturnURL, NotifyURL: req.WebhookURL, PaymentMethod: paymentMethods[req.Method],
		Metadata: map[string]string{referenceKey: req.Reference},
	}
	if c := req.Customer; c != nil {
		tx.BuyerNameFirst, tx.BuyerNameLast, tx.BuyerEmailaddress = c.FirstName, c.LastName, c.Email
	}
	t, err := p.c.CreatePayment(ctx, tx)
	if err != nil {
		return nil, err
	}
	return paymentOf(t), nil
}

func (p checkoutProvider) Get(ctx context.Context, id string) (*checkout.Payment, error) {
	t, err := p.c.GetPayment(ctx, id)
	if err != nil {
		return nil, err
	}
	return paymentOf(t), nil
}

// Refund refunds an amount; zero refunds what the transaction's refunds
// have left.
func (p checkoutProvider) Refund(ctx context.Context, req checkout.RefundRequest) (*checkout.Refund, error) {
	amount := req.Amount
	if amount == 0 {
		t, err := p.c.GetPayment(ctx, req.PaymentID)
		if err != nil {
			return nil, err
		}
		amount = t.Amount
		for r, err := range p.c.Refunds(ctx, req.PaymentID, ListParams{}) {
			if err != nil {
				return nil, err
			}
			amount -= r.Amount
		}
	}
	r, err := p.c.CreateRefund(ctx, req.PaymentID, RefundCreate{Amount: amount, Message: req.Description})
	if err != nil {
		return nil, err
	}
	return &checkout.Refund{Provider: provider, ID: r.UID, PaymentID: req.PaymentID, Amount: r.Amount, Raw: r}, nil
}

func (p checkoutProvider) WebhookHandler(fn func(context.Context, checkout.Event) error, opts ...betaalkit.WebhookOption) http.Handler {
	return p.c.WebhookHandler(func(ctx context.Context, t *Transaction) error {
		return fn(ctx, checkout.Event{Payment: paymentOf(t)})
	}, opts...)
}

func paymentOf(t *Transaction) *checkout.Payment {
	reference, _ := t.Metadata.Get(referenceKey)
	currency := "EUR" // the document's transactions name none: they are in euros
	if t.Currency != "" {
		currency = t.Currency
	}
	p := &checkout.Payment{
		Provider: provider, ID: t.UID, Reference: reference,
		Amount: t.Amount, Currency: currency, Status: StatusOf(t), PaymentURL: PaymentURL(t), Raw: t,
		UpdatedAt: t.Updated.Time,
	}
	for method, pm := range paymentMethods {
		if string(pm) == t.PaymentMethod {
			p.Method = method
		}
	}
	if p.Status.IsFinal() {
		p.PaymentURL = ""
	}
	return p
}

// ReturnID is "": the provider adds no payment id to the return URL.
func (checkoutProvider) ReturnID(url.Values) string { return "" }
