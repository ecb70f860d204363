package ideal2_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/clients/ideal2"
	sandbox "github.com/betaalkit/betaalkit/sandbox/ideal2"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// TestDashboardShowsTheNotificationButNoIBAN: a settled payment's
// notification carries the debtor's IBAN; the dashboard shows the
// delivery, its signature headers redacted, and never the IBAN.
func TestDashboardShowsTheNotificationButNoIBAN(t *testing.T) {
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "OK") }))
	defer shop.Close()
	ts, s, c, err := sandbox.NewTestServer(sandbox.Config{})
	require.NoError(t, err)
	defer ts.Close()
	ctx := context.Background()
	p, err := c.CreatePayment(ctx, ideal2.NewPayment(1250, "Order 7", "order-7"), ideal2.WithNotificationURL(shop.URL+"/notify"))
	require.NoError(t, err)
	id := p.CommonPaymentData.PaymentID
	_, err = sim.PayAsCustomer(ctx, ideal2.PaymentURL(p), sim.Pay)
	require.NoError(t, err)
	st, ok := s.PaymentStatus(ctx, id)
	require.True(t, ok)
	assert.Equal(t, "ABNANL2AXXX", st.CommonPaymentData.DebtorInformation.Agent, "the bank picked on the page (the first)")

	resp, err := http.Get(ts.URL + "/sandbox/payments/ideal2/" + id)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), "delivered (HTTP 200)")
	assert.Contains(t, string(page), "Signature: ", "the signature header is listed…")
	assert.NotContains(t, string(page), `keyId=`, "…redacted")
	assert.NotContains(t, string(page), sandbox.DebtorIBAN)
	assert.NotContains(t, string(page), "0417164300")
	assert.Contains(t, string(page), "SettlementCompleted")
}
