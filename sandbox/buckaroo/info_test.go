package buckaroo_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/clients/buckaroo"
	sandbox "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// The specification describes what the sandbox takes: iDEAL's issuer
// lists the banks its payment page offers, In3's the document's table.
func TestSpecificationOfTheServicesTheSandboxKnows(t *testing.T) {
	_, _, c := start(t, sandbox.Config{})
	ctx := context.Background()
	spec, err := c.GetSpecification(ctx, "IDEAL", buckaroo.SpecificationParams{Version: 2})
	require.NoError(t, err)
	assert.Equal(t, "ideal", spec.Name)
	issuer, ok := buckaroo.RequestParameterOf(spec, "Pay", "issuer")
	require.True(t, ok)
	require.Len(t, issuer.ListItemDescriptions, len(sim.IDEALBanks))
	for i, b := range sim.IDEALBanks {
		assert.Equal(t, b.ID, issuer.ListItemDescriptions[i].Value)
	}

	in3, err := c.GetSpecification(ctx, "Capayable", buckaroo.SpecificationParams{})
	require.NoError(t, err)
	zip, ok := buckaroo.RequestParameterOf(in3, "PayInInstallments", "ZipCode")
	require.True(t, ok)
	assert.Equal(t, "Address", zip.Group)
	assert.True(t, bool(zip.Required))

	for _, tc := range []struct {
		service string
		version int
	}{{"paypal", 0}, {"ideal", 1}} {
		_, err := c.GetSpecification(ctx, tc.service, buckaroo.SpecificationParams{Version: tc.version})
		var apiErr *buckaroo.Error
		require.True(t, errors.As(err, &apiErr), "%v", err)
		assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	}
}

// An iDEAL issuer outside the specification's list is refused as Buckaroo
// refuses a parameter: 491 with a ParameterError naming it.
func TestIdealIssuerMustBeListed(t *testing.T) {
	_, _, c := start(t, sandbox.Config{})
	_, err := c.PayIdeal(context.Background(), buckaroo.IdealPayment{Amount: 100, Invoice: "inv-1", Issuer: "TESTNL2A"})
	var apiErr *buckaroo.Error
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, buckaroo.StatusValidationFailure, apiErr.Code)
	require.Len(t, apiErr.Details, 1)
	assert.Equal(t, "issuer", apiErr.Details[0].Name)
}

// RefundInfo follows the payment's refund state: nothing before it is
// paid, all of it after, what remains after a partial refund, nothing
// after a full one; a refund is never refundable itself.
func TestRefundInfoFollowsTheRefunds(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	tx, err := c.PayIdeal(ctx, buckaroo.IdealPayment{Amount: 1000, Invoice: "inv-1", Issuer: "INGBNL2A"})
	require.NoError(t, err)
	left := func() refundState {
		t.Helper()
		info, err := c.GetRefundInfo(ctx, tx.Key)
		require.NoError(t, err)
		cents, err := buckaroo.RefundableOf(info)
		require.NoError(t, err)
		return refundState{cents: int64(cents), refunded: info.RefundedAmount.String(), why: info.NotRefundableExplanation}
	}
	assert.Equal(t, refundState{0, "0", "The transaction has status 792 awaiting consumer and cannot be refunded."}, left())
	_, err = s.Complete(ctx, tx.Key, sim.Pay)
	require.NoError(t, err)
	assert.Equal(t, refundState{1000, "0", ""}, left())
	refund, err := c.CreateRefund(ctx, tx.Key, buckaroo.RefundRequest{Amount: 300, Service: buckaroo.ServiceIDEAL})
	require.NoError(t, err)
	assert.Equal(t, refundState{700, "3.00", ""}, left())
	_, err = c.CreateRefund(ctx, tx.Key, buckaroo.RefundRequest{Amount: 700, Service: buckaroo.ServiceIDEAL})
	require.NoError(t, err)
	assert.Equal(t, refundState{0, "10.00", "The transaction has been refunded in full."}, left())

	info, err := c.GetRefundInfo(ctx, refund.Key)
	require.NoError(t, err)
	assert.False(t, info.IsRefundable)

	// Every look-up is on the payment's timeline, a refund's included.
	n := 0
	for _, e := range s.Webhooks().Recorder().Events(tx.Key) {
		if e.Kind == sim.EventRequest && strings.HasPrefix(e.Path, "/json/Transaction/RefundInfo/") {
			n++
		}
	}
	assert.Equal(t, 5, n)

	_, err = c.GetRefundInfo(ctx, "NOSUCHKEY")
	var apiErr *buckaroo.Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.ErrorContains(t, err, "buckaroo: get refund info: HTTP 404: There is no transaction with this transaction key")
}

type refundState struct {
	cents    int64
	refunded string
	why      string
}

// With Config.FormPush the sandbox pushes the classic form, signed with
// brq_signature; our WebhookHandler verifies it and passes the same
// transaction on.
func TestFormPushes(t *testing.T) {
	_, s, c := start(t, sandbox.Config{FormPush: true})
	sh := newShop(t, c)
	ctx := context.Background()
	tx, err := c.PayInInstallments(ctx, in3(sh.pushURL))
	require.NoError(t, err)
	_, err = s.Complete(ctx, tx.Key, sim.Pay)
	require.NoError(t, err)
	got := sh.next(t)
	assert.Equal(t, tx.Key, got.Key)
	assert.Equal(t, buckaroo.StatusSuccess, buckaroo.StatusCodeOf(got))
	assert.Equal(t, tx.PaymentKey, got.PaymentKey)
	amount, err := buckaroo.AmountOf(got)
	require.NoError(t, err)
	assert.EqualValues(t, 800, amount)
	key, ok := buckaroo.ServiceParameter(got, buckaroo.ServiceCapayable, "CapayableTransactionKey")
	assert.True(t, ok)
	assert.NotEmpty(t, key)

	raw := string(<-sh.raw)
	assert.Contains(t, raw, "brq_signature=")
	assert.Contains(t, raw, "brq_statuscode=190")

	// A refund's push carries the refund and the payment it refers to.
	refund, err := c.CreateRefund(ctx, tx.Key, buckaroo.RefundRequest{Amount: 100})
	require.NoError(t, err)
	got = sh.next(t)
	assert.Equal(t, refund.Key, got.Key)
	assert.Equal(t, []buckaroo.RelatedTransaction{{RelationType: "refund", RelatedTransactionKey: tx.Key}}, got.RelatedTransactions)
}
