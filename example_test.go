package betaalkit_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	sandbox "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	"github.com/betaalkit/betaalkit/transport"
)

// Every client's errors fall into the same kinds; errors.As gives the details.
func Example_errors() {
	srv, _, _, err := sandbox.NewTestServer(sandbox.Config{})
	if err != nil {
		panic(err)
	}
	client, err := kassacompleet.New("not-the-key", kassacompleet.WithBaseURL(srv.URL+"/v1"))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	_, err = client.GetPayment(ctx, "ord_1")
	var apiErr betaalkit.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("API error:", apiErr.Provider(), apiErr.HTTPStatus(), apiErr.ProviderCode())
	}

	_, err = client.CreatePayment(ctx, kassacompleet.OrderCreate{Currency: "EUR", Amount: 0})
	var fieldErr *betaalkit.FieldError
	if errors.Is(err, betaalkit.ErrInvalidRequest) && errors.As(err, &fieldErr) {
		fmt.Println("not sent, fix field:", fieldErr.Field)
	}

	srv.Close() // the provider is unreachable now
	noRetries, _ := kassacompleet.New("not-the-key", kassacompleet.WithBaseURL(srv.URL+"/v1"), kassacompleet.WithRetry(transport.NoRetries))
	_, err = noRetries.GetPayment(ctx, "ord_1")
	fmt.Println("transport error:", errors.Is(err, betaalkit.ErrTransport), errors.Is(err, betaalkit.ErrAPI))
	// Output:
	// API error: kassacompleet 401 AuthorizationError
	// not sent, fix field: amount
	// transport error: true false
}
