package buckaroo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/checkout"
	"github.com/betaalkit/betaalkit/money"
)

// Checkout returns the client as a checkout.Provider: iDEAL (PayIdeal:
// service "ideal", action Pay, the request's Issuer as the issuer) and
// iDEAL In3 (Capayable PayInInstallments, which needs the request's
// Customer and Lines). The shop's reference is the
// Invoice. Buckaroo's document has no search by invoice, so
// FindByReference is unsupported.
func (c *Client) Checkout() checkout.Provider {
	return checkoutProvider{c: c, Unsupported: checkout.Unsupported{Provider: provider}}
}

type checkoutProvider struct {
	c *Client
	checkout.Unsupported
}

func (checkoutProvider) Name() string { return provider }

func (checkoutProvider) Capabilities() checkout.Capabilities {
	return checkout.Capabilities{
		Methods:    []checkout.Method{checkout.MethodIDEAL, checkout.MethodIn3},
		Currencies: []string{"EUR"},
		Refunds:    true, PartialRefunds: true,
	}
}

func (p checkoutProvider) Create(ctx context.Context, req checkout.Request) (*checkout.Payment, error) {
	if err := p.Capabilities().Check(provider, req); err != nil {
		return nil, err
	}
	var tx *Transaction
	var err error
	switch req.Method {
	case checkout.MethodIn3:
		var in3 In3Payment
		if in3, err = in3Of(req); err != nil {
			return nil, err
		}
		tx, err = p.c.PayInInstallments(ctx, in3)
	default: // iDEAL, or the provider's choice
		tx, err = p.c.PayIdeal(ctx, idealOf(req))
	}
	if err != nil {
		return nil, err
	}
	return paymentOf(tx), nil
}

func idealOf(req checkout.Request) IdealPayment {
	return IdealPayment{
		Currency: req.CurrencyCode(), Amount: req.Amount, Issuer: req.Issuer,
		Invoice: req.Reference, Description: req.Description,
		ReturnURL: req.ReturnURL, PushURL: req.WebhookURL,
	}
}

// in3Of maps a request onto In3's fields; In3 checks them all before
// anything is sent.
func in3Of(req checkout.Request) (In3Payment, error) {
	c := req.Customer
	if c == nil {
		return In3Payment{}, &betaalkit.FieldError{Field: "Customer", Reason: "In3 needs the customer (name, birth date, address, phone, email, IP)"}
	}
	number, suffix := splitHouseNumber(c.Address.HouseNumber, c.Address.HouseNumberSuffix)
	birth, err := time.Parse("2006-01-02", c.BirthDate)
	if err != nil && c.BirthDate != "" {
		return In3Payment{}, &betaalkit.FieldError{Field: "Customer.BirthDate", Reason: fmt.Sprintf("%q is not yyyy-mm-dd", c.BirthDate)}
	}
	p := In3Payment{
		Currency: req.CurrencyCode(), AmountDebit: req.Amount,
		Invoice: req.Reference, Order: req.Reference, Description: req.Description,
		ClientIP: c.IP, InvoiceDate: time.Now(),
		Customer: In3Customer{
			LastName: c.LastName, Initials: c.Initials, BirthDate: birth, Phone: c.Phone, Email: c.Email,
			Address: In3Address{Street: c.Address.Street, HouseNumber: number, HouseNumberSuffix: suffix,
				ZipCode: c.Address.PostalCode, City: c.Address.City, Country: c.Address.Country},
		},
		ReturnURL: req.ReturnURL, PushURL: req.WebhookURL,
	}
	for _, l := range req.OrderLines() {
		if l.UnitPrice < 0 { // a discount is a subtotal line at In3
			p.Subtotals = append(p.Subtotals, In3SubtotalLine{Name: l.Name, Value: l.UnitPrice * money.Cents(l.Quantity)})
			continue
		}
		p.Products = append(p.Products, In3ProductLine{Code: l.Code, Name: l.Name, Quantity: l.Quantity, Price: l.UnitPrice})
	}
	return p, nil
}

// splitHouseNumber reads "12" or "12A" into In3's number and suffix.
func splitHouseNumber(number, suffix string) (int, string) {
	digits := strings.TrimLeft(number, "0123456789")
	n, _ := strconv.Atoi(strings.TrimSuffix(number, digits))
	if suffix == "" {
		suffix = strings.TrimSpace(digits)
	}
	return n, suffix
}

func (p checkoutProvider) Get(ctx context.Context, id string) (*checkout.Payment, error) {
	tx, err := p.c.GetPayment(ctx, id)
	if err != nil {
		return nil, err
	}
	return paymentOf(tx), nil
}

// Refund refunds an amount, through the service the payment was made
// with; zero refunds the whole payment (Buckaroo refuses more than is left).
func (p checkoutProvider) Refund(ctx context.Context, req checkout.RefundRequest) (*checkout.Refund, error) {
	orig, err := p.c.GetPayment(ctx, req.PaymentID)
	if err != nil {
		return nil, err
	}
	amount := req.Amount
	if amount == 0 {
		if amount, err = AmountOf(orig); err != nil {
			return nil, err
		}
	}
	tx, err := p.c.CreateRefund(ctx, req.PaymentID, RefundRequest{Amount: amount, Currency: req.Currency, Description: req.Description, Service: orig.ServiceCode})
	if err != nil {
		return nil, err
	}
	return &checkout.Refund{Provider: provider, ID: tx.Key, PaymentID: req.PaymentID, Amount: amount, Raw: tx}, nil
}

func (p checkoutProvider) WebhookHandler(fn func(context.Context, checkout.Event) error, opts ...betaalkit.WebhookOption) http.Handler {
	return p.c.WebhookHandler(func(ctx context.Context, tx *Transaction) error {
		return fn(ctx, checkout.Event{Payment: paymentOf(tx)})
	}, opts...)
}

func paymentOf(tx *Transaction) *checkout.Payment {
	amount, _ := AmountOf(tx)
	p := &checkout.Payment{
		Provider: provider, ID: tx.Key, Reference: tx.Invoice,
		Amount: amount, Currency: tx.Currency, Status: StatusOf(tx), PaymentURL: PaymentURL(tx), Raw: tx,
		UpdatedAt: checkout.ParseTime(tx.Status.DateTime), // Dutch local time, with or without an offset
	}
	switch {
	case strings.EqualFold(tx.ServiceCode, ServiceIDEAL):
		p.Method = checkout.MethodIDEAL
	case strings.EqualFold(tx.ServiceCode, ServiceCapayable):
		p.Method = checkout.MethodIn3
	}
	if p.Status.IsFinal() {
		p.PaymentURL = ""
	}
	return p
}

// ReturnID is the brq_transactions the provider adds to the return URL.
func (checkoutProvider) ReturnID(form url.Values) string { return form.Get("brq_transactions") }
