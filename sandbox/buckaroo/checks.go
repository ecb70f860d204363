package buckaroo

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	client "github.com/betaalkit/betaalkit/clients/buckaroo"
	gen "github.com/betaalkit/betaalkit/gen/buckaroo"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// actionPay is the generic payment action (the client has no constant for it).
const actionPay = "Pay"

// The lists of RequestErrors.
const (
	serviceErrors   = "ServiceErrors"
	actionErrors    = "ActionErrors"
	parameterErrors = "ParameterErrors"
)

// requestError is one entry of RequestErrors and the list it belongs in.
type requestError struct {
	kind                  string
	service, action, name string
	err, msg              string
}

func toRequestErrors(errs []requestError) gen.RequestErrors {
	var out gen.RequestErrors
	for _, e := range errs {
		list := &out.ParameterErrors
		switch e.kind {
		case serviceErrors:
			list = &out.ServiceErrors
		case actionErrors:
			list = &out.ActionErrors
		}
		*list = append(*list, gen.RequestError{Service: e.service, Action: e.action, Name: e.name, Error: e.err, ErrorMessage: e.msg})
	}
	return out
}

func paramError(svc gen.RequestService, name, code, msg string) requestError {
	return requestError{kind: parameterErrors, service: svc.Name, action: svc.Action, name: name, err: code, msg: msg}
}

func missing(svc gen.RequestService, name string) requestError {
	return paramError(svc, name, "ParameterMissing", fmt.Sprintf("Parameter '%s' is missing.", name))
}

func invalid(svc gen.RequestService, name string) requestError {
	return paramError(svc, name, "ParameterInvalid", fmt.Sprintf("Parameter '%s' has an invalid value.", name))
}

// checkAmount requires a positive amount in whole cents (absent reads as 0).
func checkAmount(svc gen.RequestService, name string, a money.Decimal) []requestError {
	if a.IsZero() {
		return []requestError{missing(svc, name)}
	}
	if _, err := a.Cents(); err != nil || a.Rat().Sign() <= 0 {
		return []requestError{invalid(svc, name)}
	}
	return nil
}

// checkPayment checks a Pay or PayInInstallments request beyond the spec:
// the amount and, for iDEAL In3, the parameters the document requires.
func checkPayment(in gen.TransactionRequest, svc gen.RequestService) []requestError {
	if svc.Action == client.ActionPayInInstallments && svc.Name != client.ServiceCapayable {
		return []requestError{{kind: actionErrors, service: svc.Name, action: svc.Action, err: "ActionNotSupported",
			msg: fmt.Sprintf("Action '%s' is not supported by service '%s'.", svc.Action, svc.Name)}}
	}
	errs := checkAmount(svc, "AmountDebit", in.AmountDebit)
	if svc.Action == client.ActionPayInInstallments {
		errs = append(errs, checkIn3(in, svc)...)
	}
	if strings.EqualFold(svc.Name, client.ServiceIDEAL) {
		errs = append(errs, checkIdeal(in, svc)...)
	}
	return errs
}

// checkIdeal checks an iDEAL payment against what the sandbox's
// specification of the service says: EUR, and an issuer, when named, from
// its list of banks.
func checkIdeal(in gen.TransactionRequest, svc gen.RequestService) []requestError {
	var errs []requestError
	if in.Currency != "EUR" {
		errs = append(errs, invalid(svc, "Currency"))
	}
	for _, p := range svc.Parameters {
		if strings.EqualFold(p.Name, "issuer") && sim.BankName(sim.IDEALBanks, p.Value) == "" {
			errs = append(errs, paramError(svc, p.Name, "ParameterInvalid", fmt.Sprintf("Issuer '%s' is not one of the iDEAL banks (GET /json/Transaction/Specification/ideal lists them).", p.Value)))
		}
	}
	return errs
}

// checkIn3 checks the PayInInstallments parameters of the document's table.
func checkIn3(in gen.TransactionRequest, svc gen.RequestService) []requestError {
	var errs []requestError
	if in.Currency != "EUR" {
		errs = append(errs, invalid(svc, "Currency"))
	}
	if in.Description == "" {
		errs = append(errs, missing(svc, "Description"))
	}
	if in.ClientIP.Address == "" {
		errs = append(errs, missing(svc, "ClientIP"))
	}
	// group type → group id → name → value
	groups := map[string]map[string]map[string]string{}
	for _, p := range svc.Parameters {
		gt, gid := p.GroupType, p.GroupID
		if groups[gt] == nil {
			groups[gt] = map[string]map[string]string{}
		}
		if groups[gt][gid] == nil {
			groups[gt][gid] = map[string]string{}
		}
		groups[gt][gid][p.Name] = p.Value
	}
	type rule struct {
		group, name string
		valid       func(string) bool
	}
	date := func(layout string) func(string) bool {
		return func(v string) bool { _, err := time.Parse(layout, v); return err == nil }
	}
	oneOf := func(vals ...string) func(string) bool {
		return func(v string) bool {
			for _, ok := range vals {
				if v == ok {
					return true
				}
			}
			return false
		}
	}
	integer := func(v string) bool { n, err := strconv.Atoi(v); return err == nil && n > 0 }
	for _, r := range []rule{
		{"", "CustomerType", oneOf("Debtor")},
		{"", "InvoiceDate", date("02-01-2006")},
		{"Person", "LastName", nil},
		{"Person", "Culture", oneOf("nl-NL")},
		{"Person", "Initials", nil},
		{"Person", "BirthDate", date("2006-01-02")},
		{"Address", "Street", nil},
		{"Address", "HouseNumber", integer},
		{"Address", "ZipCode", nil},
		{"Address", "City", nil},
		{"Address", "Country", nil},
		{"Phone", "Phone", nil},
		{"Email", "Email", nil},
	} {
		v, ok := groups[r.group][""][r.name]
		switch {
		case !ok || v == "":
			errs = append(errs, missing(svc, r.name))
		case r.valid != nil && !r.valid(v):
			errs = append(errs, invalid(svc, r.name))
		}
	}
	if g, ok := groups["Person"][""]["Gender"]; ok && !oneOf("1", "2", "0", "9")(g) {
		errs = append(errs, invalid(svc, "Gender"))
	}
	decimal := func(v string) bool { _, err := money.ParseDecimal(v); return err == nil }
	lines := groups["ProductLine"]
	if len(lines) == 0 {
		errs = append(errs, paramError(svc, "Code", "ParameterMissing", "At least one ProductLine is required."))
	}
	ids := make([]string, 0, len(lines))
	for id := range lines {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		for _, name := range []string{"Code", "Name", "Quantity", "Price"} {
			v, ok := lines[id][name]
			switch {
			case !ok || v == "":
				errs = append(errs, paramError(svc, name, "ParameterMissing", fmt.Sprintf("Parameter '%s' of ProductLine '%s' is missing.", name, id)))
			case (name == "Quantity" || name == "Price") && !decimal(v):
				errs = append(errs, paramError(svc, name, "ParameterInvalid", fmt.Sprintf("Parameter '%s' of ProductLine '%s' has an invalid value.", name, id)))
			}
		}
	}
	for id, line := range groups["SubtotalLine"] {
		if v, ok := line["Value"]; ok && !decimal(v) {
			errs = append(errs, paramError(svc, "Value", "ParameterInvalid", fmt.Sprintf("Parameter 'Value' of SubtotalLine '%s' has an invalid value.", id)))
		}
	}
	return errs
}

// checkRefund checks a Refund request on its own; what remains to refund
// is checked against the payment under the store's lock.
func checkRefund(in gen.TransactionRequest, svc gen.RequestService) []requestError {
	var errs []requestError
	if in.OriginalTransactionKey == "" {
		errs = append(errs, missing(svc, "OriginalTransactionKey"))
	}
	return append(errs, checkAmount(svc, "AmountCredit", in.AmountCredit)...)
}
