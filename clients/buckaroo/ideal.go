package buckaroo

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
)

// IdealPayment is an iDEAL payment (service "ideal", action Pay). Request
// turns it into the transaction request of Buckaroo's iDEAL page: the
// amount in cents here and decimal euros on the wire (1000 is sent as
// 10.00), the issuer as the one service parameter, exactly as given.
type IdealPayment struct {
	// Currency defaults to EUR, the only currency iDEAL takes.
	Currency string
	// Amount is what the customer pays, in cents; it must be positive.
	Amount money.Cents
	// Issuer is the customer's bank as a BIC (e.g. ABNANL2A), sent as the
	// issuer parameter. Empty lets the customer choose the bank after the
	// redirect; GetSpecification(ctx, "ideal", …) lists the banks.
	Issuer string
	// Invoice is the shop's reference for the payment; it is required.
	Invoice     string
	Order       string
	Description string
	// ClientIP is the customer's IPv4 or IPv6 address (optional).
	ClientIP string

	ReturnURL, ReturnURLCancel, ReturnURLError, ReturnURLReject string
	PushURL, PushURLFailure                                     string
}

// bic is the shape of an issuer: bank, country, location and an optional branch.
var bic = regexp.MustCompile(`^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$`)

// Validate checks the payment before anything is sent. The error joins
// one *betaalkit.FieldError per problem, each naming the field's JSON path
// in the request as sent: AmountDebit, Currency, Invoice, ClientIP.Address
// or Services.ServiceList[0].Parameters[Name=issuer].
func (p IdealPayment) Validate() error {
	var errs []error
	invalid := func(field, reason string) { errs = append(errs, &betaalkit.FieldError{Field: field, Reason: reason}) }
	if p.Amount <= 0 {
		invalid("AmountDebit", fmt.Sprintf("%s is not a positive amount", p.Amount))
	}
	if c := orDefault(p.Currency, "EUR"); c != "EUR" {
		invalid("Currency", fmt.Sprintf("%q: iDEAL takes only EUR", c))
	}
	if strings.TrimSpace(p.Invoice) == "" {
		invalid("Invoice", "is required")
	}
	if p.Issuer != "" && !bic.MatchString(p.Issuer) {
		invalid(paramPath("", "", "issuer"), fmt.Sprintf("%q is not a BIC such as ABNANL2A", p.Issuer))
	}
	if p.ClientIP != "" {
		if _, err := netip.ParseAddr(p.ClientIP); err != nil {
			invalid("ClientIP.Address", fmt.Sprintf("%q is not an IP address", p.ClientIP))
		}
	}
	return errors.Join(errs...)
}

// Request validates the payment and builds the transaction request.
func (p IdealPayment) Request() (TransactionRequest, error) {
	if err := p.Validate(); err != nil {
		return TransactionRequest{}, err
	}
	svc := RequestService{Name: ServiceIDEAL, Action: ActionPay}
	if p.Issuer != "" {
		svc.Parameters = []RequestParameter{{Name: "issuer", Value: p.Issuer}}
	}
	req := TransactionRequest{
		Currency:        orDefault(p.Currency, "EUR"),
		AmountDebit:     p.Amount.Decimal(),
		Invoice:         p.Invoice,
		Order:           p.Order,
		Description:     p.Description,
		ReturnURL:       p.ReturnURL,
		ReturnURLCancel: p.ReturnURLCancel,
		ReturnURLError:  p.ReturnURLError,
		ReturnURLReject: p.ReturnURLReject,
		PushURL:         p.PushURL,
		PushURLFailure:  p.PushURLFailure,
		Services:        RequestServices{ServiceList: []RequestService{svc}},
	}
	if p.ClientIP != "" {
		addr, _ := netip.ParseAddr(p.ClientIP) // Validate checked it
		req.ClientIP = ClientIP{Type: ipType(addr), Address: p.ClientIP}
	}
	return req, nil
}

// PayIdeal starts an iDEAL payment: it builds the request with
// IdealPayment.Request, which checks the payment before anything is sent,
// and sends it with CreatePayment. Send the customer to PaymentURL(tx).
func (c *Client) PayIdeal(ctx context.Context, p IdealPayment) (*Transaction, error) {
	req, err := p.Request()
	if err != nil {
		return nil, apiclient.Call{Provider: provider, Op: "create payment"}.Wrap(err)
	}
	return c.CreatePayment(ctx, req)
}
