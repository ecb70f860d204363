package buckaroo_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
)

// fieldsOf lists the Field of every *betaalkit.FieldError joined in err.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	require.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
	var joined interface{ Unwrap() []error }
	require.True(t, errors.As(err, &joined), "Validate joins its errors: %v", err)
	var fields []string
	for _, e := range joined.Unwrap() {
		var ferr *betaalkit.FieldError
		require.True(t, errors.As(e, &ferr), "%v is not a *betaalkit.FieldError", e)
		fields = append(fields, ferr.Field)
	}
	return fields
}

// Validate names every missing field by its JSON path in the request as
// sent: top-level keys, and service parameters by group and name.
func TestIn3ValidationNamesEveryMissingFieldByWirePath(t *testing.T) {
	fake := newFake(t)
	_, err := fake.client(t).PayInInstallments(context.Background(), buckaroo.In3Payment{})
	assert.ErrorContains(t, err, "buckaroo: create payment: ")
	const p = "Services.ServiceList[0].Parameters"
	assert.Equal(t, []string{
		"AmountDebit", "Invoice", "Description", "ClientIP.Address",
		p + "[Name=InvoiceDate]",
		p + "[GroupType=Person,Name=LastName]",
		p + "[GroupType=Person,Name=Initials]",
		p + "[GroupType=Person,Name=BirthDate]",
		p + "[GroupType=Address,Name=Street]",
		p + "[GroupType=Address,Name=HouseNumber]",
		p + "[GroupType=Address,Name=ZipCode]",
		p + "[GroupType=Address,Name=City]",
		p + "[GroupType=Address,Name=Country]",
		p + "[GroupType=Phone,Name=Phone]",
		p + "[GroupType=Email,Name=Email]",
		p + "[GroupType=ProductLine,GroupID=1]",
	}, fieldsOf(t, err))
	assert.Empty(t, fake.all(), "nothing was sent")

	pay := seedPayment()
	pay.Products = append(pay.Products, buckaroo.In3ProductLine{Name: "Red car", Quantity: 0})
	pay.Subtotals = append(pay.Subtotals, buckaroo.In3SubtotalLine{Value: 100})
	pay.ClientIP = "not-an-ip"
	pay.Customer.Gender = "M"
	pay.Currency = "eur"
	assert.ElementsMatch(t, []string{
		"Currency", "ClientIP.Address",
		p + "[GroupType=Person,Name=Gender]",
		p + "[GroupType=ProductLine,GroupID=2,Name=Code]",
		p + "[GroupType=ProductLine,GroupID=2,Name=Quantity]",
		// Two subtotal lines are numbered on the wire, so their paths are too.
		p + "[GroupType=SubtotalLine,GroupID=2,Name=Name]",
		"AmountDebit", // 8.00 + 1.00 of the new subtotal no longer adds up
	}, fieldsOf(t, pay.Validate()))

	// Each path finds its parameter in the request the builder sends.
	pay = seedPayment()
	req, err := pay.Request()
	require.NoError(t, err)
	found := map[string]bool{}
	for _, prm := range req.Services.ServiceList[0].Parameters {
		found[prm.GroupType+"/"+prm.GroupID+"/"+prm.Name] = true
	}
	for _, k := range []string{"/" + "/InvoiceDate", "Person//LastName", "Address//ZipCode", "ProductLine/1/Quantity", "SubtotalLine//Value"} {
		assert.True(t, found[k], k)
	}
}

func TestIn3AmountsMustMatchLines(t *testing.T) {
	p := seedPayment()
	p.AmountDebit = 1000 // lines add up to 8.00
	_, err := p.Request()
	assert.Equal(t, []string{"AmountDebit"}, fieldsOf(t, err))
	assert.ErrorContains(t, err, "10.00 does not match the product and subtotal lines, which add up to 8.00")

	// Quantities multiply: 3 × 0.10 + 0.50 + 0.20 = 1.00.
	p = seedPayment()
	p.AmountDebit = 100
	p.Products = []buckaroo.In3ProductLine{{Code: "c", Name: "n", Quantity: 3, Price: 10}}
	p.Subtotals = []buckaroo.In3SubtotalLine{{Name: "Fee", Value: 50}, {Name: "Shipping", Value: 20}}
	assert.Equal(t, p.AmountDebit, p.LinesTotal())
	req, err := p.Request()
	require.NoError(t, err)
	assert.Equal(t, "1.00", req.AmountDebit.String())
	var subtotals []string
	for _, prm := range req.Services.ServiceList[0].Parameters {
		if prm.GroupType == "SubtotalLine" {
			subtotals = append(subtotals, prm.GroupID+" "+prm.Name+"="+prm.Value)
		}
	}
	assert.Equal(t, []string{"1 Name=Fee", "1 Value=0.50", "2 Name=Shipping", "2 Value=0.20"}, subtotals, "several subtotal lines are numbered")
}

func TestIn3ProductLinesAreNumbered(t *testing.T) {
	p := seedPayment()
	p.AmountDebit = 1300
	p.Products = append(p.Products, buckaroo.In3ProductLine{Code: "x9", Name: "Red car", Quantity: 2, Price: 250})
	p.ClientIP = "2001:db8::1"
	req, err := p.Request()
	require.NoError(t, err)
	assert.Equal(t, buckaroo.ClientIPv6, req.ClientIP.Type)
	got := map[string][]string{}
	for _, prm := range req.Services.ServiceList[0].Parameters {
		if prm.GroupType == "ProductLine" {
			got[prm.GroupID] = append(got[prm.GroupID], prm.Name+"="+prm.Value)
		}
	}
	assert.Equal(t, map[string][]string{
		"1": {"Code=abc123", "Name=Blue Toy Car", "Quantity=1", "Price=10.00"},
		"2": {"Code=x9", "Name=Red car", "Quantity=2", "Price=2.50"},
	}, got)
}
