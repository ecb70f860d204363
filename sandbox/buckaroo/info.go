package buckaroo

import (
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"

	client "github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/flex"
	gen "github.com/betaalkit/betaalkit/gen/buckaroo"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// Buckaroo's data types by number, as its JSON answers send them.
const (
	typeString  = "0"
	typeInteger = "1"
	typeDecimal = "2"
	typeDate    = "3"
)

// param is one request parameter of a service the sandbox describes.
type param struct {
	group, name, dataType string
	required              bool
}

// in3Params are PayInInstallments' parameters, from the document's table
// (checkIn3 enforces the required ones).
var in3Params = []param{
	{"", "CustomerType", typeString, true}, {"", "InvoiceDate", typeDate, true},
	{"Person", "LastName", typeString, true}, {"Person", "Culture", typeString, true},
	{"Person", "Initials", typeString, true}, {"Person", "Gender", typeInteger, false},
	{"Person", "BirthDate", typeDate, true},
	{"Address", "Street", typeString, true}, {"Address", "HouseNumber", typeInteger, true},
	{"Address", "HouseNumberSuffix", typeString, false}, {"Address", "ZipCode", typeString, true},
	{"Address", "City", typeString, true}, {"Address", "Country", typeString, true},
	{"Phone", "Phone", typeString, true}, {"Phone", "Fax", typeString, false}, {"Email", "Email", typeString, true},
	{"ProductLine", "Code", typeString, true}, {"ProductLine", "Name", typeString, true},
	{"ProductLine", "Quantity", typeDecimal, true}, {"ProductLine", "Price", typeDecimal, true},
	{"SubtotalLine", "Name", typeString, false}, {"SubtotalLine", "Value", typeString, false},
	{"", "IsInThreeGuarantee", typeString, false},
}

func specParams(ps []param) []gen.ParameterSpecification {
	out := make([]gen.ParameterSpecification, len(ps))
	for i, p := range ps {
		out[i] = gen.ParameterSpecification{Name: p.name, Group: p.group, IsRequestParameter: true,
			DataType: flex.String(p.dataType), Required: flex.Bool(p.required), MaxOccurs: 1}
	}
	return out
}

// responseParams are the parameters an answer's Services carry.
func responseParams(names ...string) []gen.ParameterSpecification {
	out := make([]gen.ParameterSpecification, len(names))
	for i, n := range names {
		out[i] = gen.ParameterSpecification{Name: n, DataType: typeString, MaxOccurs: 1}
	}
	return out
}

// specifications are the services the sandbox knows, by lower-case name,
// described as GET /json/Transaction/Specification/{service} answers: what
// createTransaction accepts for them.
var specifications = func() map[string]gen.ServiceSpecification {
	euro := []gen.SupportedCurrency{{IsoNumber: 978, Code: "EUR", Name: "Euro"}}
	banks := make([]gen.ListItemDescription, len(sim.IDEALBanks))
	for i, b := range sim.IDEALBanks {
		banks[i] = gen.ListItemDescription{Value: b.ID, Description: b.Name, GroupName: "Nederland"}
	}
	issuer := gen.ParameterSpecification{Name: "issuer", IsRequestParameter: true, DataType: typeString, List: "1", MaxOccurs: 1,
		DisplayName: "Bank", Description: "The customer's bank (a BIC); without it the customer chooses on the payment page.",
		ListItemDescriptions: banks}
	refund := gen.ActionSpecification{Name: client.ActionRefund, Description: client.ActionRefund}
	return map[string]gen.ServiceSpecification{
		"ideal": {Name: client.ServiceIDEAL, Version: 2, Description: "iDEAL", SupportedCurrencies: euro, Actions: []gen.ActionSpecification{
			{Name: client.ActionPay, Description: client.ActionPay, Default: true, RequestParameters: []gen.ParameterSpecification{issuer},
				ResponseParameters: responseParams("consumerIssuer", "transactionId", "consumerName", "consumerIBAN", "consumerBIC")},
			refund,
		}},
		"capayable": {Name: client.ServiceCapayable, Description: "iDEAL In3", SupportedCurrencies: euro, Actions: []gen.ActionSpecification{
			{Name: client.ActionPayInInstallments, Description: client.ActionPayInInstallments, Default: true,
				RequestParameters: specParams(in3Params), ResponseParameters: responseParams("CapayableTransactionKey")},
			refund,
		}},
	}
}()

func (s *Server) getSpecification(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("service")
	spec, ok := specifications[strings.ToLower(name)]
	if !ok {
		writeMessage(w, http.StatusNotFound, fmt.Sprintf("Service '%s' is not available for this website in the sandbox (it knows ideal and Capayable).", name))
		return
	}
	if v := r.URL.Query().Get("serviceVersion"); v != "" && v != strconv.Itoa(spec.Version) {
		writeMessage(w, http.StatusNotFound, fmt.Sprintf("Service '%s' has no version %s in the sandbox (it has version %d).", name, v, spec.Version))
		return
	}
	sim.WriteJSON(w, http.StatusOK, spec)
}

func (s *Server) getRefundInfo(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	s.mu.Lock()
	rec, ok := s.txs[key]
	var info gen.RefundInfo
	if ok {
		info = refundInfoOf(rec)
		if rec.action == client.ActionRefund && len(rec.tx.RelatedTransactions) > 0 {
			sim.Attach(r.Context(), rec.tx.RelatedTransactions[0].RelatedTransactionKey) // on the payment's timeline
		}
	}
	s.mu.Unlock()
	if !ok {
		// The wording of Buckaroo's answer for an unknown key (buckaruby's recorded refund_info_error).
		writeMessage(w, http.StatusNotFound, "There is no transaction with this transaction key under the website key used in the request.")
		return
	}
	sim.WriteJSON(w, http.StatusOK, info)
}

// refundInfoOf is a transaction's refund state, as refund checks it; s.mu
// must be held.
func refundInfoOf(rec *record) gen.RefundInfo {
	remaining := rec.remaining()
	info := gen.RefundInfo{
		TransactionKey: rec.tx.Key, AllowPartialRefund: true,
		RefundedAmount: decimalOf(rec.refunded), RefundCurrency: rec.tx.Currency,
		ServiceCode: rec.service, Invoice: rec.tx.Invoice,
	}
	switch code := client.StatusCodeOf(&rec.tx); {
	case rec.action == client.ActionRefund:
		info.NotRefundableExplanation = "A refund cannot be refunded."
	case code != client.StatusSuccess:
		info.NotRefundableExplanation = fmt.Sprintf("The transaction has status %s and cannot be refunded.", code)
	case remaining.Sign() <= 0:
		info.NotRefundableExplanation = "The transaction has been refunded in full."
	default:
		info.IsRefundable, info.MaximumRefundAmount = true, decimalOf(remaining)
	}
	return info
}

// decimalOf writes an amount the sandbox keeps exactly with two places.
func decimalOf(r *big.Rat) money.Decimal { return money.MustDecimal(r.FloatString(2)) }
