package specs_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/specs"
)

func TestCheckExchange(t *testing.T) {
	v, err := specs.NewValidator("kassacompleet")
	require.NoError(t, err)
	ctx := context.Background()
	jsonHeader := http.Header{"Content-Type": {"application/json"}}

	res := v.CheckExchange(ctx, specs.Exchange{
		Method: "POST", Target: "/v1/orders/", RequestHeader: jsonHeader,
		RequestBody: []byte(`{"currency":"EUR","amount":995}`),
		Status:      201, ResponseHeader: jsonHeader,
		ResponseBody: []byte(`{"id":"o1","status":"new","amount":"995","currency":"EUR"}`),
	})
	assert.Equal(t, "createOrder", res.OperationID)
	assert.Equal(t, []specs.Violation{{Side: "response", Field: "amount", Expected: "value must be an integer", Got: `"995"`}}, res.Violations)
	assert.Equal(t, `createOrder: response amount: value must be an integer (got "995")`, res.String())

	// Bodies sent gzip-encoded are checked as the spec describes them.
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write([]byte(`{"id":"o1","status":"new","amount":995,"currency":"EUR"}`))
	require.NoError(t, zw.Close())
	res = v.CheckExchange(ctx, specs.Exchange{Method: "GET", Target: "https://api.kassacompleet.nl/v1/orders/o1/",
		Status: 200, ResponseHeader: http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}}, ResponseBody: zipped.Bytes()})
	assert.Equal(t, "getOrder: ok", res.String())

	// What a violation quotes is redacted.
	res = v.CheckExchange(ctx, specs.Exchange{Method: "POST", Target: "/v1/orders/", RequestHeader: jsonHeader,
		RequestBody: []byte(`{"currency":"EUR","amount":"nl91 abna 0417 1643 00"}`)})
	require.Len(t, res.Violations, 1)
	assert.Equal(t, `"[redacted IBAN]"`, res.Violations[0].Got)

	// An exchange must belong to the operation it claims.
	res = v.CheckExchange(ctx, specs.Exchange{OperationID: "createOrder", Method: "GET", Target: "/v1/orders/o1/"})
	assert.Equal(t, "getOrder: request path: a path of operation createOrder (got GET /v1/orders/o1/, a path of getOrder)", res.String())

	res = v.CheckExchange(ctx, specs.Exchange{Method: "GET", Target: "/v1/refunds/"})
	assert.Equal(t, `no operation: request path: GET /v1/refunds/ (got "/v1/refunds/")`, res.String())
	assert.False(t, res.OK())
}

func TestCheckBareBodies(t *testing.T) {
	v, err := specs.NewValidator("kassacompleet")
	require.NoError(t, err)
	ctx := context.Background()

	res := v.CheckExchange(ctx, specs.Exchange{OperationID: "createOrder", RequestBody: []byte(`{"currency":"EUR"}`)})
	assert.Equal(t, `createOrder: request amount: property "amount" is missing (got absent)`, res.String())
	res = v.CheckExchange(ctx, specs.Exchange{OperationID: "createOrder", ResponseBody: []byte(`{"id":"o1","status":"new","amount":1,"currency":"EUR"}`)})
	assert.True(t, res.OK(), "checked against the first 2xx answer: %s", res)
	res = v.CheckExchange(ctx, specs.Exchange{OperationID: "getOrder", RequestBody: []byte(`{}`)})
	assert.Equal(t, "getOrder: request body: no JSON body in this operation's request", res.String())
	res = v.CheckExchange(ctx, specs.Exchange{OperationID: "createOrder", RequestBody: []byte(`{"amount":`)})
	require.Len(t, res.Violations, 1)
	assert.Equal(t, "body", res.Violations[0].Field)
	res = v.CheckExchange(ctx, specs.Exchange{OperationID: "nope", RequestBody: []byte(`{}`)})
	assert.Equal(t, "operationId", res.Violations[0].Field)
}

func TestReadHAR(t *testing.T) {
	har := []byte(`{"log":{"version":"1.2","entries":[
	  {"request":{"method":"POST","url":"https://api.example/token","headers":[{"name":":authority","value":"api.example"},{"name":"accept","value":"*/*"}],
	    "postData":{"mimeType":"application/x-www-form-urlencoded","params":[{"name":"grant_type","value":"client_credentials"}]}},
	   "response":{"status":200,"headers":[{"name":"content-encoding","value":"gzip"}],"content":{"size":2,"text":"e30=","encoding":"base64"}}},
	  {"request":{"method":"GET","url":"https://api.example/a","headers":[]},
	   "response":{"status":200,"headers":[],"content":{"size":120}}},
	  {"request":{"method":"GET","url":"https://api.example/b","headers":[]},
	   "response":{"status":0,"headers":[],"content":{"size":0}}}
	]}}`)
	require.True(t, specs.IsHAR(har))
	list, err := specs.ReadHAR(har)
	require.NoError(t, err)
	require.Len(t, list, 3)
	first := list[0]
	assert.Equal(t, "https://api.example/token", first.Target)
	assert.Equal(t, "grant_type=client_credentials", string(first.RequestBody))
	assert.Equal(t, "application/x-www-form-urlencoded", first.RequestHeader.Get("Content-Type"))
	assert.Equal(t, http.Header{"Accept": {"*/*"}, "Content-Type": {"application/x-www-form-urlencoded"}}, first.RequestHeader, "no pseudo-headers")
	assert.Equal(t, 200, first.Status)
	assert.Equal(t, "{}", string(first.ResponseBody))
	assert.Empty(t, first.ResponseHeader.Get("Content-Encoding"), "a HAR keeps the body decoded")
	assert.Zero(t, list[1].Status, "a body the HAR did not save is not checked")
	assert.Zero(t, list[2].Status, "no response")

	assert.False(t, specs.IsHAR([]byte(`{"operationId":"x","request":{}}`)))
	_, err = specs.ReadHAR([]byte(`{"entries":[]}`))
	assert.ErrorContains(t, err, "not a HAR file")
}
