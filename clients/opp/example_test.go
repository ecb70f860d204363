package opp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/betaalkit/betaalkit/clients/opp"
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
		fmt.Println(tx.UID, *tx.Status, tx.Amount.String())
	}
	// Output:
	// tra_1 completed 121.29
	// tra_2 refunded 6.75
	// tra_3 created 0.10
}

// Handle OPP's notification: the transaction is fetched from the API by its
// uid, never from the object_url the notification names.
func ExampleClient_NotificationHandler() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"uid":"tra_1a2b3c2cf578","object":"transaction","status":"completed","amount":11454}`)
	}))
	defer api.Close()
	client, err := opp.New("your-api-key", opp.WithBaseURL(api.URL+"/v1"))
	if err != nil {
		panic(err)
	}

	handler := client.NotificationHandler(func(ctx context.Context, n *opp.Notification, tx *opp.Transaction) error {
		fmt.Println(n.Type, tx.UID, *tx.Status)
		return nil
	})
	// In production: http.Handle("/notify/", handler).
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/notify/", strings.NewReader(`{
		"uid":"not_1a2b3c9ccd8d","type":"transaction.status.changed","created":1508604719,
		"object_uid":"tra_1a2b3c2cf578","object_type":"transaction",
		"object_url":"https://attacker.example/v1/transactions/tra_1a2b3c2cf578"}`)))
	fmt.Println(w.Code)
	// Output:
	// transaction.status.changed tra_1a2b3c2cf578 completed
	// 200
}
