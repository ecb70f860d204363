package buckaroo

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/betaalkit/betaalkit/signing"
)

// FuzzFormPush: any form is refused with a signature or body error, or
// accepted only when brq_signature is the form's own SHA-1 signature, and
// an accepted push always reads as a transaction with its key and code.
func FuzzFormPush(f *testing.F) {
	f.Add("brq_transactions=K&brq_statuscode=190&brq_amount=10.00", true)
	f.Add("BRQ_TRANSACTIONS=K,L&brq_SERVICE_ideal_x=1&add_a=b&cust_c=d&brq_relatedtransaction_refund=R&brq_statuscode=791&brq_websitekey=WEBSITE123", true)
	f.Add("brq_transactions=K&brq_statuscode=190&brq_amount=1e3", true)
	f.Add("brq_signature=zz&brq_transactions=K", false)
	f.Add("brq_transactions=K&brq_statuscode=190&brq_a_a=1&brq_a0=2", true)
	v := &formVerifier{websiteKey: "WEBSITE123", secretKey: "SECRETAPIKEY"}
	f.Fuzz(func(t *testing.T, body string, sign bool) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		if sign {
			for name := range form {
				if strings.EqualFold(name, signatureField) {
					delete(form, name)
				}
			}
			form.Set(signatureField, FormSignature(form, v.secretKey))
		}
		p, err := v.parse(form)
		if err != nil {
			if !errors.Is(err, signing.ErrSignatureMismatch) && !errors.Is(err, ErrPushBody) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if sent := fieldValue(form, signatureField); len(sent) == 40 && !strings.EqualFold(sent, FormSignature(form, v.secretKey)) {
			t.Fatalf("accepted a SHA-1 signature that is not the form's: %s", sent)
		}
		tx := TransactionOf(p)
		if tx.Key == "" {
			t.Fatalf("no key from brq_transactions %q", p.Transactions)
		}
		if tx.Status.Code.Code == 0 && strings.Trim(p.StatusCode, "0") != "" {
			t.Fatalf("status code %q read as 0", p.StatusCode)
		}
	})
}
