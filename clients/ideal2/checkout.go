package ideal2

import (
	"context"
	"net/http"
	"net/url"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/checkout"
)

// Checkout returns the client as a checkout.Provider: iDEAL in euros. iDEAL
// 2.0 has no refund API and no search by the shop's reference: Refund and
// FindByReference return a *checkout.UnsupportedError without sending
// anything. A status answer carries the amount only once the payment is
// settled (GuaranteedAmount); before that Payment.Amount is 0.
func (c *Client) Checkout() checkout.Provider {
	return checkoutProvider{c: c, Unsupported: checkout.Unsupported{Provider: provider}}
}

type checkoutProvider struct {
	c *Client
	checkout.Unsupported
}

func (checkoutProvider) Name() string { return provider }

func (checkoutProvider) Capabilities() checkout.Capabilities {
	return checkout.Capabilities{Methods: []checkout.Method{checkout.MethodIDEAL}, Currencies: []string{"EUR"}}
}

func (p checkoutProvider) Create(ctx context.Context, req checkout.Request) (*checkout.Payment, error) {
	if err := p.Capabilities().Check(provider, req); err != nil {
		return nil, err
	}
	var opts []PaymentOption
	if req.ReturnURL != "" {
		opts = append(opts, WithReturnURL(req.ReturnURL))
	}
	if req.WebhookURL != "" {
		opts = append(opts, WithNotificationURL(req.WebhookURL))
	}
	r, err := p.c.CreatePayment(ctx, NewPayment(req.Amount, req.Description, req.Reference), opts...)
	if err != nil {
		return nil, err
	}
	raw := string(r.CommonPaymentData.PaymentStatus)
	return &checkout.Payment{
		Provider: provider, ID: r.CommonPaymentData.PaymentID, Reference: req.Reference,
		Amount: req.Amount, Currency: "EUR", Method: checkout.MethodIDEAL,
		Status:     betaalkit.PaymentStatus{Status: NormalizeStatus(raw), Raw: raw},
		PaymentURL: PaymentURL(r), Raw: r,
	}, nil
}

func (p checkoutProvider) Get(ctx context.Context, id string) (*checkout.Payment, error) {
	st, err := p.c.GetPayment(ctx, id)
	if err != nil {
		return nil, err
	}
	return paymentOf(st), nil
}

func (p checkoutProvider) WebhookHandler(fn func(context.Context, checkout.Event) error, opts ...betaalkit.WebhookOption) http.Handler {
	return p.c.WebhookHandler(func(ctx context.Context, st *PaymentStatusResponse) error {
		return fn(ctx, checkout.Event{Payment: paymentOf(st)})
	}, opts...)
}

func paymentOf(st *PaymentStatusResponse) *checkout.Payment {
	amount, _ := AmountOf(st) // only a settled payment reports it
	return &checkout.Payment{
		Provider: provider, ID: st.CommonPaymentData.PaymentID,
		Amount: amount, Currency: "EUR", Method: checkout.MethodIDEAL, Status: StatusOf(st), Raw: st,
	}
}

// ReturnID is "": the provider adds no payment id to the return URL.
func (checkoutProvider) ReturnID(url.Values) string { return "" }
