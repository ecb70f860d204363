package opp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/money"
)

// List every transaction: the iterator fetches page after page until OPP
// reports the last one.
func Example() {
	// A stand-in for api.onlinebetaalplatform.nl with two pages of transactions;
	// leave WithBaseURL out in production.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("page") == "2" {
			fmt.Fprint(w, `{"object":"list","has_more":false,"current_page":2,"last_page":2,"data":[
				{"uid":"tra_3","object":"transaction","status":"created","amount":10}]}`)
			return
		}
		fmt.Fprint(w, `{"object":"list","has_more":true,"current_page":1,"last_page":2,"data":[
			{"uid":"tra_1","object":"transaction","status":"completed","amount":"12129"},
			{"uid":"tra_2","object":"transaction","status":"refunded","amount":675}]}`)
	}))
	defer api.Close()

	client, err := opp.New("your-api-key", opp.WithBaseURL(api.URL+"/v1"))
	if err != nil {
		panic(err)
	}
	params := opp.TransactionListParams{ListParams: opp.ListParams{PerPage: 2}}
	for tx, err := range client.Transactions(context.Background(), params) {
		if err != nil {
			panic(err)
		}
		fmt.Println(tx.UID, opp.StatusOf(&tx), tx.Amount)
	}
	// Output:
	// tra_1 paid (completed) 121.29
	// tra_2 refunded (refunded) 6.75
	// tra_3 open (created) 0.10
}

// Create a payment and send the buyer to pay. The products, the shipping
// costs and the total must add up, or nothing is sent.
func ExampleClient_CreatePayment() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"uid":"tra_1a2b3c2cf578","object":"transaction","status":"created","amount":11454,
			"redirect_url":"https://onlinebetaalplatform.nl/nl/betalen/?trx=tra_1a2b3c2cf578"}`)
	}))
	defer api.Close()
	client, err := opp.New("your-api-key", opp.WithBaseURL(api.URL+"/v1"))
	if err != nil {
		panic(err)
	}

	shipping := money.Cents(675)
	tx, err := client.CreatePayment(context.Background(), opp.TransactionCreate{
		Products:      []opp.ProductCreate{{Name: "WakeUp Light", Price: 10779, Quantity: 1}},
		ShippingCosts: &shipping, // nil: the account's shipping setting
		TotalPrice:    11454,
		ReturnURL:     "https://shop.example/return/",
		Metadata:      map[string]string{"external_id": "2015486"},
	})
	if err != nil {
		panic(err)
	}
	amount, _ := opp.AmountOf(tx)
	fmt.Println(opp.PaymentURL(tx))
	fmt.Println(opp.StatusOf(tx), amount)

	_, err = client.CreatePayment(context.Background(), opp.TransactionCreate{
		Products:   []opp.ProductCreate{{Name: "WakeUp Light", Price: 999, Quantity: 1}},
		TotalPrice: 100,
		ReturnURL:  "https://shop.example/return/",
	})
	fmt.Println(err)
	// Output:
	// https://onlinebetaalplatform.nl/nl/betalen/?trx=tra_1a2b3c2cf578
	// open (created) 114.54
	// opp: create payment: invalid request: total_price: 100 cents is less than the products less the discount, 999 cents (shipping_costs is left out: the account's setting comes on top)
}

// Handle OPP's notification: the transaction is fetched from the API by its
// uid, never from the object_url the notification names.
func ExampleClient_WebhookHandler() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"uid":"tra_1a2b3c2cf578","object":"transaction","status":"completed","amount":11454}`)
	}))
	defer api.Close()
	client, err := opp.New("your-api-key", opp.WithBaseURL(api.URL+"/v1"))
	if err != nil {
		panic(err)
	}

	handler := client.WebhookHandler(func(ctx context.Context, tx *opp.Transaction) error {
		fmt.Println(tx.UID, opp.StatusOf(tx).IsPaid())
		return nil
	})
	// In production: http.Handle("/notify/", handler).
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/notify/", strings.NewReader(`{
		"uid":"not_1a2b3c9ccd8d","type":"transaction.status.changed","created":1508604719,
		"object_uid":"tra_1a2b3c2cf578","object_type":"transaction",
		"object_url":"https://attacker.example/v1/transactions/tra_1a2b3c2cf578"}`)))
	fmt.Println(w.Code, w.Body)
	// Output:
	// tra_1a2b3c2cf578 true
	// 200 OK
}
