package specs_test

import (
	"net/http"

	"github.com/betaalkit/betaalkit/gen/buckaroo"
)

func init() {
	register("buckaroo", decoders{
		responses: map[string]func(*http.Response) (any, error){
			"createTransaction":    func(r *http.Response) (any, error) { return buckaroo.ParseCreateTransactionResponse(r) },
			"getTransactionStatus": func(r *http.Response) (any, error) { return buckaroo.ParseGetTransactionStatusResponse(r) },
		},
		schemas: map[string]func([]byte) error{
			"Push":               decodeInto[buckaroo.Push],
			"Transaction":        decodeInto[buckaroo.Transaction],
			"TransactionRequest": decodeInto[buckaroo.TransactionRequest],
			"ErrorResponse":      decodeInto[buckaroo.ErrorResponse],
		},
	})
}
