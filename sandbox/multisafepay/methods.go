package multisafepay

import (
	"net/http"
	"strconv"
	"strings"

	client "github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/flex"
	gen "github.com/betaalkit/betaalkit/gen/multisafepay"
	"github.com/betaalkit/betaalkit/money"
)

// paymentMethod describes a gateway of the sandbox website as GET
// /payment-methods does.
func (g gateway) paymentMethod() gen.PaymentMethodInfo {
	icon := func(size string) string {
		return "https://media.multisafepay.com/img/methods/" + size + "/" + strings.ToLower(g.id)
	}
	m := gen.PaymentMethodInfo{
		ID: g.id, Name: g.description, Type: "payment-method",
		AllowedAmount:        gen.AllowedAmount{Min: g.min, Max: g.max}, // 0, no bound, is left out
		AllowedCountries:     nonNil(g.countries),
		AllowedCurrencies:    nonNil(g.currencies),
		PreferredCountries:   []string{},
		RequiredCustomerData: []string{},
		Brands:               []gen.PaymentMethodBrand{},
		ShoppingCartRequired: flex.Bool(g.id == client.GatewayKlarna || g.id == client.GatewayPayAfterDelivery),
		IconUrls:             gen.IconURLs{Large: icon("3x") + ".png", Medium: icon("2x") + ".png", Vector: icon("svg") + ".svg"},
		Apps: gen.PaymentMethodApps{
			Fastcheckout:      gen.AppFastCheckout{IsEnabled: true},
			PaymentComponents: gen.AppPaymentComponents{IsEnabled: true, HasFields: flex.Bool(isCard(g.id))},
		},
		Tokenization: gen.Tokenization{IsEnabled: flex.Bool(tokenizable(g.id))},
	}
	if tokenizable(g.id) {
		m.Tokenization.Models = gen.TokenizationModels{Cardonfile: true, Subscription: true, Unscheduled: true}
	}
	if g.id == client.GatewayIDEAL {
		for _, i := range idealIssuers {
			m.AdditionalData.Issuers = append(m.AdditionalData.Issuers, gen.PaymentMethodIssuer{Code: flex.String(i.Code), Name: i.Description, Bic: i.bic})
		}
	}
	return m
}

// listPaymentMethods applies the filters: amount, country and currency as
// ListGateways does, group_cards folds the cards into one CREDITCARD
// entry, and the sandbox has no gift cards (include_coupons changes
// nothing, type=coupon finds none).
func (s *Server) listPaymentMethods(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	amount, _ := strconv.ParseInt(q.Get("amount"), 10, 64) // the spec has checked it
	out := []gen.PaymentMethodInfo{}
	if q.Get("type") == "coupon" {
		writeData(w, http.StatusOK, out)
		return
	}
	grouped := false
	for _, g := range gateways {
		if !g.accepts(q.Get("country"), q.Get("currency"), money.Cents(amount)) {
			continue
		}
		if isCard(g.id) && q.Get("group_cards") == "true" {
			if grouped {
				continue
			}
			g, grouped = gateway{id: client.GatewayCreditCard, description: "Credit card"}, true
		}
		out = append(out, g.paymentMethod())
	}
	writeData(w, http.StatusOK, out)
}

func (s *Server) getPaymentMethod(w http.ResponseWriter, r *http.Request) {
	g, ok := findGateway(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, client.CodeUnknown, "Not found: payment method "+r.PathValue("id"))
		return
	}
	writeData(w, http.StatusOK, g.paymentMethod())
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
