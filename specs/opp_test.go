package specs_test

import (
	"net/http"

	"github.com/betaalkit/betaalkit/gen/opp"
)

func init() {
	register("opp", decoders{
		responses: map[string]func(*http.Response) (any, error){
			"createTransaction":   func(r *http.Response) (any, error) { return opp.ParseCreateTransactionResponse(r) },
			"listTransactions":    func(r *http.Response) (any, error) { return opp.ParseListTransactionsResponse(r) },
			"getTransaction":      func(r *http.Response) (any, error) { return opp.ParseGetTransactionResponse(r) },
			"createRefund":        func(r *http.Response) (any, error) { return opp.ParseCreateRefundResponse(r) },
			"listRefunds":         func(r *http.Response) (any, error) { return opp.ParseListRefundsResponse(r) },
			"listOrders":          func(r *http.Response) (any, error) { return opp.ParseListOrdersResponse(r) },
			"getOrder":            func(r *http.Response) (any, error) { return opp.ParseGetOrderResponse(r) },
			"updateOrder":         func(r *http.Response) (any, error) { return opp.ParseUpdateOrderResponse(r) },
			"createDiscountCode":  func(r *http.Response) (any, error) { return opp.ParseCreateDiscountCodeResponse(r) },
			"listDiscountCodes":   func(r *http.Response) (any, error) { return opp.ParseListDiscountCodesResponse(r) },
			"getDiscountCode":     func(r *http.Response) (any, error) { return opp.ParseGetDiscountCodeResponse(r) },
			"deleteDiscountCode":  func(r *http.Response) (any, error) { return opp.ParseDeleteDiscountCodeResponse(r) },
			"createDiscountBatch": func(r *http.Response) (any, error) { return opp.ParseCreateDiscountBatchResponse(r) },
			"listDiscountBatches": func(r *http.Response) (any, error) { return opp.ParseListDiscountBatchesResponse(r) },
			"getDiscountBatch":    func(r *http.Response) (any, error) { return opp.ParseGetDiscountBatchResponse(r) },
			"deleteDiscountBatch": func(r *http.Response) (any, error) { return opp.ParseDeleteDiscountBatchResponse(r) },
		},
		schemas: map[string]func([]byte) error{
			"Notification":  decodeInto[opp.Notification],
			"ErrorResponse": decodeInto[opp.ErrorResponse],
		},
	})
}
