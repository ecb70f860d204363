package buckaroo_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
)

// The request on the wire, byte for byte: cents as decimal euros with two
// places, the issuer exactly as given, the ClientIP family from the address.
func TestIdealPaymentWireText(t *testing.T) {
	req, err := buckaroo.IdealPayment{
		Amount: 1000, Issuer: "ABNANL2A", Invoice: "inv-1", Description: "Order 1",
		ClientIP: "2001:db8::1", ReturnURL: "https://shop.example/return", PushURL: "https://shop.example/push",
	}.Request()
	require.NoError(t, err)
	body, err := json.Marshal(req)
	require.NoError(t, err)
	assert.JSONEq(t, `{"Currency":"EUR","AmountDebit":10.00,"Invoice":"inv-1","Description":"Order 1",
		"ClientIP":{"Type":1,"Address":"2001:db8::1"},
		"ReturnURL":"https://shop.example/return","PushURL":"https://shop.example/push",
		"Services":{"ServiceList":[{"Name":"ideal","Action":"Pay","Parameters":[{"Name":"issuer","GroupType":"","GroupID":"","Value":"ABNANL2A"}]}]}}`, string(body))
	assert.Contains(t, string(body), `"AmountDebit":10.00`, "the amount's text is exact")

	// Without an issuer the customer chooses after the redirect: no parameters.
	req, err = buckaroo.IdealPayment{Amount: 5, Invoice: "inv-2"}.Request()
	require.NoError(t, err)
	body, err = json.Marshal(req)
	require.NoError(t, err)
	assert.JSONEq(t, `{"Currency":"EUR","AmountDebit":0.05,"Invoice":"inv-2","Services":{"ServiceList":[{"Name":"ideal","Action":"Pay"}]}}`, string(body))
}

// Every problem is a *betaalkit.FieldError naming the field as sent.
func TestIdealPaymentValidate(t *testing.T) {
	err := buckaroo.IdealPayment{Currency: "USD", Issuer: "ing", ClientIP: "localhost"}.Validate()
	require.Error(t, err)
	var fields []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *betaalkit.FieldError
		require.True(t, errors.As(e, &fe), "%v", e)
		fields = append(fields, fe.Field)
	}
	assert.Equal(t, []string{"AmountDebit", "Currency", "Invoice", "Services.ServiceList[0].Parameters[Name=issuer]", "ClientIP.Address"}, fields)
	assert.NoError(t, buckaroo.IdealPayment{Amount: 1, Invoice: "x", Issuer: "INGBNL2AXXX", ClientIP: "192.0.2.1"}.Validate())
}

// PayIdeal sends the request through CreatePayment (signed, checked
// against the spec by the fake) and refuses a bad payment before sending.
func TestPayIdeal(t *testing.T) {
	answer := mustFixture(t, "payininstallments").Response.BodyBytes()
	f := newFake(t, jsonAnswer(http.StatusOK, answer))
	c := f.client(t)
	tx, err := c.PayIdeal(context.Background(), buckaroo.IdealPayment{Amount: 800, Issuer: "INGBNL2A", Invoice: "inv-1"})
	require.NoError(t, err)
	assert.NotEmpty(t, buckaroo.PaymentURL(tx))
	got := f.all()
	require.Len(t, got, 1)
	require.NoError(t, got[0].verifyErr)
	require.NoError(t, got[0].specErr)
	assert.Contains(t, string(got[0].body), `"Parameters":[{"GroupID":"","GroupType":"","Name":"issuer","Value":"INGBNL2A"}]`)

	_, err = c.PayIdeal(context.Background(), buckaroo.IdealPayment{Amount: 800, Invoice: "inv-1", Issuer: "nope"})
	assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
	assert.ErrorContains(t, err, "buckaroo: create payment: invalid request: Services.ServiceList[0].Parameters[Name=issuer]")
	assert.Len(t, f.all(), 1, "nothing sent")
}
