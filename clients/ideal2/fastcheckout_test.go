package ideal2_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/betaalkit/betaalkit/clients/ideal2"
)

// What a Fast Checkout returns is kept: the customer's contact details and
// addresses, in the status answer and the notification, with its links.
func TestFastCheckoutDataIsKept(t *testing.T) {
	st := decodeFixture[ideal2.PaymentStatusResponse](t, "payment-status-fastcheckout", true)
	d := st.CommonPaymentData.DebtorInformation
	assert.Equal(t, "e.w.dijkstra@example.com", d.ContactDetails.Email)
	assert.Equal(t, "+31612345678", d.ContactDetails.PhoneNumber)
	assert.Equal(t, ideal2.AddressData{FirstName: "Edsger", LastName: "Dijkstra", StreetName: "Planetenlaan", BuildingNumber: "16",
		Floor: "A", PostCode: "5632AB", TownName: "Eindhoven", Country: "Netherlands"}, d.ShippingAddress)
	assert.Equal(t, "Mathematisch Centrum", d.BillingAddress.CompanyName)
	assert.Equal(t, "NL44RABO0123456789", d.Account.Identification)

	n := decodeFixture[ideal2.PaymentStatusResponse](t, "notification-fastcheckout-links", false)
	assert.Equal(t, "Eindhoven", n.CommonPaymentData.DebtorInformation.ShippingAddress.TownName)
	assert.Zero(t, n.CommonPaymentData.DebtorInformation.BillingAddress, "not asked for, not sent")
	assert.Equal(t, "https://worldline.com", n.Links.RedirectURL.Href)

	open := decodeFixture[ideal2.PaymentStatusResponse](t, "payment-status-open-links", true)
	assert.Equal(t, "https://worldline.com", open.Links.RedirectURL.Href)
	assert.Equal(t, "iDEALStandardFlow", open.CommonPaymentData.InitiatingPartyReferenceID)
	assert.False(t, open.CommonPaymentData.ExpiryDateTimestamp.IsZero())
}
