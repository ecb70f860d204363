package kassacompleet_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/betaalkit/betaalkit/clients/kassacompleet"
)

// Create an iDEAL order and send the customer to its payment URL.
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
	issuer, returnURL := "INGBNL2A", "https://shop.example/return"
	order, err := client.CreateOrder(context.Background(), kassacompleet.OrderCreate{
		Currency:  "EUR",
		Amount:    99, // cents
		ReturnURL: &returnURL,
		Transactions: &[]kassacompleet.TransactionCreate{{
			PaymentMethod:        kassacompleet.PaymentMethodIdeal,
			PaymentMethodDetails: &kassacompleet.PaymentMethodDetailsCreate{IssuerID: &issuer},
		}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(order.ID, order.Status)
	fmt.Println(kassacompleet.PaymentURL(order))
	// Output:
	// f520537f-e8ca-4c92-8d9b-2118eb5022cf new
	// https://api.kassacompleet.nl/redirect/197fb2ae/to/payment/
}
