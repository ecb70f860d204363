// Package checkout is one payment API over all five providers: a shop
// writes its payment flow once against a Provider and runs it on Kassa
// Compleet, Online Betaalplatform, MultiSafepay, Buckaroo or iDEAL 2.0.
// Every client has a Checkout method that returns its Provider:
//
//	msp, _ := multisafepay.New(apiKey)
//	bq, _ := buckaroo.New(websiteKey, secretKey)
//	shop, err := checkout.New([]checkout.Provider{msp.Checkout(), bq.Checkout()})
//	p, err := shop.Create(ctx, checkout.Request{
//		Amount: 1250, Reference: "order-1042", Description: "Order 1042",
//		Method: checkout.MethodIDEAL, ReturnURL: returnURL, WebhookURL: webhookURL,
//	})
//	if err != nil { … }
//	http.Redirect(w, r, p.PaymentURL, http.StatusFound)
//
// Statuses are betaalkit.Status everywhere (each client's NormalizeStatus
// documents its mapping), amounts are cents, and the provider's own object
// stays reachable in Payment.Raw.
//
// # Failover
//
// A Router tries the next provider only when the first provably did not
// create a payment: the request never left (the connection could not be
// opened), it was refused before sending, or the provider's answer refused
// it (HTTP 4xx). After any other failure (a timeout, a dropped connection,
// a 5xx) the payment may exist, so the Router looks it up by the shop's
// reference where the provider can, and otherwise returns an
// *AmbiguousError: it never creates a second payment for one reference.
package checkout

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/money"
)

// Method is a payment method in one vocabulary for every provider.
type Method string

// The payment methods the adapters know. A Request without a Method lets
// the provider offer its choice (a hosted payment page).
const (
	MethodIDEAL        Method = "ideal"
	MethodCreditCard   Method = "creditcard"
	MethodBankTransfer Method = "banktransfer"
	MethodIn3          Method = "in3"
	MethodPayPal       Method = "paypal"
	MethodBancontact   Method = "bancontact"
	MethodSEPA         Method = "sepa"
)

// Request is one payment a shop asks for.
type Request struct {
	// Amount is the total in cents; it must be positive.
	Amount money.Cents
	// Currency is the ISO 4217 code; empty means EUR.
	Currency string
	// Reference is the shop's own reference (its order number), unique per
	// payment. It is how a payment is found again after a failure.
	Reference string
	// Description is shown to the customer where the provider shows one.
	Description string
	// Method is the payment method; empty lets the provider offer a choice
	// where it can.
	Method Method
	// Issuer is the customer's iDEAL bank (a BIC such as INGBNL2A), for
	// providers that ask for it up front; empty lets the bank choose later.
	Issuer string
	// ReturnURL is where the customer comes back to after paying.
	ReturnURL string
	// WebhookURL is where the provider reports status changes (the
	// provider's WebhookHandler serves it).
	WebhookURL string
	// Customer is who pays; In3 needs one.
	Customer *Customer
	// Lines are the order lines; In3 needs them, and they must add up to
	// Amount.
	Lines []Line
}

// Customer is the person paying.
type Customer struct {
	FirstName, LastName string
	// Initials, e.g. "J.S.", where the provider asks for them (In3).
	Initials string
	Email    string
	Phone    string
	// BirthDate is yyyy-mm-dd (In3).
	BirthDate string
	// IP is the customer's IP address (In3).
	IP      string
	Address Address
}

// Address is a postal address.
type Address struct {
	Street      string
	HouseNumber string
	// HouseNumberSuffix, e.g. "A" or "bis".
	HouseNumberSuffix string
	PostalCode        string
	City              string
	// Country is the ISO 3166-1 alpha-2 code, e.g. NL.
	Country string
}

// Line is one order line; a discount is a line with a negative price.
type Line struct {
	Code     string
	Name     string
	Quantity int
	// UnitPrice is the price of one, in cents, VAT included.
	UnitPrice money.Cents
}

// Payment is a payment at one provider, in the common vocabulary.
type Payment struct {
	// Provider is the client's package name, e.g. "multisafepay".
	Provider string
	// ID is the provider's id for the payment (the id Get takes).
	ID string
	// Reference is the shop's reference, where the provider keeps it.
	Reference string
	Amount    money.Cents
	Currency  string
	Method    Method
	// Status is the normalized status next to the provider's own value.
	Status betaalkit.PaymentStatus
	// PaymentURL is where to send the customer ("" once there is nothing
	// left for the customer to do).
	PaymentURL string
	// UpdatedAt is the provider's time of this state, where it sends one
	// (zero otherwise); Decide uses it to tell a late event from a new one.
	UpdatedAt time.Time
	// Raw is the provider's own object (e.g. *multisafepay.Order), for
	// anything provider-specific.
	Raw any
}

// RefundRequest asks to refund (part of) a payment.
type RefundRequest struct {
	// PaymentID is the provider's id of the payment.
	PaymentID string
	// Amount is the amount to refund in cents; zero refunds the whole
	// payment.
	Amount money.Cents
	// Currency is the payment's ISO 4217 code; empty means EUR.
	Currency string
	// Description is shown to the customer where the provider supports it.
	Description string
}

// Refund is a refund at one provider.
type Refund struct {
	Provider  string
	ID        string
	PaymentID string
	Amount    money.Cents
	// Raw is the provider's own object.
	Raw any
}

// Event is a verified webhook delivery, normalized: the payment in its
// current state.
type Event struct {
	Payment *Payment
}

// Capabilities say what a provider can do, so a shop can ask before it calls.
type Capabilities struct {
	Methods    []Method
	Currencies []string
	// Refunds and PartialRefunds: whether Refund works, and for less than
	// the whole amount.
	Refunds, PartialRefunds bool
	// FindByReference: whether a payment can be found by the shop's
	// reference (what resolves "did my create arrive?" after a timeout).
	FindByReference bool
}

// Check is what every adapter's Create runs first: the request is valid
// (ValidateRequest) and the provider takes its method and currency, or an
// *UnsupportedError names what it does not take. Nothing has been sent.
func (c Capabilities) Check(provider string, req Request) error {
	if err := ValidateRequest(req); err != nil {
		return err
	}
	if req.Method != "" && !slices.Contains(c.Methods, req.Method) {
		return &UnsupportedError{Provider: provider, What: "method " + string(req.Method)}
	}
	if !slices.Contains(c.Currencies, req.CurrencyCode()) {
		return &UnsupportedError{Provider: provider, What: "currency " + req.CurrencyCode()}
	}
	return nil
}

// Supports reports whether the provider takes this method and currency
// (an empty method or currency is always taken; currency defaults to EUR).
func (c Capabilities) Supports(method Method, currency string) bool {
	if currency == "" {
		currency = "EUR"
	}
	return (method == "" || slices.Contains(c.Methods, method)) && slices.Contains(c.Currencies, currency)
}

// Provider is one payment provider behind the common API. Every client's
// Checkout method returns one; the conformance suite holds all five to the
// same behaviour.
type Provider interface {
	// Name is the client's package name, e.g. "opp".
	Name() string
	Capabilities() Capabilities
	// Create starts a payment.
	Create(ctx context.Context, req Request) (*Payment, error)
	// Get reads a payment's current state by the provider's id.
	Get(ctx context.Context, id string) (*Payment, error)
	// Refund refunds (part of) a payment; an *UnsupportedError (before any
	// request is sent) where the provider has no refunds.
	Refund(ctx context.Context, req RefundRequest) (*Refund, error)
	// FindByReference finds a payment by the shop's reference: ErrNotFound
	// when there is none, an *UnsupportedError where the provider cannot.
	FindByReference(ctx context.Context, reference string) (*Payment, error)
	// WebhookHandler verifies each delivery with the provider's own scheme,
	// reads the payment's current state and calls fn once per delivery.
	WebhookHandler(fn func(ctx context.Context, ev Event) error, opts ...betaalkit.WebhookOption) http.Handler
	// ReturnID is the payment id the provider puts in the customer's
	// return to the shop ("" when it puts none); see Returned.
	ReturnID(form url.Values) string
}

// CurrencyCode is the request's currency, EUR when none is set.
func (r Request) CurrencyCode() string {
	if r.Currency == "" {
		return "EUR"
	}
	return r.Currency
}

// OrderLines are the request's lines, or one line for the whole amount
// (named by the description) when it has none: what a provider that needs
// lines gets.
func (r Request) OrderLines() []Line {
	if len(r.Lines) > 0 {
		return r.Lines
	}
	name := r.Description
	if name == "" {
		name = r.Reference
	}
	return []Line{{Code: r.Reference, Name: name, Quantity: 1, UnitPrice: r.Amount}}
}

// ParseTime reads a provider's time of a payment's state for
// Payment.UpdatedAt: RFC 3339, or the zone-less form in Dutch local time
// that Buckaroo and MultiSafepay send (2017-01-01T10:00:00, fractional
// seconds allowed), read as UTC since such times are only compared with
// each other. Zero when absent or malformed.
func ParseTime(s string) time.Time {
	const zoneless = "2006-01-02T15:04:05"
	// The usual forms first, without a failed parse (it builds an error).
	switch len(s) {
	case 0:
		return time.Time{}
	case len(zoneless):
		t, _ := time.Parse(zoneless, s)
		return t
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t
	}
	t, _ := time.Parse(zoneless, s) // with fractional seconds
	return t
}

// LinesTotal is the sum of quantity × unit price over the request's lines.
func (r Request) LinesTotal() money.Cents {
	var sum money.Cents
	for _, l := range r.Lines {
		sum += money.Cents(l.Quantity) * l.UnitPrice
	}
	return sum
}
