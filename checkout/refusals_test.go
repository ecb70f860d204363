package checkout_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/checkout"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/clients/opp"
	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
)

// When every candidate refuses, the Router tries each once and returns
// every refusal, naming the provider; it never reports a payment.
func TestRouterWhenEveryProviderRefuses(t *testing.T) {
	first := newFake("first", apiErr{http.StatusUnprocessableEntity})
	second := newFake("second", &betaalkit.FieldError{Field: "issuer_id", Reason: "is required"})
	r, err := checkout.New([]checkout.Provider{first, second})
	require.NoError(t, err)
	p, err := r.Create(context.Background(), order)
	require.Error(t, err)
	assert.Nil(t, p)
	assert.Equal(t, 1, first.creates)
	assert.Equal(t, 1, second.creates)
	assert.NotErrorIs(t, err, checkout.ErrAmbiguous, "both refusals prove nothing was created")
	assert.ErrorIs(t, err, betaalkit.ErrAPI, "the first provider's refusal stays reachable")
	var fe *betaalkit.FieldError
	require.ErrorAs(t, err, &fe, "the second provider's refusal stays reachable")
	assert.Equal(t, "issuer_id", fe.Field)
	assert.ErrorContains(t, err, "first: ")
	assert.ErrorContains(t, err, "second: ")
}

// Buckaroo refuses a transaction with HTTP 200 and status 491, storing
// nothing: that answer proves nothing was created, so the Router fails over
// (the issue: "the provider's own answer says nothing was created").
func TestRouterFailsOverOnBuckaroosOwnRefusal(t *testing.T) {
	bqSrv, bqSB, bq, err := sbbuckaroo.NewTestServer(sbbuckaroo.Config{})
	closeWith(t, bqSrv, err)
	oppSrv, _, oc, err := sbopp.NewTestServer(sbopp.Config{}, opp.WithMerchantUID(sbopp.DefaultMerchantUID))
	closeWith(t, oppSrv, err)

	req := payment("refused-by-buckaroo")
	req.Issuer = "ZZZZNL2A" // a BIC, but not one of the sandbox's iDEAL banks: 491

	// The refusal itself, as the client returns it.
	_, err = bq.Checkout().Create(context.Background(), req)
	var berr *buckaroo.Error
	require.ErrorAs(t, err, &berr)
	require.Equal(t, http.StatusOK, berr.StatusCode)
	require.Equal(t, buckaroo.StatusValidationFailure, berr.Code)
	require.Empty(t, bqSB.Payments(), "the sandbox stored nothing")
	assert.True(t, checkout.NotCreated(err), "a 491 refusal proves nothing was created: %v", err)

	r, err := checkout.New([]checkout.Provider{bq.Checkout(), oc.Checkout()})
	require.NoError(t, err)
	p, err := r.Create(context.Background(), req)
	require.NoError(t, err, "the Router fails over after Buckaroo's refusal")
	assert.Equal(t, "opp", p.Provider)
}

// An error that merely looks like a provider's 200 answer is not a
// refusal: a decode failure of a 200 may hide a created payment.
func TestNotCreatedIsFalseForAmbiguousOutcomes(t *testing.T) {
	for name, err := range map[string]error{
		"nil":                     nil,
		"plain error":             errors.New("boom"),
		"dropped after sending":   &betaalkit.TransportError{Attempts: 1, Err: errors.New("EOF")},
		"200 that did not decode": &betaalkit.DecodeError{StatusCode: http.StatusOK, Err: errors.New("bad json")},
		"provider 502":            apiErr{http.StatusBadGateway},
		"context canceled":        context.Canceled,
	} {
		assert.False(t, checkout.NotCreated(err), name)
	}
	for name, err := range map[string]error{
		"not sent":      &betaalkit.TransportError{Attempts: 1, Err: errors.New("connection refused"), NotSent: true},
		"field refused": &betaalkit.FieldError{Field: "Amount", Reason: "is zero"},
		"unsupported":   &checkout.UnsupportedError{Provider: "x", What: "refunds"},
		"provider 400":  apiErr{http.StatusBadRequest},
		"wrapped 404":   errors.Join(errors.New("ctx"), apiErr{http.StatusNotFound}),
	} {
		assert.True(t, checkout.NotCreated(err), name)
	}
}
