package multisafepay

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/checkout"
)

// Checkout returns the client as a checkout.Provider. MultiSafepay's
// order_id is the shop's own reference, so a payment's ID is the
// checkout.Request's Reference and FindByReference is a plain GetPayment.
func (c *Client) Checkout() checkout.Provider { return checkoutProvider{c} }

type checkoutProvider struct{ c *Client }

// gateways maps checkout's methods onto MultiSafepay's gateway ids.
var gateways = map[checkout.Method]string{
	checkout.MethodIDEAL:        GatewayIDEAL,
	checkout.MethodCreditCard:   GatewayCreditCard,
	checkout.MethodBankTransfer: GatewayBankTransfer,
	checkout.MethodPayPal:       GatewayPayPal,
	checkout.MethodBancontact:   GatewayBancontact,
	checkout.MethodSEPA:         GatewayDirectDebit,
}

func (checkoutProvider) Name() string { return provider }

func (checkoutProvider) Capabilities() checkout.Capabilities {
	return checkout.Capabilities{
		Methods:    []checkout.Method{checkout.MethodIDEAL, checkout.MethodCreditCard, checkout.MethodBankTransfer, checkout.MethodPayPal, checkout.MethodBancontact, checkout.MethodSEPA},
		Currencies: []string{"EUR"},
		Refunds:    true, PartialRefunds: true, FindByReference: true,
	}
}

// Create makes a redirect order (MultiSafepay's payment page, the bank
// chosen there) with signed POST notifications to req.WebhookURL.
func (p checkoutProvider) Create(ctx context.Context, req checkout.Request) (*checkout.Payment, error) {
	if err := p.Capabilities().Check(provider, req); err != nil {
		return nil, err
	}
	description := req.Description
	if description == "" {
		description = req.Reference
	}
	order := OrderCreate{
		Type: OrderTypeRedirect, OrderID: req.Reference, Gateway: gateways[req.Method],
		Currency: req.CurrencyCode(), Amount: req.Amount, Description: description,
		PaymentOptions: PaymentOptions{
			RedirectURL: req.ReturnURL, CancelURL: req.ReturnURL,
			NotificationURL: req.WebhookURL, NotificationMethod: NotificationMethodPOST,
		},
	}
	o, err := p.c.CreatePayment(ctx, order)
	if err != nil {
		return nil, err
	}
	out := paymentOf(o)
	// A redirect order's answer holds only order_id and payment_url.
	out.Amount, out.Currency, out.Method = req.Amount, req.CurrencyCode(), req.Method
	if o.Status == "" {
		out.Status = betaalkit.PaymentStatus{Status: betaalkit.StatusOpen}
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

// Refund refunds an amount; zero refunds what is left of the order.
func (p checkoutProvider) Refund(ctx context.Context, req checkout.RefundRequest) (*checkout.Refund, error) {
	amount := req.Amount
	if amount == 0 {
		o, err := p.c.GetPayment(ctx, req.PaymentID)
		if err != nil {
			return nil, err
		}
		total, err := AmountOf(o)
		if err != nil {
			return nil, err
		}
		amount = total - o.AmountRefunded.Cents
	}
	currency := req.Currency
	if currency == "" {
		currency = "EUR"
	}
	r, err := p.c.CreateRefund(ctx, req.PaymentID, RefundCreate{Currency: currency, Amount: amount, Description: req.Description})
	if err != nil {
		return nil, err
	}
	return &checkout.Refund{Provider: provider, ID: r.RefundID.String(), PaymentID: req.PaymentID, Amount: amount, Raw: r}, nil
}

// FindByReference reads the order by the shop's order_id; MultiSafepay
// answers 404 for one it does not know.
func (p checkoutProvider) FindByReference(ctx context.Context, reference string) (*checkout.Payment, error) {
	payment, err := p.Get(ctx, reference)
	var apiErr betaalkit.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatus() == http.StatusNotFound {
		return nil, checkout.ErrNotFound
	}
	return payment, err
}

func (p checkoutProvider) WebhookHandler(fn func(context.Context, checkout.Event) error, opts ...betaalkit.WebhookOption) http.Handler {
	return p.c.WebhookHandler(func(ctx context.Context, o *Order) error {
		return fn(ctx, checkout.Event{Payment: paymentOf(o)})
	}, opts...)
}

func paymentOf(o *Order) *checkout.Payment {
	p := &checkout.Payment{
		Provider: provider, ID: o.OrderID.String(), Reference: o.OrderID.String(),
		// A create answer has none (AmountOf's error, not built here for
		// nothing); Create fills it in.
		Amount: o.Amount.Cents, Currency: o.Currency, Status: StatusOf(o), PaymentURL: PaymentURL(o), Raw: o,
		UpdatedAt: checkout.ParseTime(o.Modified), // zone-less, Dutch local time
	}
	for method, gateway := range gateways {
		if gateway == o.PaymentDetails.Type || gateway == o.Gateway {
			p.Method = method
		}
	}
	if p.Status.IsFinal() {
		p.PaymentURL = ""
	}
	return p
}

// ReturnID is the transactionid the provider adds to the return URL.
func (checkoutProvider) ReturnID(form url.Values) string { return form.Get("transactionid") }
