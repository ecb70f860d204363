package multisafepay

import (
	"context"
	"fmt"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/multisafepay"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
)

// PaymentMethodFilter narrows ListPaymentMethods; the zero value lists
// every payment method activated for the website.
type PaymentMethodFilter struct {
	Amount     money.Cents // only methods that accept this order amount; 0 means no filter
	Country    string      // ISO 3166-1 alpha-2, e.g. "NL"
	Currency   string      // ISO 4217, e.g. "EUR"
	GroupCards bool        // one entry for the credit and debit cards
	Coupons    bool        // include the gift cards (include_coupons)
	Type       string      // "payment-method" or "coupon"; "" for both
}

// ListPaymentMethods returns the payment methods activated for the
// website (GET /payment-methods): each with the amounts, currencies and
// countries it accepts, whether it can store a token for recurring
// payments, and for iDEAL the issuers (AdditionalData.Issuers). ListGateways
// is the older, shorter list of the same methods.
func (c *Client) ListPaymentMethods(ctx context.Context, filter PaymentMethodFilter) ([]PaymentMethodInfo, error) {
	call := apiclient.Call{Provider: provider, Op: "list payment methods"}
	typ := gen.ListPaymentMethodsParamsType(filter.Type)
	switch {
	case filter.Amount < 0:
		return nil, call.Wrap(&betaalkit.FieldError{Field: "amount", Reason: fmt.Sprintf("%d cents is negative", filter.Amount)})
	case typ != "" && !typ.Valid():
		return nil, call.Wrap(&betaalkit.FieldError{Field: "type", Reason: fmt.Sprintf("%q is not payment-method or coupon", filter.Type)})
	}
	params := &gen.ListPaymentMethodsParams{
		Country: filter.Country, Currency: filter.Currency, Amount: int64(filter.Amount),
		GroupCards: filter.GroupCards, IncludeCoupons: filter.Coupons, Type: typ,
	}
	env, err := expect[gen.PaymentMethodInfoListEnvelope](call.Read(c.api.ListPaymentMethods(ctx, params)))
	if err != nil {
		return nil, err
	}
	return env.Data, nil
}

// GetPaymentMethod returns one payment method, e.g. GatewayIDEAL with its
// issuers (GET /payment-methods/{id}). country ("" for none) describes it
// as offered in that country.
func (c *Client) GetPaymentMethod(ctx context.Context, id, country string) (*PaymentMethodInfo, error) {
	call := apiclient.Call{Provider: provider, Op: "get payment method"}
	if err := apiclient.CheckPathID("payment_method_id", id); err != nil {
		return nil, call.Wrap(err)
	}
	params := &gen.GetPaymentMethodParams{Locale: c.locale, Country: country}
	env, err := expect[gen.PaymentMethodInfoEnvelope](call.Read(c.api.GetPaymentMethod(ctx, id, params)))
	if err != nil {
		return nil, err
	}
	return &env.Data, nil
}
