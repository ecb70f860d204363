package specs_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/specs"
)

func TestRouteMatching(t *testing.T) {
	v, err := specs.NewValidator("kassacompleet")
	require.NoError(t, err)

	route, params, err := v.Route("GET", "/v1/orders/a%2Fb/")
	require.NoError(t, err, "an escaped slash stays inside its segment")
	assert.Equal(t, "getOrder", route.Operation.OperationID)
	assert.Equal(t, "a/b", params["id"])

	route, _, err = v.Route("GET", "/orders/o1/")
	require.NoError(t, err, "the base path is optional")
	assert.Equal(t, "getOrder", route.Operation.OperationID)

	_, _, err = v.Route("GET", "/v1/orders/o1")
	assert.ErrorIs(t, err, specs.ErrNoRoute, "the trailing slash is part of the path")
	_, _, err = v.Route("PATCH", "/v1/orders/o1/")
	assert.ErrorIs(t, err, specs.ErrNoRoute)
	assert.Contains(t, err.Error(), "not allowed")
	_, _, err = v.Route("GET", "/v1/orders//")
	assert.ErrorIs(t, err, specs.ErrNoRoute, "an empty id matches nothing")
}

func TestProblemsNameTheField(t *testing.T) {
	v, err := specs.NewValidator("kassacompleet")
	require.NoError(t, err)
	req := httptest.NewRequest("POST", "/v1/orders/", strings.NewReader(`{"currency":"EUR","transactions":[{"payment_method":"bitcoin"}]}`))
	req.Header.Set("Content-Type", "application/json")
	_, _, err = v.ValidateRequest(context.Background(), req)
	require.Error(t, err)
	fields := map[string]bool{}
	for _, p := range specs.Problems(err) {
		fields[p.Field] = true
		assert.NotContains(t, p.Reason, "Schema:", "no schema dumps")
	}
	assert.Equal(t, map[string]bool{"amount": true, "transactions.0.payment_method": true}, fields)
	assert.Contains(t, specs.Describe(err), `amount: property "amount" is missing`)
}
