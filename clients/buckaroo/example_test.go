package buckaroo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/signing"
)

// Start an iDEAL In3 payment and send the customer to the first installment.
func Example() {
	// A stand-in for testcheckout.buckaroo.nl that checks every signature;
	// leave WithBaseURL out in production.
	verifier, _ := signing.NewBuckarooVerifier("WEBSITE123", "SECRETAPIKEY")
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := verifier.VerifyRequest(r); err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"Key":"B3E81DCB894A43619AD8CCE5A10F5xxx",
			"Status":{"Code":{"Code":791,"Description":"Pending processing"},"SubCode":{"Code":"S002","Description":"Pay first installment"}},
			"RequiredAction":{"RedirectURL":"https://checkout.buckaroo.nl/html/redirect.ashx?r=D197713C","Name":"Redirect"},
			"ServiceCode":"Capayable","Currency":"EUR","AmountDebit":8}`)
	}))
	defer api.Close()

	client, err := buckaroo.New("WEBSITE123", "SECRETAPIKEY", buckaroo.WithBaseURL(api.URL))
	if err != nil {
		panic(err)
	}
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	tx, err := client.PayInInstallments(context.Background(), buckaroo.In3Payment{
		AmountDebit: 800, // cents: sent as 8.00
		Invoice:     "testinvoice 12345678",
		Description: "Thank you for your order",
		ClientIP:    "192.0.2.10",
		InvoiceDate: day("2018-02-23"),
		Customer: buckaroo.In3Customer{
			LastName: "Smith", Initials: "J.S.", Gender: buckaroo.GenderMale, BirthDate: day("1990-01-01"),
			Address: buckaroo.In3Address{Street: "Hoofdstraat", HouseNumber: 90, HouseNumberSuffix: "a", ZipCode: "8441ER", City: "Heerenveen", Country: "NL"},
			Phone:   "0612345678", Email: "j.smith@example.com",
		},
		Products:  []buckaroo.In3ProductLine{{Code: "abc123", Name: "Blue Toy Car", Quantity: 1, Price: 1000}},
		Subtotals: []buckaroo.In3SubtotalLine{{Name: "Korting", Value: -200}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(buckaroo.StatusOf(tx), buckaroo.StatusCodeOf(tx), buckaroo.SubCodeOf(tx))
	fmt.Println(buckaroo.PaymentURL(tx))
	// Output:
	// pending (791) 791 pending processing S002
	// https://checkout.buckaroo.nl/html/redirect.ashx?r=D197713C
}

// Serve the push URL: only pushes signed with the website's secret key
// reach fn. Buckaroo signs the push URL, so give it exactly as Buckaroo has
// it when a proxy or host name makes requests look different.
func ExampleClient_WebhookHandler() {
	const pushURL = "https://shop.example/buckaroo/push"
	client, _ := buckaroo.New("WEBSITE123", "SECRETAPIKEY")
	handler := client.WebhookHandler(func(_ context.Context, tx *buckaroo.Transaction) error {
		fmt.Println("push for", tx.Key, "status", buckaroo.StatusOf(tx))
		return nil
	},
		betaalkit.WebhookURL(pushURL),
		betaalkit.OnReject(func(_ *http.Request, r betaalkit.WebhookRejection) {
			fmt.Println("refused:", r.Reason)
		}),
	)

	// What Buckaroo sends, signed over the push URL with method POST.
	body := []byte(`{"Transaction":{"Key":"B3E81DCB894A43619AD8CCE5A10F5xxx","Status":{"Code":{"Code":190,"Description":"Success"}},"AmountDebit":8}}`)
	auth, _ := signing.BuckarooAuthorization("WEBSITE123", "SECRETAPIKEY", http.MethodPost, pushURL, "3f2a9c4e1b7d8a60", time.Now().Unix(), body)

	for _, b := range [][]byte{body, bytes.Replace(body, []byte("190"), []byte("191"), 1)} {
		r := httptest.NewRequest(http.MethodPost, "/buckaroo/push", bytes.NewReader(b))
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		fmt.Println("answer", w.Code)
	}
	// Output:
	// push for B3E81DCB894A43619AD8CCE5A10F5xxx status paid (190)
	// answer 200
	// refused: signature
	// answer 401
}

// A website whose push setting is "HTTP post" receives the classic form
// push, signed with brq_signature: ParseFormPush verifies and decodes it,
// TransactionOf reads it as the JSON push's transaction. WebhookHandler
// does both for a form body.
func ExampleClient_ParseFormPush() {
	client, _ := buckaroo.New("12345678", "SECRETAPIKEY")
	form := url.Values{
		"brq_transactions": {"41C48B55FA9164E123CC73B1157459E840BE5D24"},
		"brq_statuscode":   {"190"},
		"brq_amount":       {"10.00"},
		"brq_currency":     {"EUR"},
		"brq_websitekey":   {"12345678"},
	}
	form.Set("brq_signature", buckaroo.FormSignature(form, "SECRETAPIKEY")) // as Buckaroo signs it

	p, err := client.ParseFormPush(form) // e.g. r.PostForm after r.ParseForm()
	if err != nil {
		panic(err)
	}
	tx := buckaroo.TransactionOf(p)
	amount, _ := buckaroo.AmountOf(tx)
	fmt.Println(tx.Key, buckaroo.StatusOf(tx), amount)

	form.Set("brq_amount", "100.00")
	_, err = client.ParseFormPush(form)
	fmt.Println(errors.Is(err, signing.ErrSignatureMismatch))
	// Output:
	// 41C48B55FA9164E123CC73B1157459E840BE5D24 paid (190) 10.00
	// true
}
