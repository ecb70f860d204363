package multisafepay_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/signing"
)

// Create a direct iDEAL order: the customer picked a bank on your own
// checkout page, and goes straight to that bank's payment page.
func Example_directIdeal() {
	// A stand-in for testapi.multisafepay.com; leave WithBaseURL out in production.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"success": true, "data": {"transaction_id": 259133831, "order_id": "order-1001",
			"currency": "EUR", "amount": 1000, "status": "initialized",
			"payment_url": "https://betalen.rabobank.nl/ideal-betaling/landingpage?trxid=0050003729272772"}}`)
	}))
	defer api.Close()

	client, err := multisafepay.New("your-website-api-key", multisafepay.WithBaseURL(api.URL+"/v1/json"))
	if err != nil {
		panic(err)
	}
	order, err := client.CreatePayment(context.Background(), multisafepay.OrderCreate{
		Type:        multisafepay.OrderTypeDirect,
		Gateway:     multisafepay.GatewayIDEAL,
		OrderID:     "order-1001",
		Currency:    "EUR",
		Amount:      1000, // cents
		Description: "Order 1001",
		GatewayInfo: multisafepay.GatewayInfo{IssuerID: "0021"}, // Rabobank, from ListIdealIssuers
		PaymentOptions: multisafepay.PaymentOptions{
			NotificationURL:    "https://shop.example/msp/notify",
			NotificationMethod: multisafepay.NotificationMethodPOST, // POST notifications are signed
		},
	})
	if err != nil {
		panic(err)
	}
	amount, _ := multisafepay.AmountOf(order)
	fmt.Println(order.OrderID, order.TransactionID, multisafepay.StatusOf(order), amount)
	fmt.Println(multisafepay.PaymentURL(order))
	// Output:
	// order-1001 259133831 open (initialized) 10.00
	// https://betalen.rabobank.nl/ideal-betaling/landingpage?trxid=0050003729272772
}

// Receive MultiSafepay's signed POST notifications: the handler checks the
// Auth header against the raw body and answers "OK" only when your function
// succeeded, so MultiSafepay retries otherwise.
func ExampleClient_WebhookHandler() {
	const apiKey = "your-website-api-key"
	client, err := multisafepay.New(apiKey)
	if err != nil {
		panic(err)
	}
	handler := client.WebhookHandler(func(ctx context.Context, order *multisafepay.Order) error {
		// Record the status; a returned error makes MultiSafepay try again later.
		fmt.Println("order", order.OrderID, "is", multisafepay.StatusOf(order))
		return nil
	})
	// In your server: mux.Handle("/msp/notify", handler)

	// What MultiSafepay sends (signed here with the same key, for the example).
	body := []byte(`{"order_id":"order-1001","transaction_id":259133831,"status":"completed","amount":1000}`)
	req := httptest.NewRequest(http.MethodPost, "/msp/notify", bytes.NewReader(body))
	req.Header.Set("Auth", signing.SignMultiSafepayNotification(apiKey, body, time.Now()))
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, req)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// order order-1001 is paid (completed)
	// 200 OK
}

// Walk the account's transactions for reconciliation: the iterator follows
// MultiSafepay's cursor from page to page, fetching each only when the loop
// gets to it.
func ExampleClient_Transactions() {
	// A stand-in for testapi.multisafepay.com answering two pages.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("after") == "" {
			fmt.Fprint(w, `{"success": true, "data": [{"transaction_id": 2, "order_id": "order-2", "type": "refund", "amount": 500}],
				"pager": {"cursor": {"after": "c2"}, "limit": 1}}`)
			return
		}
		fmt.Fprint(w, `{"success": true, "data": [{"transaction_id": 1, "order_id": "order-1", "type": "payment", "amount": 1000}],
			"pager": {"cursor": {"before": "c1"}, "limit": 1}}`)
	}))
	defer api.Close()

	client, err := multisafepay.New("your-website-api-key", multisafepay.WithBaseURL(api.URL+"/v1/json"))
	if err != nil {
		panic(err)
	}
	for tx, err := range client.Transactions(context.Background(), multisafepay.TransactionFilter{FinancialStatus: "completed", Limit: 1}) {
		if err != nil {
			panic(err) // ErrPageIgnored when the provider ignores the cursor
		}
		fmt.Println(tx.OrderID, tx.Type, tx.Amount)
	}
	// Output:
	// order-2 refund 5.00
	// order-1 payment 10.00
}
