package buckaroo_test

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/signing"
)

// The buckaruby gem's test credentials, with which its recorded pushes
// (our form-push-*.json fixtures) are signed (spec/buckaruby/gateway_spec.rb).
const (
	gemWebsiteKey = "12345678"
	gemSecret     = "7C222FB2927D828AF22F592134E8932480637C0D"
)

// formFixture is a form push fixture's fields as the form carried them.
func formFixture(t *testing.T, name string) url.Values {
	t.Helper()
	var fields map[string]string
	require.NoError(t, json.Unmarshal(mustFixture(t, name).Request.BodyBytes(), &fields))
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, v)
	}
	return form
}

func gemClient(t *testing.T) *buckaroo.Client {
	t.Helper()
	c, err := buckaroo.New(gemWebsiteKey, gemSecret)
	require.NoError(t, err)
	return c
}

// Buckaroo's order: case-insensitive, symbols before digits before
// letters, a prefix before what extends it (the gem's vectors, after
// Buckaroo's NVP documentation, chapter 4).
func TestSignedFormFieldsOrder(t *testing.T) {
	form := url.Values{}
	for _, n := range []string{"brq_aCa", "brq_aba", "brq_aab", "brq_aaA", "brq_a1a", "brq_a0a", "brq_a0", "brq_a_a", "abc", "brq_signature", "BRQ_SIGNATURE"} {
		form.Set(n, "foo")
	}
	assert.Equal(t, []string{"brq_a_a", "brq_a0", "brq_a0a", "brq_a1a", "brq_aaA", "brq_aab", "brq_aba", "brq_aCa"}, buckaroo.SignedFormFields(form))

	form = url.Values{"BRQ_TESTB": {"abcDEF"}, "brq_testA": {"Foobar"}, "BRQ_TestC": {"test"}, "add_x": {"1"}, "CUST_y": {"2"}, "other": {"3"}}
	assert.Equal(t, []string{"add_x", "brq_testA", "BRQ_TESTB", "BRQ_TestC", "CUST_y"}, buckaroo.SignedFormFields(form))
}

func TestFormSignatureVectors(t *testing.T) {
	// The gem's signature vector.
	assert.Equal(t, "c864c2abad67580274b2df00fd2a53739952b924",
		buckaroo.FormSignature(url.Values{"brq_test": {"abcdef"}, "brq_test2": {"foobar"}}, "secret"))
	// Pushes Buckaroo sent, recorded by the gem.
	for _, name := range []string{"form-push-ideal", "form-push-refund"} {
		form := formFixture(t, name)
		assert.Equal(t, form.Get("brq_signature"), buckaroo.FormSignature(form, gemSecret), name)
	}
}

// A website may choose SHA-256 or SHA-512; the length tells them apart.
func TestParseFormPushAcceptsEachDigest(t *testing.T) {
	form := formFixture(t, "form-push-ideal")
	signed := func(sum []byte) url.Values {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("brq_signature", strings.ToUpper(hex.EncodeToString(sum)))
		return f
	}
	var text strings.Builder
	for _, n := range buckaroo.SignedFormFields(form) {
		text.WriteString(n + "=" + form.Get(n))
	}
	text.WriteString(gemSecret)
	s256, s512 := sha256.Sum256([]byte(text.String())), sha512.Sum512([]byte(text.String()))
	c := gemClient(t)
	for _, f := range []url.Values{form, signed(s256[:]), signed(s512[:])} {
		_, err := c.ParseFormPush(f)
		assert.NoError(t, err, "a %d-digit signature", len(f.Get("brq_signature")))
	}
}

func TestParseFormPushDecodes(t *testing.T) {
	c := gemClient(t)
	p, err := c.ParseFormPush(formFixture(t, "form-push-ideal"))
	require.NoError(t, err)
	assert.Equal(t, "41C48B55FA9164E123CC73B1157459E840BE5D24", p.Transactions)
	assert.Equal(t, "190", p.StatusCode)
	assert.Equal(t, "10.00", p.Amount.String())
	assert.Equal(t, "2014-11-05 13:10:42", p.Timestamp)
	assert.Equal(t, "RABONL2U", p.AdditionalProperties["brq_service_ideal_consumerbic"])

	tx := buckaroo.TransactionOf(p)
	assert.Equal(t, "41C48B55FA9164E123CC73B1157459E840BE5D24", tx.Key)
	assert.Equal(t, "E86256B2787EE7FF0C33D0D4C6159CD922227B79", tx.PaymentKey)
	assert.True(t, buckaroo.StatusOf(tx).IsPaid())
	assert.Equal(t, "S001", buckaroo.SubCodeOf(tx))
	assert.Equal(t, "2014-11-05T13:10:42", tx.Status.DateTime)
	assert.Equal(t, "ideal", tx.ServiceCode)
	assert.Equal(t, 1, tx.MutationType, "Collecting")
	assert.True(t, tx.IsTest)
	amount, err := buckaroo.AmountOf(tx)
	require.NoError(t, err)
	assert.EqualValues(t, 1000, amount)
	issuer, ok := buckaroo.ServiceParameter(tx, "ideal", "consumerissuer")
	assert.True(t, ok)
	assert.Equal(t, "Rabobank", issuer)

	p, err = c.ParseFormPush(formFixture(t, "form-push-refund"))
	require.NoError(t, err)
	tx = buckaroo.TransactionOf(p)
	amount, err = buckaroo.AmountOf(tx)
	require.NoError(t, err)
	assert.EqualValues(t, 1000, amount, "brq_amount_credit")
	assert.Equal(t, []buckaroo.RelatedTransaction{{RelationType: "refund", RelatedTransactionKey: "41C48B55FA9164E123CC73B1157459E840BE5D24"}}, tx.RelatedTransactions)
}

// Names arrive in any case; the signature covers them as sent, and the
// decoding finds the fields whatever their case. add_ and cust_ fields
// are signed and become the transaction's parameters.
func TestParseFormPushCaseAndParameters(t *testing.T) {
	form := url.Values{
		"BRQ_TRANSACTIONS": {"ABC"}, "BRQ_STATUSCODE": {"791"}, "Brq_Amount": {"8.00"}, "BRQ_CURRENCY": {"EUR"},
		"brq_SERVICE_Capayable_CapayableTransactionKey": {"65af"}, "add_orderid": {"42"}, "cust_channel": {"web"},
		"BRQ_WEBSITEKEY": {gemWebsiteKey},
	}
	form.Set("BRQ_SIGNATURE", buckaroo.FormSignature(form, gemSecret))
	p, err := gemClient(t).ParseFormPush(form)
	require.NoError(t, err)
	assert.Equal(t, "ABC", p.Transactions)
	assert.Equal(t, "8.00", p.Amount.String())
	tx := buckaroo.TransactionOf(p)
	assert.Equal(t, buckaroo.StatusPendingProcessing, buckaroo.StatusCodeOf(tx))
	key, _ := buckaroo.ServiceParameter(tx, "Capayable", "CapayableTransactionKey")
	assert.Equal(t, "65af", key)
	assert.Equal(t, []buckaroo.NameValue{{Name: "orderid", Value: "42"}}, tx.AdditionalParameters.List)
	assert.Equal(t, []buckaroo.NameValue{{Name: "channel", Value: "web"}}, tx.CustomParameters.List)
}

func TestParseFormPushRefusals(t *testing.T) {
	c := gemClient(t)
	with := func(change func(url.Values)) url.Values {
		f := formFixture(t, "form-push-ideal")
		change(f)
		return f
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want error
	}{
		{"tampered amount", with(func(f url.Values) { f.Set("brq_amount", "1000.00") }), signing.ErrSignatureMismatch},
		{"a signed field added", with(func(f url.Values) { f.Set("add_extra", "1") }), signing.ErrSignatureMismatch},
		{"no signature", with(func(f url.Values) { f.Del("brq_signature") }), signing.ErrSignatureMismatch},
		{"not hexadecimal", with(func(f url.Values) { f.Set("brq_signature", "zz") }), signing.ErrSignatureMismatch},
		{"a field twice", with(func(f url.Values) { f.Add("brq_amount", "10.00") }), buckaroo.ErrPushBody},
		{"a field twice, in two cases", with(func(f url.Values) { f.Set("BRQ_AMOUNT", "10.00") }), buckaroo.ErrPushBody},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.ParseFormPush(tc.form)
			assert.ErrorIs(t, err, tc.want)
		})
	}
	// Another website's push, signed with the same secret.
	other, err := buckaroo.New("OTHERSITE", gemSecret)
	require.NoError(t, err)
	_, err = other.ParseFormPush(formFixture(t, "form-push-ideal"))
	assert.ErrorIs(t, err, signing.ErrSignatureMismatch)
	assert.ErrorContains(t, err, "brq_websitekey")
	// Signed, but not a push.
	form := url.Values{"brq_statuscode": {"190"}}
	form.Set("brq_signature", buckaroo.FormSignature(form, gemSecret))
	_, err = c.ParseFormPush(form)
	assert.ErrorIs(t, err, buckaroo.ErrPushBody)
}

// WebhookHandler serves a form push through the same responder as a JSON
// push: verified, passed on once, a duplicate acknowledged, a forgery
// refused, logged and hooked.
func TestWebhookHandlerServesFormPushes(t *testing.T) {
	var rejections []betaalkit.WebhookRejection
	var got []*buckaroo.Transaction
	h := gemClient(t).WebhookHandler(func(_ context.Context, tx *buckaroo.Transaction) error {
		got = append(got, tx)
		return nil
	}, betaalkit.OnReject(func(_ *http.Request, r betaalkit.WebhookRejection) { rejections = append(rejections, r) }))
	send := func(body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "https://shop.example/push", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	body := formFixture(t, "form-push-ideal").Encode()
	for range 2 {
		w := send(body)
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "OK", w.Body.String())
	}
	require.Len(t, got, 1, "the duplicate is acknowledged, not passed on")
	assert.Equal(t, "41C48B55FA9164E123CC73B1157459E840BE5D24", got[0].Key)

	w := send(strings.Replace(body, "brq_amount=10.00", "brq_amount=11.00", 1))
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	w = send("brq_amount=%zz")
	assert.Equal(t, http.StatusBadRequest, w.Code)
	require.Len(t, rejections, 2)
	assert.Equal(t, betaalkit.RejectSignature, rejections[0].Reason)
	assert.True(t, errors.Is(rejections[0].Err, signing.ErrSignatureMismatch))
	assert.Equal(t, betaalkit.RejectBody, rejections[1].Reason)
	assert.Len(t, got, 1)
}
