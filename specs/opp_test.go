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
			"createMerchant":      func(r *http.Response) (any, error) { return opp.ParseCreateMerchantResponse(r) },
			"listMerchants":       func(r *http.Response) (any, error) { return opp.ParseListMerchantsResponse(r) },
			"getMerchant":         func(r *http.Response) (any, error) { return opp.ParseGetMerchantResponse(r) },
			"updateMerchant":      func(r *http.Response) (any, error) { return opp.ParseUpdateMerchantResponse(r) },
			"createBankAccount":   func(r *http.Response) (any, error) { return opp.ParseCreateBankAccountResponse(r) },
			"listBankAccounts":    func(r *http.Response) (any, error) { return opp.ParseListBankAccountsResponse(r) },
			"getBankAccount":      func(r *http.Response) (any, error) { return opp.ParseGetBankAccountResponse(r) },
			"getStatus":           func(r *http.Response) (any, error) { return opp.ParseGetStatusResponse(r) },
		},
		schemas: map[string]func([]byte) error{
			"Notification":  decodeInto[opp.Notification],
			"ErrorResponse": decodeInto[opp.ErrorResponse],
		},
		values: map[string]func() any{
			"Notification":  func() any { return new(opp.Notification) },
			"ErrorResponse": func() any { return new(opp.ErrorResponse) },
		},
	})
}
