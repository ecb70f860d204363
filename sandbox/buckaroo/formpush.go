package buckaroo

import (
	"cmp"
	"net/url"
	"strconv"
	"strings"

	client "github.com/betaalkit/betaalkit/clients/buckaroo"
	gen "github.com/betaalkit/betaalkit/gen/buckaroo"
)

// mutationNames are Transaction.MutationType's numbers by the name the form push uses.
var mutationNames = []string{"NotSet", "Collecting", "Processing", "Informational"}

// formPush is a transaction as Buckaroo's classic HTTP push sends it: the
// brq_ fields of the recorded pushes in buckaroo-it's and KentaaNL's SDKs,
// signed with brq_signature.
func formPush(tx *gen.Transaction, websiteKey, secretKey string) []byte {
	f := url.Values{}
	set := func(name, v string) {
		if v != "" {
			f.Set(name, v)
		}
	}
	set("brq_transactions", tx.Key)
	set("brq_payment", tx.PaymentKey)
	set("brq_statuscode", strconv.Itoa(tx.Status.Code.Code))
	set("brq_statuscode_detail", tx.Status.SubCode.Code)
	set("brq_statusmessage", cmp.Or(tx.Status.SubCode.Description, tx.Status.Code.Description))
	if !tx.AmountDebit.IsZero() {
		set("brq_amount", tx.AmountDebit.String())
	}
	if !tx.AmountCredit.IsZero() {
		set("brq_amount_credit", tx.AmountCredit.String())
	}
	set("brq_currency", tx.Currency)
	set("brq_invoicenumber", tx.Invoice)
	set("brq_ordernumber", tx.Order)
	set("brq_description", tx.Description)
	set("brq_transaction_method", tx.ServiceCode)
	set("brq_transaction_type", tx.TransactionType)
	if tx.MutationType >= 0 && tx.MutationType < len(mutationNames) {
		set("brq_mutationtype", mutationNames[tx.MutationType])
	}
	set("brq_customer_name", tx.CustomerName)
	set("brq_payer_hash", tx.PayerHash)
	set("brq_test", strconv.FormatBool(tx.IsTest))
	set("brq_timestamp", strings.Replace(tx.Status.DateTime, "T", " ", 1))
	set("brq_websitekey", websiteKey)
	for _, svc := range tx.Services {
		for _, p := range svc.Parameters {
			set("brq_SERVICE_"+svc.Name+"_"+p.Name, p.Value)
		}
	}
	for _, rt := range tx.RelatedTransactions {
		set("brq_relatedtransaction_"+rt.RelationType, rt.RelatedTransactionKey)
	}
	f.Set("brq_signature", client.FormSignature(f, secretKey))
	return []byte(f.Encode())
}
