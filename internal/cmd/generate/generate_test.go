package main

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/gen/buckaroo"
	"github.com/betaalkit/betaalkit/gen/ideal2"
	"github.com/betaalkit/betaalkit/gen/kassacompleet"
	"github.com/betaalkit/betaalkit/gen/multisafepay"
	"github.com/betaalkit/betaalkit/gen/opp"
)

func TestClientPath(t *testing.T) {
	params := []codegen.ParameterDefinition{{ParamName: "order_id"}, {ParamName: "id"}}
	for path, want := range map[string]string{
		"/orders/":                   `"/orders/"`,
		"/orders/{id}/":              `"/orders/" + pathParam1 + "/"`,
		"/orders/{order_id}":         `"/orders/" + pathParam0`,
		"/a/{order_id}/b/{id}/c":     `"/a/" + pathParam0 + "/b/" + pathParam1 + "/c"`,
		"/{order_id}{id}":            `"/" + pathParam0 + pathParam1`,
		`/quote"and\backslash/{id}/`: `"/quote\"and\\backslash/" + pathParam1 + "/"`,
	} {
		got, err := clientPath(path, params)
		require.NoError(t, err, path)
		assert.Equal(t, want, got, path)
	}
	for _, bad := range []string{"/orders/{nope}", "/orders/{id", "orders", ""} {
		_, err := clientPath(bad, params)
		assert.Error(t, err, bad)
	}
}

// The generated request builders (gen/templates/client.tmpl) keep each
// provider's paths exactly, trailing slash or not, escape path parameters
// as one segment, and append queries as oapi-codegen's runtime styles them.
func TestGeneratedRequests(t *testing.T) {
	const server = "https://api.example.com/v1/"
	locale := multisafepay.Locale("nl_NL")
	page, perPage := opp.Page(2), opp.PerPage(10)
	amount, country := int64(1000), "NL"
	for name, tc := range map[string]struct {
		req  func() (*http.Request, error)
		want string
	}{
		"Kassa Compleet keeps /orders/": {func() (*http.Request, error) {
			return kassacompleet.NewCreateOrderRequest(server, kassacompleet.OrderCreate{})
		}, server + "orders/"},
		"and /orders/{id}/": {func() (*http.Request, error) { return kassacompleet.NewGetOrderRequest(server, "f520537f") }, server + "orders/f520537f/"},
		"a server without trailing slash": {func() (*http.Request, error) {
			return kassacompleet.NewGetOrderRequest("https://api.example.com/v1", "x")
		}, server + "orders/x/"},
		"one segment, escaped": {func() (*http.Request, error) { return kassacompleet.NewGetOrderRequest(server, "a/b c?d#e%") }, server + "orders/a%2Fb%20c%3Fd%23e%25/"},
		"OPP has none": {func() (*http.Request, error) {
			return opp.NewGetTransactionRequest(server, "tra_1", &opp.GetTransactionParams{})
		}, server + "transactions/tra_1"},
		"an exploded array": {func() (*http.Request, error) {
			return opp.NewGetTransactionRequest(server, "tra_1", &opp.GetTransactionParams{Expand: opp.Expand{"order", "a b"}})
		}, server + "transactions/tra_1?expand%5B%5D=order&expand%5B%5D=a+b"},
		"integers in spec order": {func() (*http.Request, error) {
			return opp.NewListTransactionsRequest(server, &opp.ListTransactionsParams{Page: page, Perpage: perPage})
		}, server + "transactions?page=2&perpage=10"},
		"a string query parameter": {func() (*http.Request, error) {
			return multisafepay.NewGetOrderRequest(server, "my order", &multisafepay.GetOrderParams{Locale: locale})
		}, server + "orders/my%20order?locale=nl_NL"},
		"nil params": {func() (*http.Request, error) { return multisafepay.NewGetOrderRequest(server, "o", nil) }, server + "orders/o"},
		"zero optional parameters are not sent": {func() (*http.Request, error) {
			return opp.NewListTransactionsRequest(server, &opp.ListTransactionsParams{})
		}, server + "transactions"},
		"strings and an integer": {func() (*http.Request, error) {
			return multisafepay.NewListGatewaysRequest(server, &multisafepay.ListGatewaysParams{Country: country, Amount: amount, Locale: locale})
		}, server + "gateways?country=NL&amount=1000&locale=nl_NL"},
		"Buckaroo":  {func() (*http.Request, error) { return buckaroo.NewGetTransactionStatusRequest(server, "K1") }, server + "json/Transaction/Status/K1"},
		"iDEAL 2.0": {func() (*http.Request, error) { return ideal2.NewGetPaymentStatusRequest(server, "p1", nil) }, server + "payments/p1/status"},
	} {
		t.Run(name, func(t *testing.T) {
			req, err := tc.req()
			require.NoError(t, err)
			assert.Equal(t, tc.want, req.URL.String())
		})
	}
}

func TestGeneratedRequestBodiesAndHeaders(t *testing.T) {
	req, err := kassacompleet.NewCreateOrderRequest("https://h/", kassacompleet.OrderCreate{Currency: "EUR", Amount: 99})
	require.NoError(t, err)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	body, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.JSONEq(t, `{"currency":"EUR","amount":99}`, string(body))
	assert.Equal(t, int64(len(body)), req.ContentLength)
	require.NotNil(t, req.GetBody, "a body that can be sent again (retries)")

	req, err = ideal2.NewCreatePaymentRequest("https://h/", &ideal2.CreatePaymentParams{XRequestID: "rid", Signature: "sig"}, ideal2.PaymentInitiationRequest{})
	require.NoError(t, err)
	assert.Equal(t, "rid", req.Header.Get("X-Request-ID"))
	assert.Equal(t, "sig", req.Header.Get("Signature"))

	req, err = ideal2.NewRequestAccessTokenRequestWithFormdataBody("https://h/", nil, ideal2.TokenRequest{GrantType: ideal2.TokenRequestGrantTypeClientCredentials})
	require.NoError(t, err)
	assert.Equal(t, "https://h/token", req.URL.String())
	assert.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
	body, err = io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.Equal(t, "grant_type=client_credentials", string(body))
}

func TestGeneratedRefusals(t *testing.T) {
	for _, id := range []string{".", ".."} {
		_, err := kassacompleet.NewGetOrderRequest("https://h/", id)
		assert.ErrorContains(t, err, "would name another resource", id)
	}
	for _, server := range []string{"https://h/v1?x=1", "https://h/v1#f", "https://h/v1?", "http://[::1"} {
		_, err := kassacompleet.NewClient(server)
		assert.Error(t, err, server)
	}
}

// doer records the request it is given.
type doer struct{ req *http.Request }

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	d.req = req
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
}

// A client method builds its request with the call's context and runs the
// client's editors, then the call's.
func TestGeneratedClientMethods(t *testing.T) {
	var d doer
	var order []string
	editor := func(name string) kassacompleet.RequestEditorFn {
		return func(_ context.Context, req *http.Request) error {
			order = append(order, name)
			req.Header.Add("X-Editor", name)
			return nil
		}
	}
	c, err := kassacompleet.NewClient("https://api.example.com/v1", kassacompleet.WithHTTPClient(&d), kassacompleet.WithRequestEditorFn(editor("client")))
	require.NoError(t, err)
	assert.Equal(t, "https://api.example.com/v1/", c.Server)

	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "mine")
	_, err = c.GetOrder(ctx, "o1", editor("call"))
	require.NoError(t, err)
	assert.Equal(t, "https://api.example.com/v1/orders/o1/", d.req.URL.String())
	assert.Equal(t, "mine", d.req.Context().Value(key{}))
	assert.Equal(t, []string{"client", "call"}, order)
	assert.Equal(t, []string{"client", "call"}, d.req.Header.Values("X-Editor"))
}
