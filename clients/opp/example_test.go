package opp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/money"
	sandbox "github.com/betaalkit/betaalkit/sandbox/opp"
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

// Onboard a merchant: create it, add the bank account OPP pays it out to,
// and send the merchant to verify that account. Here the local sandbox
// stands in for OPP and for the merchant's verification.
func ExampleClient_CreateMerchant() {
	ts, sim, client, err := sandbox.NewTestServer(sandbox.Config{})
	if err != nil {
		panic(err)
	}
	defer ts.Close()
	ctx := context.Background()
	// The shop's notify_url: OPP posts the status changes there.
	notify := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n, err := opp.ReadNotification(r); err == nil {
			fmt.Println("notified:", n.Type)
		}
	}))
	defer notify.Close()

	m, err := client.CreateMerchant(ctx, opp.MerchantCreate{
		Type: opp.MerchantTypeConsumer, Country: "nld", Emailaddress: "kymani@marley.example",
		NameFirst: "Kymani", NameLast: "Marley", NotifyURL: notify.URL,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Status, m.Compliance.Requirements[0].Type)

	account, err := client.CreateBankAccount(ctx, m.UID, opp.BankAccountCreate{ReturnURL: "https://shop.example/onboarded"})
	if err != nil {
		panic(err)
	}
	fmt.Println(account.Status, account.VerificationURL != "") // send the merchant there

	// The merchant verifies the account and OPP approves it (the sandbox's
	// verification page does the same).
	if _, err := sim.VerifyBankAccount(ctx, account.UID, true); err != nil {
		panic(err)
	}
	m, err = client.GetMerchant(ctx, m.UID)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Status, m.Compliance.Status)
	// Output:
	// pending bank_account.required
	// new true
	// notified: bank_account.status.changed
	// notified: bank_account.status.changed
	// notified: merchant.status.changed
	// live verified
}
