package buckaroo

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
)

// In3Payment is an iDEAL In3 payment (service Capayable, action
// PayInInstallments). Request turns it into the Parameters list with the
// GroupType/GroupID layout of Buckaroo's example; amounts are cents here
// and decimal euros on the wire (800 is sent as 8.00).
type In3Payment struct {
	// Currency defaults to EUR.
	Currency string
	// AmountDebit is the total in cents; In3 charges this amount. It must
	// equal the product lines plus the subtotal lines.
	AmountDebit money.Cents
	Invoice     string
	Order       string
	Description string
	// ClientIP is the customer's IPv4 or IPv6 address.
	ClientIP string
	// InvoiceDate is sent as dd-mm-yyyy, as in the document's example.
	InvoiceDate time.Time
	Customer    In3Customer
	Products    []In3ProductLine
	// Subtotals are discounts, fees and the like (negative for a discount).
	Subtotals []In3SubtotalLine
	// InThreeGuarantee adds the legacy IsInThreeGuarantee=true parameter.
	InThreeGuarantee bool

	ReturnURL, ReturnURLCancel, ReturnURLError, ReturnURLReject string
	PushURL, PushURLFailure                                     string
}

// In3Customer is the customer; the address is both the invoice and the
// shipping address (In3 accepts only one).
type In3Customer struct {
	LastName string
	// Initials, e.g. "J.S.".
	Initials string
	// Culture defaults to nl-NL, the only value In3 supports.
	Culture string
	// Gender is optional.
	Gender Gender
	// BirthDate is sent as yyyy-mm-dd, as in the document's example.
	BirthDate time.Time
	Address   In3Address
	Phone     string
	Fax       string
	Email     string
}

// In3Address is the customer's address.
type In3Address struct {
	Street            string
	HouseNumber       int
	HouseNumberSuffix string
	ZipCode           string
	City              string
	// Country is the ISO 3166-1 alpha-2 code, e.g. NL.
	Country string
}

// Gender is the customer's gender as In3 codes it; empty means not sent.
type Gender string

// Gender codes.
const (
	GenderMale          Gender = "1"
	GenderFemale        Gender = "2"
	GenderUnknown       Gender = "0"
	GenderNotApplicable Gender = "9"
)

// In3ProductLine is one article; lines are numbered GroupID 1, 2, … in order.
type In3ProductLine struct {
	Code     string
	Name     string
	Quantity int
	// Price is the unit price including VAT, in cents.
	Price money.Cents
}

// In3SubtotalLine is a named amount such as a discount ("Korting", -200).
type In3SubtotalLine struct {
	Name string
	// Value is in cents, negative for a discount.
	Value money.Cents
}

const (
	invoiceDateLayout = "02-01-2006"
	birthDateLayout   = "2006-01-02"
)

// serviceParams is the wire path of the (one) service's parameters, for
// *betaalkit.FieldError.
const serviceParams = "Services.ServiceList[0].Parameters"

// paramPath names a service parameter by its group and name as sent:
// Services.ServiceList[0].Parameters[GroupType=Address,Name=ZipCode]
// (GroupType= and GroupID= left out when empty on the wire).
func paramPath(groupType, groupID, name string) string {
	var sel []string
	if groupType != "" {
		sel = append(sel, "GroupType="+groupType)
	}
	if groupID != "" {
		sel = append(sel, "GroupID="+groupID)
	}
	if name != "" {
		sel = append(sel, "Name="+name)
	}
	return serviceParams + "[" + strings.Join(sel, ",") + "]"
}

// subtotalID is a subtotal line's GroupID: the example's single line has
// "", several are numbered 1, 2, ….
func (p In3Payment) subtotalID(i int) string {
	if len(p.Subtotals) > 1 {
		return strconv.Itoa(i + 1)
	}
	return ""
}

// Validate checks every required field of the document's table and that
// the lines add up to AmountDebit. The error joins one
// *betaalkit.FieldError per problem, each naming the field's JSON path in
// the request as sent: AmountDebit, Invoice, ClientIP.Address, or a
// service parameter such as
// Services.ServiceList[0].Parameters[GroupType=Address,Name=ZipCode].
func (p In3Payment) Validate() error {
	var errs []error
	invalid := func(field, reason string) { errs = append(errs, &betaalkit.FieldError{Field: field, Reason: reason}) }
	req := func(field, v string) {
		if strings.TrimSpace(v) == "" {
			invalid(field, "is required")
		}
	}
	param := func(groupType, name, v string) { req(paramPath(groupType, "", name), v) }
	if p.AmountDebit <= 0 {
		invalid("AmountDebit", fmt.Sprintf("%s is not a positive amount", p.AmountDebit))
	}
	if err := apiclient.CheckCurrency("Currency", orDefault(p.Currency, "EUR")); err != nil {
		errs = append(errs, err)
	}
	req("Invoice", p.Invoice)
	req("Description", p.Description)
	if strings.TrimSpace(p.ClientIP) == "" {
		invalid("ClientIP.Address", "is required")
	} else if _, err := netip.ParseAddr(p.ClientIP); err != nil {
		invalid("ClientIP.Address", fmt.Sprintf("%q is not an IP address", p.ClientIP))
	}
	if p.InvoiceDate.IsZero() {
		invalid(paramPath("", "", "InvoiceDate"), "is required")
	}
	c := p.Customer
	param("Person", "LastName", c.LastName)
	param("Person", "Initials", c.Initials)
	if c.BirthDate.IsZero() {
		invalid(paramPath("Person", "", "BirthDate"), "is required")
	}
	switch c.Gender {
	case "", GenderMale, GenderFemale, GenderUnknown, GenderNotApplicable:
	default:
		invalid(paramPath("Person", "", "Gender"), fmt.Sprintf("%q is not one of 1, 2, 0, 9", string(c.Gender)))
	}
	param("Address", "Street", c.Address.Street)
	if c.Address.HouseNumber <= 0 {
		invalid(paramPath("Address", "", "HouseNumber"), "is required")
	}
	param("Address", "ZipCode", c.Address.ZipCode)
	param("Address", "City", c.Address.City)
	param("Address", "Country", c.Address.Country)
	param("Phone", "Phone", c.Phone)
	// Only presence: the document's own example value is an obfuscated address.
	param("Email", "Email", c.Email)
	if len(p.Products) == 0 {
		invalid(paramPath("ProductLine", "1", ""), "needs at least one product line")
	}
	for i, l := range p.Products {
		id := strconv.Itoa(i + 1)
		req(paramPath("ProductLine", id, "Code"), l.Code)
		req(paramPath("ProductLine", id, "Name"), l.Name)
		if l.Quantity <= 0 {
			invalid(paramPath("ProductLine", id, "Quantity"), fmt.Sprintf("%d is not a positive quantity", l.Quantity))
		}
	}
	for i, s := range p.Subtotals {
		req(paramPath("SubtotalLine", p.subtotalID(i), "Name"), s.Name)
	}
	if len(p.Products) > 0 {
		if sum := p.LinesTotal(); sum != p.AmountDebit {
			invalid("AmountDebit", fmt.Sprintf("%s does not match the product and subtotal lines, which add up to %s", p.AmountDebit, sum))
		}
	}
	return errors.Join(errs...)
}

// LinesTotal is the sum of quantity × price over the product lines plus
// the subtotal lines, in cents.
func (p In3Payment) LinesTotal() money.Cents {
	var sum money.Cents
	for _, l := range p.Products {
		sum += money.Cents(l.Quantity) * l.Price
	}
	for _, s := range p.Subtotals {
		sum += s.Value
	}
	return sum
}

// Request validates the payment and builds the transaction request.
func (p In3Payment) Request() (TransactionRequest, error) {
	if err := p.Validate(); err != nil {
		return TransactionRequest{}, err
	}
	c := p.Customer
	var params []RequestParameter
	add := func(name, groupType, groupID, value string) {
		params = append(params, RequestParameter{Name: name, GroupType: groupType, GroupID: groupID, Value: value})
	}
	// The order follows the document's example, Fax after the product lines included.
	add("CustomerType", "", "", "Debtor")
	add("InvoiceDate", "", "", p.InvoiceDate.Format(invoiceDateLayout))
	add("LastName", "Person", "", c.LastName)
	add("Culture", "Person", "", orDefault(c.Culture, "nl-NL"))
	add("Initials", "Person", "", c.Initials)
	if c.Gender != "" {
		add("Gender", "Person", "", string(c.Gender))
	}
	add("BirthDate", "Person", "", c.BirthDate.Format(birthDateLayout))
	add("Street", "Address", "", c.Address.Street)
	add("HouseNumber", "Address", "", strconv.Itoa(c.Address.HouseNumber))
	if c.Address.HouseNumberSuffix != "" {
		add("HouseNumberSuffix", "Address", "", c.Address.HouseNumberSuffix)
	}
	add("ZipCode", "Address", "", c.Address.ZipCode)
	add("City", "Address", "", c.Address.City)
	add("Country", "Address", "", c.Address.Country)
	add("Phone", "Phone", "", c.Phone)
	add("Email", "Email", "", c.Email)
	for i, l := range p.Products {
		id := strconv.Itoa(i + 1)
		add("Code", "ProductLine", id, l.Code)
		add("Name", "ProductLine", id, l.Name)
		add("Quantity", "ProductLine", id, strconv.Itoa(l.Quantity))
		add("Price", "ProductLine", id, l.Price.String())
	}
	if c.Fax != "" {
		add("Fax", "Phone", "", c.Fax)
	}
	for i, s := range p.Subtotals {
		id := p.subtotalID(i)
		add("Name", "SubtotalLine", id, s.Name)
		add("Value", "SubtotalLine", id, s.Value.String())
	}
	if p.InThreeGuarantee {
		add("IsInThreeGuarantee", "", "", "true")
	}

	addr, _ := netip.ParseAddr(p.ClientIP) // Validate checked it
	return TransactionRequest{
		Currency:        orDefault(p.Currency, "EUR"),
		AmountDebit:     p.AmountDebit.Decimal(),
		Invoice:         p.Invoice,
		Order:           p.Order,
		Description:     p.Description,
		ClientIP:        ClientIP{Type: ipType(addr), Address: p.ClientIP},
		ReturnURL:       p.ReturnURL,
		ReturnURLCancel: p.ReturnURLCancel,
		ReturnURLError:  p.ReturnURLError,
		ReturnURLReject: p.ReturnURLReject,
		PushURL:         p.PushURL,
		PushURLFailure:  p.PushURLFailure,
		Services: RequestServices{ServiceList: []RequestService{
			{Name: ServiceCapayable, Action: ActionPayInInstallments, Parameters: params},
		}},
	}, nil
}
