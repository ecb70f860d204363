package buckaroo

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/betaalkit/betaalkit/signing"
)

// Buckaroo's classic HTTP push ("HTTP post" in the website's push
// settings) is a form of brq_ fields (and the request's add_ and cust_
// parameters) signed with brq_signature instead of an Authorization header.
// The signature covers no URL, nonce or zone-aware time: a captured form
// push verifies for ever, so the handler remembers each one for
// FormPushReplayWindow.

// FormPushReplayWindow is how long WebhookHandler remembers a form push it
// accepted, so that a duplicate is acknowledged without calling the shop's
// function again: Buckaroo retries a push for three days.
const FormPushReplayWindow = 4 * 24 * time.Hour

// signatureField is the field that carries the signature.
const signatureField = "brq_signature"

// SignedFormFields lists the names of the fields brq_signature covers, in
// the order they are signed (signing.BuckarooFormFields): every brq_, add_
// and cust_ field but brq_signature, sorted case-insensitively with
// symbols before digits before letters.
func SignedFormFields(fields url.Values) []string { return signing.BuckarooFormFields(fields) }

// FormSignature is brq_signature for fields (decoded, as url.ParseQuery
// gives them): signing.BuckarooFormSignature, the hexadecimal SHA-1 of
// name=value for each of SignedFormFields followed by secretKey. The
// sandbox signs its form pushes with it.
func FormSignature(fields url.Values, secretKey string) string {
	return signing.BuckarooFormSignature(fields, secretKey)
}

// fieldValue is a field's value, its name matched case-insensitively.
func fieldValue(fields url.Values, name string) string {
	for n, v := range fields {
		if strings.EqualFold(n, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// ParseFormPush verifies a classic HTTP form push (brq_signature with this
// client's secret key, and brq_websitekey, when sent, against its website
// key) and decodes it. Pass the decoded form, e.g. r.PostForm after
// r.ParseForm(). A signature that does not verify fails with
// signing.ErrSignatureMismatch, a form that is not a push with ErrPushBody.
// FormPush keeps every field: those it does not name are in
// AdditionalProperties, names as sent. TransactionOf reads it as the JSON
// push's Transaction.
func (c *Client) ParseFormPush(form url.Values) (*FormPush, error) { return c.form.parse(form) }

// formVerifier holds what a form push is checked against.
type formVerifier struct {
	websiteKey string
	secretKey  string
}

func (f *formVerifier) parse(form url.Values) (*FormPush, error) {
	seen := map[string]bool{}
	for name, vs := range form {
		lower := strings.ToLower(name)
		if len(vs) != 1 || seen[lower] {
			return nil, fmt.Errorf("%w: field %q is sent more than once", ErrPushBody, name)
		}
		seen[lower] = true
	}
	if err := signing.VerifyBuckarooForm(form, f.secretKey); err != nil {
		return nil, fmt.Errorf("buckaroo: form push: %w", err)
	}
	if k := fieldValue(form, "brq_websitekey"); k != "" && k != f.websiteKey {
		return nil, fmt.Errorf("buckaroo: form push: brq_websitekey %q is not this client's website key: %w", k, signing.ErrSignatureMismatch)
	}
	return decodeFormPush(form)
}

// formPushFields are FormPush's own field names (brq_amount, …).
var formPushFields = func() map[string]bool {
	names := map[string]bool{}
	t := reflect.TypeFor[FormPush]()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "-" {
			names[name] = true
		}
	}
	return names
}()

// decodeFormPush reads the fields into a FormPush through its JSON form:
// a field FormPush names is matched whatever its case, every other one
// lands in AdditionalProperties under its name as sent.
func decodeFormPush(form url.Values) (*FormPush, error) {
	obj := make(map[string]string, len(form))
	for name, vs := range form {
		if lower := strings.ToLower(name); formPushFields[lower] {
			name = lower
		}
		obj[name] = vs[0]
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPushBody, err)
	}
	var p FormPush
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPushBody, err)
	}
	if key, _, _ := strings.Cut(p.Transactions, ","); strings.TrimSpace(key) == "" {
		return nil, fmt.Errorf("%w: no transaction key in brq_transactions", ErrPushBody)
	}
	if _, err := strconv.Atoi(p.StatusCode); err != nil {
		return nil, fmt.Errorf("%w: brq_statuscode %q is not a status code", ErrPushBody, p.StatusCode)
	}
	return &p, nil
}

// mutationTypes are brq_mutationtype's names as Transaction.MutationType numbers.
var mutationTypes = map[string]int{"notset": 0, "collecting": 1, "processing": 2, "informational": 3}

// TransactionOf reads a form push as the JSON push's Transaction, so that
// StatusOf, AmountOf and ServiceParameter work on it and WebhookHandler's
// function gets the same type either way: brq_transactions is the Key (the
// first, when several are sent), brq_payment the PaymentKey,
// brq_transaction_method (else brq_payment_method) the ServiceCode,
// brq_timestamp the Status.DateTime ("2014-11-05T13:10:42"), each
// brq_SERVICE_<service>_<name> a parameter of Services, each
// brq_relatedtransaction_<type> a RelatedTransaction, and the add_ and
// cust_ fields AdditionalParameters.List and CustomParameters.List. nil
// gives nil.
func TransactionOf(p *FormPush) *Transaction {
	if p == nil {
		return nil
	}
	code, _ := strconv.Atoi(p.StatusCode)
	key, _, _ := strings.Cut(p.Transactions, ",")
	tx := &Transaction{
		Key: strings.TrimSpace(key),
		Status: Status{
			Code:     StatusCodeInfo{Code: code, Description: p.StatusMessage},
			DateTime: strings.Replace(p.Timestamp, " ", "T", 1),
		},
		Invoice: p.Invoice, Order: p.Order, Description: p.Description,
		Currency: p.Currency, AmountDebit: p.Amount, AmountCredit: p.AmountCredit,
		ServiceCode: cmp.Or(p.TransactionMethod, p.PaymentMethod), TransactionType: p.TransactionType,
		MutationType: mutationTypes[strings.ToLower(p.MutationType)],
		CustomerName: p.CustomerName, PayerHash: p.PayerHash, PaymentKey: p.Payment,
		IsTest: strings.EqualFold(p.Test, "true"), IssuingCountry: p.IssuingCountry,
		Recurring: strings.EqualFold(p.Recurring, "true"), IsCancelable: strings.EqualFold(p.Cancelable, "true"),
	}
	if p.StatusCodeDetail != "" {
		tx.Status.SubCode = StatusSubCode{Code: p.StatusCodeDetail}
	}
	// Every prefix read below is a signed one: take the fields in
	// Buckaroo's order, so that the lists come out in a fixed one.
	fields := make(url.Values, len(p.AdditionalProperties))
	for name, value := range p.AdditionalProperties {
		fields[name] = []string{value}
	}
	services := map[string]int{} // service name → index in tx.Services
	for _, name := range SignedFormFields(fields) {
		value, lower := p.AdditionalProperties[name], strings.ToLower(name)
		switch {
		case strings.HasPrefix(lower, "brq_service_"):
			svc, param, ok := strings.Cut(name[len("brq_service_"):], "_")
			if !ok {
				continue
			}
			i, seen := services[strings.ToLower(svc)]
			if !seen {
				i = len(tx.Services)
				services[strings.ToLower(svc)] = i
				tx.Services = append(tx.Services, ResponseService{Name: svc})
			}
			tx.Services[i].Parameters = append(tx.Services[i].Parameters, ResponseParameter{Name: param, Value: value})
		case strings.HasPrefix(lower, "brq_relatedtransaction_"):
			tx.RelatedTransactions = append(tx.RelatedTransactions, RelatedTransaction{RelationType: name[len("brq_relatedtransaction_"):], RelatedTransactionKey: value})
		case strings.HasPrefix(lower, "add_"):
			tx.AdditionalParameters.List = append(tx.AdditionalParameters.List, NameValue{Name: name[len("add_"):], Value: value})
		case strings.HasPrefix(lower, "cust_"):
			tx.CustomParameters.List = append(tx.CustomParameters.List, NameValue{Name: name[len("cust_"):], Value: value})
		}
	}
	return tx
}
