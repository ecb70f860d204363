package buckaroo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
	"github.com/betaalkit/betaalkit/transport"
)

const (
	websiteKey = "WEBSITE123"
	secretKey  = "SECRETAPIKEY"
)

// attempt is one request the fake Buckaroo received.
type attempt struct {
	method, uri, nonce string
	body               []byte
	verifyErr          error
	specErr            error
}

// fakeBuckaroo verifies the HMAC of every request it receives (each retry
// and redirect hop included), checks it against the spec, and answers from
// a script, one entry per request.
type fakeBuckaroo struct {
	*httptest.Server
	mu       sync.Mutex
	attempts []attempt
	script   []func(w http.ResponseWriter, r *http.Request)
}

func newFake(t *testing.T, script ...func(w http.ResponseWriter, r *http.Request)) *fakeBuckaroo {
	t.Helper()
	verifier, err := signing.NewBuckarooVerifier(websiteKey, secretKey)
	require.NoError(t, err)
	validator, err := specs.NewValidator("buckaroo")
	require.NoError(t, err)
	f := &fakeBuckaroo{script: script}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, verr := verifier.VerifyRequest(r)
		_, _, serr := validator.ValidateRequest(r.Context(), r)
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		n := len(f.attempts)
		f.attempts = append(f.attempts, attempt{method: r.Method, uri: r.RequestURI, nonce: h.Nonce, body: body, verifyErr: verr, specErr: serr})
		f.mu.Unlock()
		if verr != nil {
			http.Error(w, "<html>401 - Unauthorized: "+verr.Error()+"</html>", http.StatusUnauthorized)
			return
		}
		if n >= len(f.script) {
			http.Error(w, "unexpected request", http.StatusTeapot)
			return
		}
		f.script[n](w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeBuckaroo) all() []attempt {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]attempt(nil), f.attempts...)
}

func jsonAnswer(status int, body []byte) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

func (f *fakeBuckaroo) client(t *testing.T, opts ...buckaroo.Option) *buckaroo.Client {
	t.Helper()
	noWait := buckaroo.WithRetry(transport.RetryPolicy{BaseDelay: time.Nanosecond})
	c, err := buckaroo.New(websiteKey, secretKey, append([]buckaroo.Option{buckaroo.WithBaseURL(f.URL), noWait}, opts...)...)
	require.NoError(t, err)
	return c
}

func mustFixture(t *testing.T, base string) fixtures.Fixture {
	t.Helper()
	list, err := fixtures.Load("buckaroo")
	require.NoError(t, err)
	for _, f := range list {
		if f.Base() == base {
			return f
		}
	}
	t.Fatalf("no fixture %s", base)
	return fixtures.Fixture{}
}

func date(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// seedPayment is the document's PayInInstallments example as typed input.
func seedPayment() buckaroo.In3Payment {
	return buckaroo.In3Payment{
		AmountDebit: 800,
		Invoice:     "testinvoice 12345678",
		Description: "Thank you for your order",
		ClientIP:    "0.0.0.0",
		InvoiceDate: date("2018-02-23"),
		Customer: buckaroo.In3Customer{
			LastName:  "Smith",
			Culture:   "nl-NL",
			Initials:  "J.S.",
			Gender:    buckaroo.GenderMale,
			BirthDate: date("1990-01-01"),
			Address: buckaroo.In3Address{
				Street: "Hoofdstraat", HouseNumber: 90, HouseNumberSuffix: "a",
				ZipCode: "8441ER", City: "Heerenveen", Country: "NL",
			},
			Phone: "0612345678",
			Fax:   "0101234567",
			Email: "[email protected]", // the document's (obfuscated) value
		},
		Products:  []buckaroo.In3ProductLine{{Code: "abc123", Name: "Blue Toy Car", Quantity: 1, Price: 1000}},
		Subtotals: []buckaroo.In3SubtotalLine{{Name: "Korting", Value: -200}},
	}
}

// wireValue decodes JSON keeping every number's text (8.00 is not 8).
func wireValue(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v))
	return v
}

// The builder sends the document's example exactly: every key, every
// string, and every number's text (AmountDebit 8.00, Price "10.00",
// Value "-2.00", GroupType "" and GroupID "" included), from cents.
func TestIn3BuilderReproducesSeedRequest(t *testing.T) {
	req, err := seedPayment().Request()
	require.NoError(t, err)
	got, err := json.Marshal(req)
	require.NoError(t, err)
	f := mustFixture(t, "payininstallments")
	assert.Equal(t, wireValue(t, f.Request.BodyBytes()), wireValue(t, got))
	assert.Contains(t, string(got), `"AmountDebit":8.00`, "the amount goes out exactly, as a JSON number")
	assert.Contains(t, string(got), `"ClientIP":{"Address":"0.0.0.0","Type":0}`, "Type 0 (IPv4) is sent")
}

// The refund builder sends the document's example; the amount comes from
// cents, so 30 cents go out as 0.30 where the document wrote 0.3.
func TestRefundReproducesSeedRequest(t *testing.T) {
	req, err := buckaroo.RefundRequest{Amount: 30, Invoice: "testinvoice 123"}.Request("1EC52112B19E4AF198E7C51D36C1xxxx")
	require.NoError(t, err)
	got, err := json.Marshal(req)
	require.NoError(t, err)
	assert.JSONEq(t, string(mustFixture(t, "refund").Request.BodyBytes()), string(got))
	assert.Contains(t, string(got), `"AmountCredit":0.30`)
}

func TestPayInInstallmentsAgainstFixture(t *testing.T) {
	f := mustFixture(t, "payininstallments")
	fake := newFake(t, jsonAnswer(200, f.Response.BodyBytes()))
	tx, err := fake.client(t).PayInInstallments(context.Background(), seedPayment())
	require.NoError(t, err)

	assert.Equal(t, buckaroo.StatusPendingProcessing, buckaroo.StatusCodeOf(tx))
	assert.True(t, buckaroo.StatusCodeOf(tx).IsPending())
	assert.Equal(t, betaalkit.PaymentStatus{Status: betaalkit.StatusPending, Raw: "791"}, buckaroo.StatusOf(tx))
	assert.Equal(t, "S002", buckaroo.SubCodeOf(tx))
	assert.Equal(t, "https://checkout.buckaroo.nl/html/redirect.ashx?r=D197713CEE864F9C9D2643EDB6C99xxx", buckaroo.PaymentURL(tx))
	key, ok := buckaroo.ServiceParameter(tx, "Capayable", "CapayableTransactionKey")
	assert.True(t, ok)
	assert.Equal(t, "65af1494fb6540e8a323477e80815xxx", key)
	assert.Equal(t, "8", tx.AmountDebit.String())
	amount, err := buckaroo.AmountOf(tx)
	require.NoError(t, err)
	assert.Equal(t, money.Cents(800), amount)

	a := fake.all()
	require.Len(t, a, 1)
	require.NoError(t, a[0].verifyErr)
	require.NoError(t, a[0].specErr)
	assert.Equal(t, "POST", a[0].method)
	assert.Equal(t, "/json/Transaction", a[0].uri)
	assert.Equal(t, wireValue(t, f.Request.BodyBytes()), wireValue(t, a[0].body))
}

func TestCreateRefundAgainstFixture(t *testing.T) {
	f := mustFixture(t, "refund")
	fake := newFake(t, jsonAnswer(200, f.Response.BodyBytes()))
	tx, err := fake.client(t).CreateRefund(context.Background(), "1EC52112B19E4AF198E7C51D36C1xxxx", buckaroo.RefundRequest{Amount: 30, Invoice: "testinvoice 123"})
	require.NoError(t, err)
	assert.True(t, buckaroo.StatusCodeOf(tx).IsSuccess())
	assert.Equal(t, betaalkit.PaymentStatus{Status: betaalkit.StatusPaid, Raw: "190"}, buckaroo.StatusOf(tx))
	assert.Equal(t, "0.3", tx.AmountCredit.String())
	amount, err := buckaroo.AmountOf(tx)
	require.NoError(t, err)
	assert.Equal(t, money.Cents(30), amount, "a refund's amount is its AmountCredit")
	assert.Empty(t, buckaroo.PaymentURL(tx))
	require.Len(t, tx.RelatedTransactions, 1)
	assert.Equal(t, "1EC52112B19E4AF198E7C51D36C1xxxx", tx.RelatedTransactions[0].RelatedTransactionKey)
	a := fake.all()
	require.Len(t, a, 1)
	require.NoError(t, a[0].verifyErr)
	require.NoError(t, a[0].specErr)
	assert.JSONEq(t, string(f.Request.BodyBytes()), string(a[0].body))
}

// TestEveryAttemptIsSignedAfresh: a status look-up answered 503 is retried
// and a 307 followed; the server verifies the HMAC on each of the three
// requests, and each carries its own nonce.
func TestEveryAttemptIsSignedAfresh(t *testing.T) {
	f := mustFixture(t, "refund")
	const path = "/json/Transaction/Status/5DABBCA4939A44CB8DD845E7944Axxxx"
	fake := newFake(t,
		func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "busy", http.StatusServiceUnavailable)
		},
		func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, path+"?hop=2", http.StatusTemporaryRedirect)
		},
		jsonAnswer(200, f.Response.BodyBytes()),
	)
	tx, err := fake.client(t).GetPayment(context.Background(), "5DABBCA4939A44CB8DD845E7944Axxxx")
	require.NoError(t, err)
	assert.True(t, buckaroo.StatusCodeOf(tx).IsSuccess())

	a := fake.all()
	require.Len(t, a, 3)
	nonces := map[string]bool{}
	for i, at := range a {
		require.NoError(t, at.verifyErr, "attempt %d", i)
		assert.Equal(t, "GET", at.method, "attempt %d", i)
		nonces[at.nonce] = true
	}
	assert.Len(t, nonces, 3, "a fresh nonce per attempt")
	assert.Equal(t, path+"?hop=2", a[2].uri, "the redirect hop is signed over its own URL")
}

// TestTransactionRequestIsNeverResent: Buckaroo has no idempotency key, so
// a POST that reached it is not sent again, even when the answer says to.
func TestTransactionRequestIsNeverResent(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusBadGateway} {
		fake := newFake(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "busy", status)
		})
		_, err := fake.client(t).CreateRefund(context.Background(), "1EC52112B19E4AF198E7C51D36C1xxxx", buckaroo.RefundRequest{Amount: 30})
		var berr *buckaroo.Error
		require.ErrorAs(t, err, &berr, "HTTP %d", status)
		assert.Equal(t, status, berr.StatusCode)
		assert.Equal(t, "create refund", berr.Operation())
		assert.Len(t, fake.all(), 1, "HTTP %d: sent once", status)
	}
}

func TestRetriesRunOut(t *testing.T) {
	busy := func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "busy", http.StatusServiceUnavailable) }
	fake := newFake(t, busy, busy, busy, busy)
	_, err := fake.client(t, buckaroo.WithRetry(transport.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Nanosecond})).GetPayment(context.Background(), "KEY")
	var berr *buckaroo.Error
	require.ErrorAs(t, err, &berr)
	assert.Equal(t, http.StatusServiceUnavailable, berr.StatusCode)
	assert.Equal(t, "busy\n", string(berr.RawBody))
	assert.Equal(t, "buckaroo: get payment: HTTP 503: busy", err.Error())
	assert.Len(t, fake.all(), 3, "one attempt and two retries")
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The caller gives up while the client waits (Retry-After) to retry.
	fake := newFake(t, func(w http.ResponseWriter, _ *http.Request) {
		cancel()
		w.Header().Set("Retry-After", "3")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	})
	_, err := fake.client(t).GetPayment(ctx, "KEY")
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, betaalkit.ErrTransport)
	assert.True(t, strings.HasPrefix(err.Error(), "buckaroo: get payment: "), err.Error())
	assert.Len(t, fake.all(), 1, "no retry after the context ended")
}

func TestGetPaymentSignsEmptyBody(t *testing.T) {
	f := mustFixture(t, "refund")
	fake := newFake(t, jsonAnswer(200, f.Response.BodyBytes()))
	tx, err := fake.client(t).GetPayment(context.Background(), "5DABBCA4939A44CB8DD845E7944Axxxx")
	require.NoError(t, err)
	assert.Equal(t, "5DABBCA4939A44CB8DD845E7944Axxxx", tx.Key)
	a := fake.all()
	require.Len(t, a, 1)
	require.NoError(t, a[0].verifyErr)
	require.NoError(t, a[0].specErr)
	assert.Equal(t, "GET", a[0].method)
	assert.Equal(t, "/json/Transaction/Status/5DABBCA4939A44CB8DD845E7944Axxxx", a[0].uri)
	assert.Empty(t, a[0].body)
}

func TestWrongSecretIsRejectedByServer(t *testing.T) {
	fake := newFake(t)
	c, err := buckaroo.New(websiteKey, "WRONGSECRET", buckaroo.WithBaseURL(fake.URL))
	require.NoError(t, err)
	_, err = c.GetPayment(context.Background(), "KEY")
	var berr *buckaroo.Error
	require.ErrorAs(t, err, &berr)
	assert.Equal(t, http.StatusUnauthorized, berr.StatusCode)
	assert.Contains(t, string(berr.RawBody), "401 - Unauthorized")
	assert.NotContains(t, err.Error(), "WRONGSECRET")
	require.Len(t, fake.all(), 1)
	assert.ErrorIs(t, fake.all()[0].verifyErr, signing.ErrSignatureMismatch)
}

func TestJSONErrorBodyMessage(t *testing.T) {
	fake := newFake(t, jsonAnswer(http.StatusBadRequest, []byte(`{"Message":"The request is invalid."}`)))
	_, err := fake.client(t).GetPayment(context.Background(), "KEY")
	var berr *buckaroo.Error
	require.ErrorAs(t, err, &berr)
	assert.Equal(t, "The request is invalid.", berr.Message)
	assert.Nil(t, berr.Transaction)
	assert.Equal(t, "buckaroo: get payment: HTTP 400: The request is invalid.", err.Error())
}

func TestRequestErrorsBecomeTypedError(t *testing.T) {
	body := []byte(`{"Key":null,"Status":{"Code":{"Code":491,"Description":"Validation failure"},
		"SubCode":{"Code":"S997","Description":"Invalid request"},"DateTime":"2018-02-23T12:15:26"},
		"RequestErrors":{"ChannelErrors":null,"ServiceErrors":null,"ActionErrors":null,
		"ParameterErrors":[{"Service":"Capayable","Action":"PayInInstallments","Name":"BirthDate","Error":"ParameterInvalid","ErrorMessage":"Parameter 'BirthDate' has an invalid value."}],
		"CustomParameterErrors":null},"Invoice":"testinvoice 12345678"}`)
	fake := newFake(t, jsonAnswer(200, body))
	_, err := fake.client(t).PayInInstallments(context.Background(), seedPayment())
	var berr *buckaroo.Error
	require.ErrorAs(t, err, &berr)
	assert.Equal(t, http.StatusOK, berr.StatusCode)
	assert.Equal(t, buckaroo.StatusValidationFailure, berr.Code)
	assert.Equal(t, "S997", berr.SubCode)
	assert.Equal(t, "S997", berr.ProviderCode())
	require.Len(t, berr.Details, 1)
	assert.Equal(t, buckaroo.RequestErrorDetail{Kind: "ParameterErrors", Service: "Capayable", Action: "PayInInstallments",
		Name: "BirthDate", Error: "ParameterInvalid", ErrorMessage: "Parameter 'BirthDate' has an invalid value."}, berr.Details[0])
	require.NotNil(t, berr.Transaction)
	assert.Equal(t, body, berr.RawBody)
	assert.Equal(t, "buckaroo: create payment: HTTP 200: 491 validation failure: S997: Invalid request; "+
		"ParameterErrors Capayable/PayInInstallments/BirthDate: Parameter 'BirthDate' has an invalid value.", err.Error())
}

func TestBusinessOutcomesAreNotErrors(t *testing.T) {
	for _, code := range []int{490, 690, 890} {
		body := fmt.Appendf(nil, `{"Key":"K","Status":{"Code":{"Code":%d,"Description":"x"}}}`, code)
		fake := newFake(t, jsonAnswer(200, body))
		tx, err := fake.client(t).GetPayment(context.Background(), "K")
		require.NoError(t, err, code)
		assert.True(t, buckaroo.StatusCodeOf(tx).IsFinal(), code)
		assert.True(t, buckaroo.StatusOf(tx).IsFailure(), code)
	}
}

func TestMalformedSuccessKeepsRawBody(t *testing.T) {
	fake := newFake(t, jsonAnswer(200, []byte(`{"Key":"K","Status":{"Code":{"Code":"791"}}}`)))
	_, err := fake.client(t).GetPayment(context.Background(), "K")
	var derr *betaalkit.DecodeError
	require.ErrorAs(t, err, &derr)
	assert.Contains(t, string(derr.RawBody), `"791"`)
	assert.True(t, strings.HasPrefix(err.Error(), "buckaroo: get payment: decode"), err.Error())
}

// A 200 answer without a status code, or (not refused) without a key, is
// not a transaction: ErrDecode with the raw body, never an empty success.
func TestSuccessWithoutStatusOrKeyIsDecodeError(t *testing.T) {
	for _, body := range []string{`{}`, `{"Key":"K"}`, `{"Key":"K","Status":{"Code":{"Code":0}}}`, `{"Status":{"Code":{"Code":190}}}`, `null`} {
		fake := newFake(t, jsonAnswer(200, []byte(body)))
		_, err := fake.client(t).GetPayment(context.Background(), "K")
		require.ErrorIs(t, err, betaalkit.ErrDecode, body)
		var derr *betaalkit.DecodeError
		require.ErrorAs(t, err, &derr, body)
		assert.Equal(t, body, string(derr.RawBody))
		assert.Contains(t, err.Error(), "buckaroo: get payment: ", body)
	}
}

func TestRefundValidation(t *testing.T) {
	fake := newFake(t)
	c := fake.client(t)
	_, err := c.CreateRefund(context.Background(), "", buckaroo.RefundRequest{Amount: 100})
	assertField(t, err, "OriginalTransactionKey")
	assert.ErrorContains(t, err, "buckaroo: create refund: invalid request: OriginalTransactionKey")
	_, err = c.CreateRefund(context.Background(), "KEY", buckaroo.RefundRequest{})
	assertField(t, err, "AmountCredit")
	_, err = c.CreatePayment(context.Background(), buckaroo.TransactionRequest{Currency: "eur"})
	assertField(t, err, "Currency")
	assert.ErrorContains(t, err, "buckaroo: create payment: invalid request: Currency")
	assert.Empty(t, fake.all())
}

// CreatePayment checks the generic request; each error names the wire path.
func TestCreatePaymentValidation(t *testing.T) {
	fake := newFake(t)
	c := fake.client(t)
	ok := buckaroo.TransactionRequest{Currency: "EUR", AmountDebit: money.MustDecimal("8.00")}
	for _, tc := range []struct {
		field string
		edit  func(*buckaroo.TransactionRequest)
	}{
		{"Currency", func(r *buckaroo.TransactionRequest) { r.Currency = "" }},
		{"AmountDebit", func(r *buckaroo.TransactionRequest) { r.AmountDebit = money.Decimal{} }},
		{"AmountDebit", func(r *buckaroo.TransactionRequest) { r.AmountDebit = money.MustDecimal("-1") }},
		{"AmountCredit", func(r *buckaroo.TransactionRequest) { r.AmountCredit = money.MustDecimal("-0.01") }},
		{"ClientIP.Address", func(r *buckaroo.TransactionRequest) { r.ClientIP = buckaroo.ClientIP{Address: "not-an-ip"} }},
		{"ClientIP.Type", func(r *buckaroo.TransactionRequest) { r.ClientIP = buckaroo.ClientIP{Address: "2001:db8::1"} }},
		{"ClientIP.Type", func(r *buckaroo.TransactionRequest) {
			r.ClientIP = buckaroo.ClientIP{Type: buckaroo.ClientIPv6, Address: "192.0.2.10"}
		}},
		{"Services.ServiceList[1].Action", func(r *buckaroo.TransactionRequest) {
			r.Services.ServiceList = []buckaroo.RequestService{{Name: "ideal", Action: "Pay"}, {Name: "Capayable"}}
		}},
	} {
		req := ok
		tc.edit(&req)
		_, err := c.CreatePayment(context.Background(), req)
		assertField(t, err, tc.field)
	}
	assert.Empty(t, fake.all())
}

// assertField checks that err is ErrInvalidRequest naming exactly field.
func assertField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
	var ferr *betaalkit.FieldError
	require.ErrorAs(t, err, &ferr)
	assert.Equal(t, field, ferr.Field, err.Error())
}

func TestNewOptions(t *testing.T) {
	for _, tc := range []struct {
		setting string
		build   func() (*buckaroo.Client, error)
	}{
		{"websiteKey", func() (*buckaroo.Client, error) { return buckaroo.New("", secretKey) }},
		{"secretKey", func() (*buckaroo.Client, error) { return buckaroo.New(websiteKey, "") }},
		{"WithBaseURL", func() (*buckaroo.Client, error) {
			return buckaroo.New(websiteKey, secretKey, buckaroo.WithBaseURL("not a url"))
		}},
		{"WithEnvironment", func() (*buckaroo.Client, error) {
			return buckaroo.New(websiteKey, secretKey, buckaroo.WithEnvironment("nowhere"))
		}},
	} {
		c, err := tc.build()
		assert.Nil(t, c)
		require.ErrorIs(t, err, betaalkit.ErrConfig, tc.setting)
		var cerr *betaalkit.ConfigError
		require.ErrorAs(t, err, &cerr)
		assert.Equal(t, "buckaroo", cerr.Provider)
		assert.Equal(t, tc.setting, cerr.Setting)
	}
	for _, env := range []buckaroo.Environment{buckaroo.Test, buckaroo.Live} {
		_, err := buckaroo.New(websiteKey, secretKey, buckaroo.WithEnvironment(env))
		assert.NoError(t, err)
	}

	// The caller's http.Client is used (its Transport) but never changed.
	f := mustFixture(t, "refund")
	fake := newFake(t, jsonAnswer(200, f.Response.BodyBytes()))
	var used bool
	inner := fake.Client().Transport
	hc := &http.Client{Transport: signing.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		used = true
		return inner.RoundTrip(r)
	})}
	before := hc.Transport
	c, err := buckaroo.New(websiteKey, secretKey, buckaroo.WithBaseURL(fake.URL), buckaroo.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = c.GetPayment(context.Background(), "KEY")
	require.NoError(t, err)
	assert.True(t, used)
	assert.Equal(t, fmt.Sprintf("%p", before), fmt.Sprintf("%p", hc.Transport), "the caller's client keeps its transport")
	assert.Nil(t, http.DefaultClient.Transport)
}

// Without WithEnvironment the client talks to Buckaroo's test host.
func TestDefaultEnvironmentIsTest(t *testing.T) {
	for _, tc := range []struct {
		opts []buckaroo.Option
		want string
	}{
		{nil, "https://testcheckout.buckaroo.nl/json/Transaction/Status/KEY"},
		{[]buckaroo.Option{buckaroo.WithEnvironment(buckaroo.Live)}, "https://checkout.buckaroo.nl/json/Transaction/Status/KEY"},
	} {
		var got string
		hc := &http.Client{Transport: signing.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			got = r.URL.String()
			return nil, errors.New("offline")
		})}
		c, err := buckaroo.New(websiteKey, secretKey, append(tc.opts, buckaroo.WithHTTPClient(hc), buckaroo.WithRetry(transport.NoRetries))...)
		require.NoError(t, err)
		_, err = c.GetPayment(context.Background(), "KEY")
		require.Error(t, err)
		assert.Equal(t, tc.want, got)
	}
}

func TestConcurrentCalls(t *testing.T) {
	f := mustFixture(t, "refund")
	var script []func(http.ResponseWriter, *http.Request)
	for range 8 {
		script = append(script, jsonAnswer(200, f.Response.BodyBytes()))
	}
	fake := newFake(t, script...)
	c := fake.client(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := c.GetPayment(context.Background(), "KEY")
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	for _, a := range fake.all() {
		assert.NoError(t, a.verifyErr)
	}
}

func TestStatusCodes(t *testing.T) {
	assert.Equal(t, "791 pending processing", buckaroo.StatusPendingProcessing.String())
	assert.Equal(t, "999", buckaroo.StatusCode(999).String())
	assert.True(t, buckaroo.StatusCode(999).IsPending(), "unknown codes keep a poller asking")
	assert.False(t, buckaroo.StatusCode(999).IsFinal())
	for _, s := range []buckaroo.StatusCode{190, 490, 491, 492, 690, 890, 891} {
		assert.True(t, s.IsFinal(), s)
		assert.False(t, s.IsPending(), s)
	}
	for _, s := range []buckaroo.StatusCode{790, 791, 792, 793} {
		assert.True(t, s.IsPending(), s)
		assert.False(t, s.IsFinal(), s)
	}
	assert.True(t, buckaroo.StatusCancelledByMerchant.IsCancelled())
	assert.True(t, buckaroo.StatusRejected.IsFailure())
	assert.Equal(t, buckaroo.StatusCode(0), buckaroo.StatusCodeOf(nil))
	assert.Equal(t, betaalkit.PaymentStatus{Status: betaalkit.StatusUnknown}, buckaroo.StatusOf(nil))
	assert.Empty(t, buckaroo.PaymentURL(nil))
	cents, err := buckaroo.AmountOf(nil)
	assert.NoError(t, err)
	assert.Zero(t, cents)
}

// A 400 that names fields in RequestErrors keeps them on the typed error.
func TestBadRequestKeepsRequestErrors(t *testing.T) {
	body := []byte(`{"Message":"The request is invalid.","RequestErrors":{"ParameterErrors":[{"Name":"AmountDebit","Error":"ParameterInvalid","ErrorMessage":"AmountDebit: value must be a number"}]}}`)
	fake := newFake(t, jsonAnswer(http.StatusBadRequest, body))
	_, err := fake.client(t).GetPayment(context.Background(), "KEY")
	var berr *buckaroo.Error
	require.ErrorAs(t, err, &berr)
	require.Len(t, berr.Details, 1)
	assert.Equal(t, "AmountDebit", berr.Details[0].Name)
	assert.Equal(t, "buckaroo: get payment: HTTP 400: The request is invalid.; ParameterErrors AmountDebit: AmountDebit: value must be a number", err.Error())
}

// The status description is not repeated when no sub-code refines it.
func TestRefusalMessageIsNotRepeated(t *testing.T) {
	body := []byte(`{"Key":"K","Status":{"Code":{"Code":491,"Description":"Validation failure"}}}`)
	fake := newFake(t, jsonAnswer(200, body))
	_, err := fake.client(t).GetPayment(context.Background(), "K")
	require.Error(t, err)
	assert.Equal(t, "buckaroo: get payment: HTTP 200: 491 validation failure", err.Error())
}

// A bare 503 to a POST may come after Buckaroo made the transaction, so it
// is not resent: a second refund could be paid out.
func TestBare503ToAPostIsNotRetried(t *testing.T) {
	busy := func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "busy", http.StatusServiceUnavailable) }
	fake := newFake(t, busy, busy)
	_, err := fake.client(t).CreateRefund(context.Background(), "1EC52112B19E4AF198E7C51D36C1xxxx", buckaroo.RefundRequest{Amount: 30, Invoice: "testinvoice 123"})
	var berr *buckaroo.Error
	require.ErrorAs(t, err, &berr)
	assert.Equal(t, http.StatusServiceUnavailable, berr.StatusCode)
	assert.Len(t, fake.all(), 1)
}
