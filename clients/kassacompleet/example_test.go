package kassacompleet_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/betaalkit/betaalkit/clients/kassacompleet"
)

// Create an iDEAL payment (an order, at Kassa Compleet) and send the
// customer to its payment URL.
func Example() {
	// A stand-in for api.kassacompleet.nl; leave WithBaseURL out in production.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":"f520537f-e8ca-4c92-8d9b-2118eb5022cf","currency":"EUR","amount":99,"status":"new",
			"transactions":[{"id":"197fb2ae","status":"new","payment_method":"ideal",
			"payment_url":"https://api.kassacompleet.nl/redirect/197fb2ae/to/payment/"}]}`)
	}))
	defer api.Close()

	client, err := kassacompleet.New("your-api-key", kassacompleet.WithBaseURL(api.URL+"/v1"))
	if err != nil {
		panic(err)
	}
	order, err := client.CreatePayment(context.Background(), kassacompleet.OrderCreate{
		Currency:  "EUR",
		Amount:    99, // cents
		ReturnURL: "https://shop.example/return",
		Transactions: []kassacompleet.TransactionCreate{{
			PaymentMethod:        kassacompleet.PaymentMethodIdeal,
			PaymentMethodDetails: kassacompleet.PaymentMethodDetailsCreate{IssuerID: "INGBNL2A"},
		}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(order.ID, kassacompleet.StatusOf(order))
	fmt.Println(kassacompleet.PaymentURL(order))
	// Output:
	// f520537f-e8ca-4c92-8d9b-2118eb5022cf open (new)
	// https://api.kassacompleet.nl/redirect/197fb2ae/to/payment/
}

// Receive Kassa Compleet's status webhooks. The webhook is not signed, so
// the handler fetches the order and passes the API's answer on.
func ExampleClient_WebhookHandler() {
	// A stand-in for api.kassacompleet.nl; leave WithBaseURL out in production.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"f520537f-e8ca-4c92-8d9b-2118eb5022cf","merchant_order_id":"order-1042",
			"currency":"EUR","amount":99,"status":"completed"}`)
	}))
	defer api.Close()
	client, err := kassacompleet.New("your-api-key", kassacompleet.WithBaseURL(api.URL+"/v1"))
	if err != nil {
		panic(err)
	}

	handler := client.WebhookHandler(func(ctx context.Context, order *kassacompleet.Order) error {
		status := kassacompleet.StatusOf(order)
		// Record the order's status in the shop (an error makes Kassa Compleet retry).
		fmt.Println(order.MerchantOrderID, status.Status, status.IsPaid())
		return nil
	})
	// In production: http.Handle("/webhooks/kassacompleet", handler).
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/webhooks/kassacompleet", strings.NewReader(
		`{"event":"status_changed","order_id":"f520537f-e8ca-4c92-8d9b-2118eb5022cf","project_id":"6054310e-4bd7-407c-994e-9d20bddc9a73"}`)))
	fmt.Println(w.Code, w.Body)
	// Output:
	// order-1042 paid true
	// 200 OK
}

// Refund part of a paid order. The refund is an order of its own; the
// paid order stays completed and is flagged has-refunds.
func ExampleClient_CreateRefund() {
	// A stand-in for api.kassacompleet.nl; leave WithBaseURL out in production.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":"0d1c6a4e","refund_of_order_id":"f520537f","currency":"EUR","amount":250,
			"status":"completed","flags":["is-refund"]}`)
	}))
	defer api.Close()

	client, err := kassacompleet.New("your-api-key", kassacompleet.WithBaseURL(api.URL+"/v1"))
	if err != nil {
		panic(err)
	}
	refund, err := client.CreateRefund(context.Background(), "f520537f", kassacompleet.RefundCreate{
		Amount: 250, Description: "one item returned",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(refund.ID, "refunds", refund.RefundOfOrderID, refund.Amount, refund.Status)
	// Output:
	// 0d1c6a4e refunds f520537f 2.50 completed
}
