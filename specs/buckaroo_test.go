package specs_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/gen/buckaroo"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

func init() {
	register("buckaroo", decoders{
		responses: map[string]func(*http.Response) (any, error){
			"createTransaction":    func(r *http.Response) (any, error) { return buckaroo.ParseCreateTransactionResponse(r) },
			"getTransactionStatus": func(r *http.Response) (any, error) { return buckaroo.ParseGetTransactionStatusResponse(r) },
			"getTransactionSpecification": func(r *http.Response) (any, error) {
				return buckaroo.ParseGetTransactionSpecificationResponse(r)
			},
			"getRefundInfo": func(r *http.Response) (any, error) { return buckaroo.ParseGetRefundInfoResponse(r) },
		},
		schemas: map[string]func([]byte) error{
			"Push":               decodeInto[buckaroo.Push],
			"FormPush":           decodeInto[buckaroo.FormPush],
			"Transaction":        decodeInto[buckaroo.Transaction],
			"TransactionRequest": decodeInto[buckaroo.TransactionRequest],
			"ErrorResponse":      decodeInto[buckaroo.ErrorResponse],
		},
		values: map[string]func() any{
			"Push":          func() any { return new(buckaroo.Push) },
			"FormPush":      func() any { return new(buckaroo.FormPush) },
			"Transaction":   func() any { return new(buckaroo.Transaction) },
			"ErrorResponse": func() any { return new(buckaroo.ErrorResponse) },
		},
	})
}

// TestBuckarooRequestsSurviveTheModel: every request fixture decoded into
// the generated model and encoded again is the same JSON, number texts
// included. Values instead of pointers must not drop what the document
// sends as zero: ClientIP.Type 0 (IPv4) and the parameters' GroupType ""
// and GroupID "".
func TestBuckarooRequestsSurviveTheModel(t *testing.T) {
	list, err := fixtures.Load("buckaroo")
	require.NoError(t, err)
	decode := func(data []byte) any {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		require.NoError(t, dec.Decode(&v))
		return v
	}
	n := 0
	for _, f := range list {
		// The seed's requests; the others leave out GroupType and GroupID,
		// which the model always sends.
		if f.OperationID != "createTransaction" || !strings.HasPrefix(f.Source, "001_") {
			continue
		}
		body := f.Request.BodyBytes()
		var req buckaroo.TransactionRequest
		require.NoError(t, json.Unmarshal(body, &req), f.Name)
		again, err := json.Marshal(req)
		require.NoError(t, err)
		assert.Equal(t, decode(body), decode(again), f.Name)
		n++
	}
	assert.Equal(t, 2, n, "the PayInInstallments and Refund requests")
}
