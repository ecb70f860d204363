package ideal2_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/signing"
)

// Create a payment, send the customer to the bank, and wait for the outcome.
func Example() {
	// A stand-in for the routing service. In production: BaseURL is your
	// acquirer's PIS URL (empty: Worldline's test environment), and the keys
	// come from ideal2.LoadKeyPair and ideal2.LoadCertificate.
	rs, merchant, server := exampleRoutingService()
	defer rs.Close()

	client, err := ideal2.New(ideal2.Config{
		BaseURL:             rs.URL + "/xs2a/routingservice/services/ob/pis/v3",
		MerchantID:          "002881000",
		ClientName:          "YourAcquirer",
		MerchantKey:         merchant.key,
		MerchantCertificate: merchant.cert,
		ServerCertificate:   server.cert, // every response must be signed by it
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	payment, err := client.CreatePayment(ctx, ideal2.NewPayment(2450, "Order 123", "order-123"),
		ideal2.WithReturnURL("https://shop.example/return"),
		ideal2.WithNotificationURL("https://shop.example/ideal2/notify"))
	if err != nil {
		panic(err)
	}
	fmt.Println(payment.CommonPaymentData.PaymentID, payment.CommonPaymentData.PaymentStatus)
	fmt.Println("redirect to", ideal2.PaymentURL(payment))

	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	status, err := client.WaitForFinalStatus(ctx, payment.CommonPaymentData.PaymentID)
	if err != nil {
		panic(err)
	}
	amount, err := ideal2.AmountOf(status)
	if err != nil {
		panic(err)
	}
	fmt.Println(ideal2.StatusOf(status), "EUR", amount, "by", status.CommonPaymentData.DebtorInformation.Name)
	// Output:
	// 174142 Open
	// redirect to https://bank.example/ideal/174142
	// paid (SettlementCompleted) EUR 24.50 by Edsger Wybe Dijkstra
}

// Receive the routing service's status notifications; the handler answers
// 200 "OK" once the function has succeeded.
func ExampleClient_WebhookHandler() {
	rs, merchant, server := exampleRoutingService()
	defer rs.Close()
	client, err := ideal2.New(ideal2.Config{
		BaseURL: rs.URL + "/xs2a/routingservice/services/ob/pis/v3", MerchantID: "002881000", ClientName: "YourAcquirer",
		MerchantKey: merchant.key, MerchantCertificate: merchant.cert, ServerCertificate: server.cert,
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /ideal2/notify", client.WebhookHandler(func(ctx context.Context, st *ideal2.PaymentStatusResponse) error {
		if ideal2.StatusOf(st).IsPaid() {
			fmt.Println("payment", st.CommonPaymentData.PaymentID, "is paid")
		}
		return nil // mark the order paid here
	}))

	// What the routing service sends:
	body := `{"PaymentProductUsed":"IDEAL","CommonPaymentData":{"PaymentStatus":"SettlementCompleted","PaymentId":"174142"}}`
	req := httptest.NewRequest(http.MethodPost, "/ideal2/notify", strings.NewReader(body))
	exampleSign(req.Header, server, body)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// payment 174142 is paid
	// 200 OK
}

// exampleRoutingService answers a token request, one payment creation and
// its status, signing every answer like the routing service.
func exampleRoutingService() (*httptest.Server, keyPair, keyPair) {
	merchant, server := testKeys()
	rs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		var body string
		status := http.StatusOK
		switch {
		case strings.HasSuffix(r.URL.Path, "/authorize/token"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"access_token":"example-token","token_type":"Bearer","expires_in":3600}`)
			return
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/payments"):
			status = http.StatusCreated
			body = `{"CommonPaymentData":{"ExpiryDateTimestamp":"2024-02-14T21:33:58.919Z","PaymentStatus":"Open","PaymentId":"174142","AspspPaymentId":"0001077680035886"},"Links":{"RedirectUrl":{"Href":"https://bank.example/ideal/174142"}},"UseWaitingScreen":false}`
		default:
			body = `{"PaymentProductUsed":"IDEAL","CommonPaymentData":{"GuaranteedAmount":"24.50","PaymentStatus":"SettlementCompleted","PaymentId":"174142","DebtorInformation":{"Name":"Edsger Wybe Dijkstra"}}}`
		}
		exampleSign(w.Header(), server, body)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	return rs, merchant, server
}

func exampleSign(h http.Header, server keyPair, body string) {
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("X-Request-ID", signing.IDEAL2RequestID())
	h.Set("MessageCreateDateTime", time.Now().UTC().Format(signing.IDEAL2TimeFormat))
	h.Set("Digest", signing.IDEAL2Digest([]byte(body)))
	names := []string{"messagecreatedatetime", "x-request-id", "digest"}
	ss, _ := signing.IDEAL2SigningString(names, "", "", h)
	sig, _ := signing.IDEAL2Sign(server.key, ss)
	h.Set("Signature", signing.IDEAL2SignatureParams{KeyID: signing.IDEAL2KeyID(server.cert), Algorithm: "rsa-sha256", Headers: names, Signature: sig}.String())
}
