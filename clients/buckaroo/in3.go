package buckaroo

import (
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
)

// In3Payment is an iDEAL In3 payment (service Capayable, action
// PayInInstallments). Request turns it into the Parameters list with the
// GroupType/GroupID layout of Buckaroo's example.
type In3Payment struct {
	// Currency defaults to EUR.
	Currency string
	// AmountDebit is the total; In3 charges this amount. It must equal the
	// product lines plus the subtotal lines.
	AmountDebit money.Decimal
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
	Quantity money.Decimal
	// Price is the unit price including VAT.
	Price money.Decimal
}

// In3SubtotalLine is a named amount such as a discount ("Korting", -2.00).
type In3SubtotalLine struct {
	Name  string
	Value money.Decimal
}

const (
	invoiceDateLayout = "02-01-2006"
	birthDateLayout   = "2006-01-02"
)

// Validate checks every required field of the document's table and that
// the lines add up to AmountDebit. The error joins one
// *apiclient.FieldError per problem, each naming its field.
func (p In3Payment) Validate() error {
	var errs []error
	missing := func(field string) { errs = append(errs, &apiclient.FieldError{Field: field, Reason: "is required"}) }
	req := func(field, v string) {
		if strings.TrimSpace(v) == "" {
			missing(field)
		}
	}
	if p.AmountDebit.Rat().Sign() <= 0 {
		errs = append(errs, &apiclient.FieldError{Field: "AmountDebit", Reason: fmt.Sprintf("%s is not a positive amount", p.AmountDebit)})
	}
	if c := orDefault(p.Currency, "EUR"); len(c) != 3 || strings.ToUpper(c) != c {
		errs = append(errs, &apiclient.FieldError{Field: "Currency", Reason: fmt.Sprintf("%q is not an ISO 4217 code such as EUR", c)})
	}
	req("Invoice", p.Invoice)
	req("Description", p.Description)
	if strings.TrimSpace(p.ClientIP) == "" {
		missing("ClientIP")
	} else if _, err := netip.ParseAddr(p.ClientIP); err != nil {
		errs = append(errs, &apiclient.FieldError{Field: "ClientIP", Reason: fmt.Sprintf("%q is not an IP address", p.ClientIP)})
	}
	if p.InvoiceDate.IsZero() {
		missing("InvoiceDate")
	}
	c := p.Customer
	req("Customer.LastName", c.LastName)
	req("Customer.Initials", c.Initials)
	if c.BirthDate.IsZero() {
		missing("Customer.BirthDate")
	}
	switch c.Gender {
	case "", GenderMale, GenderFemale, GenderUnknown, GenderNotApplicable:
	default:
		errs = append(errs, &apiclient.FieldError{Field: "Customer.Gender", Reason: fmt.Sprintf("%q is not one of 1, 2, 0, 9", string(c.Gender))})
	}
	req("Customer.Address.Street", c.Address.Street)
	if c.Address.HouseNumber <= 0 {
		missing("Customer.Address.HouseNumber")
	}
	req("Customer.Address.ZipCode", c.Address.ZipCode)
	req("Customer.Address.City", c.Address.City)
	req("Customer.Address.Country", c.Address.Country)
	req("Customer.Phone", c.Phone)
	// Only presence: the document's own example value is an obfuscated address.
	req("Customer.Email", c.Email)
	if len(p.Products) == 0 {
		errs = append(errs, &apiclient.FieldError{Field: "Products", Reason: "needs at least one product line"})
	}
	for i, l := range p.Products {
		f := fmt.Sprintf("Products[%d].", i)
		req(f+"Code", l.Code)
		req(f+"Name", l.Name)
		if l.Quantity.Rat().Sign() <= 0 {
			errs = append(errs, &apiclient.FieldError{Field: f + "Quantity", Reason: fmt.Sprintf("%s is not a positive quantity", l.Quantity)})
		}
	}
	for i, s := range p.Subtotals {
		req(fmt.Sprintf("Subtotals[%d].Name", i), s.Name)
	}
	if len(p.Products) > 0 {
		if sum := p.LinesTotal(); sum.Cmp(p.AmountDebit.Rat()) != 0 {
			errs = append(errs, &apiclient.FieldError{Field: "AmountDebit", Reason: fmt.Sprintf(
				"%s does not match the product and subtotal lines, which add up to %s", p.AmountDebit, sum.FloatString(2))})
		}
	}
	return errors.Join(errs...)
}

// LinesTotal is the exact sum of quantity × price over the product lines
// plus the subtotal lines.
func (p In3Payment) LinesTotal() *big.Rat {
	sum := new(big.Rat)
	for _, l := range p.Products {
		sum.Add(sum, new(big.Rat).Mul(l.Quantity.Rat(), l.Price.Rat()))
	}
	for _, s := range p.Subtotals {
		sum.Add(sum, s.Value.Rat())
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
		params = append(params, RequestParameter{Name: name, GroupType: &groupType, GroupID: &groupID, Value: value})
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
		add("Quantity", "ProductLine", id, l.Quantity.String())
		add("Price", "ProductLine", id, l.Price.String())
	}
	if c.Fax != "" {
		add("Fax", "Phone", "", c.Fax)
	}
	for i, s := range p.Subtotals {
		// The example's single subtotal line has GroupID ""; several are numbered.
		id := ""
		if len(p.Subtotals) > 1 {
			id = strconv.Itoa(i + 1)
		}
		add("Name", "SubtotalLine", id, s.Name)
		add("Value", "SubtotalLine", id, s.Value.String())
	}
	if p.InThreeGuarantee {
		add("IsInThreeGuarantee", "", "", "true")
	}

	ipType := ClientIPv4
	if addr, _ := netip.ParseAddr(p.ClientIP); addr.Is6() && !addr.Is4In6() {
		ipType = ClientIPv6
	}
	amount := p.AmountDebit
	req := TransactionRequest{
		Currency:    orDefault(p.Currency, "EUR"),
		AmountDebit: &amount,
		Invoice:     &p.Invoice,
		Description: &p.Description,
		ClientIP:    &ClientIP{Type: &ipType, Address: p.ClientIP},
		Services: &RequestServices{ServiceList: []RequestService{
			{Name: ServiceCapayable, Action: ActionPayInInstallments, Parameters: &params},
		}},
	}
	for _, o := range []struct {
		v   string
		dst **string
	}{
		{p.Order, &req.Order},
		{p.ReturnURL, &req.ReturnURL}, {p.ReturnURLCancel, &req.ReturnURLCancel},
		{p.ReturnURLError, &req.ReturnURLError}, {p.ReturnURLReject, &req.ReturnURLReject},
		{p.PushURL, &req.PushURL}, {p.PushURLFailure, &req.PushURLFailure},
	} {
		if o.v != "" {
			v := o.v
			*o.dst = &v
		}
	}
	return req, nil
}
