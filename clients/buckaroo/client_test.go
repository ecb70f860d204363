package buckaroo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/transport"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
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
		AmountDebit: money.MustDecimal("8.00"),
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
		Products: []buckaroo.In3ProductLine{
			{Code: "abc123", Name: "Blue Toy Car", Quantity: money.MustDecimal("1"), Price: money.MustDecimal("10.00")},
		},
		Subtotals: []buckaroo.In3SubtotalLine{{Name: "Korting", Value: money.MustDecimal("-2.00")}},
	}
}

func TestIn3BuilderReproducesSeedRequest(t *testing.T) {
	req, err := seedPayment().Request()
	require.NoError(t, err)
	got, err := json.Marshal(req)
	require.NoError(t, err)
	f := mustFixture(t, "payininstallments")
	assert.JSONEq(t, string(f.Request.BodyBytes()), string(got))
	assert.Contains(t, string(got), `"AmountDebit":8.00`, "the amount goes out exactly, as a JSON number")
}

func TestRefundReproducesSeedRequest(t *testing.T) {
	req, err := buckaroo.RefundRequest("1EC52112B19E4AF198E7C51D36C1xxxx", money.MustDecimal("0.3"), buckaroo.RefundDetails{Invoice: "testinvoice 123"})
	require.NoError(t, err)
	got, err := json.Marshal(req)
	require.NoError(t, err)
	assert.JSONEq(t, string(mustFixture(t, "refund").Request.BodyBytes()), string(got))
}

func TestPayInInstallmentsAgainstFixture(t *testing.T) {
	f := mustFixture(t, "payininstallments")
	fake := newFake(t, jsonAnswer(200, f.Response.BodyBytes()))
	tx, err := fake.client(t).PayInInstallments(context.Background(), seedPayment())
	require.NoError(t, err)

	assert.Equal(t, buckaroo.StatusPendingProcessing, buckaroo.StatusOf(tx))
	assert.True(t, buckaroo.StatusOf(tx).IsPending())
	assert.Equal(t, "S002", buckaroo.SubCodeOf(tx))
	assert.Equal(t, "https://checkout.buckaroo.nl/html/redirect.ashx?r=D197713CEE864F9C9D2643EDB6C99xxx", buckaroo.RedirectURL(tx))
	key, ok := buckaroo.ServiceParameter(tx, "Capayable", "CapayableTransactionKey")
	assert.True(t, ok)
	assert.Equal(t, "65af1494fb6540e8a323477e80815xxx", key)
	assert.Equal(t, "8", tx.AmountDebit.String())

	a := fake.all()
	require.Len(t, a, 1)
	require.NoError(t, a[0].verifyErr)
	require.NoError(t, a[0].specErr)
	assert.Equal(t, "POST", a[0].method)
	assert.Equal(t, "/json/Transaction", a[0].uri)
	assert.JSONEq(t, string(f.Request.BodyBytes()), string(a[0].body))
}

func TestRefundAgainstFixture(t *testing.T) {
	f := mustFixture(t, "refund")
	fake := newFake(t, jsonAnswer(200, f.Response.BodyBytes()))
	tx, err := fake.client(t).Refund(context.Background(), "1EC52112B19E4AF198E7C51D36C1xxxx", money.MustDecimal("0.3"), buckaroo.RefundDetails{Invoice: "testinvoice 123"})
	require.NoError(t, err)
	assert.True(t, buckaroo.StatusOf(tx).IsSuccess())
	assert.Equal(t, "0.3", tx.AmountCredit.String())
	require.NotNil(t, tx.RelatedTransactions)
	assert.Equal(t, "1EC52112B19E4AF198E7C51D36C1xxxx", *(*tx.RelatedTransactions)[0].RelatedTransactionKey)
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
	tx, err := fake.client(t).TransactionStatus(context.Background(), "5DABBCA4939A44CB8DD845E7944Axxxx")
	require.NoError(t, err)
	assert.True(t, buckaroo.StatusOf(tx).IsSuccess())

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
		_, err := fake.client(t).Refund(context.Background(), "1EC52112B19E4AF198E7C51D36C1xxxx", money.MustDecimal("0.3"), buckaroo.RefundDetails{})
		var berr *buckaroo.Error
		require.ErrorAs(t, err, &berr, "HTTP %d", status)
		assert.Equal(t, status, berr.StatusCode)
		assert.Len(t, fake.all(), 1, "HTTP %d: sent once", status)
	}
}

func TestRetriesRunOut(t *testing.T) {
	busy := func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "busy", http.StatusServiceUnavailable) }
	fake := newFake(t, busy, busy, busy, busy)
	_, err := fake.client(t, buckaroo.WithRetry(transport.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Nanosecond})).TransactionStatus(context.Background(), "KEY")
	var berr *buckaroo.Error
	require.ErrorAs(t, err, &berr)
	assert.Equal(t, http.StatusServiceUnavailable, berr.StatusCode)
	assert.Equal(t, "busy\n", string(berr.RawBody))
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
	_, err := fake.client(t).TransactionStatus(ctx, "KEY")
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, betaalkit.ErrTransport)
	assert.Len(t, fake.all(), 1, "no retry after the context ended")
}

func TestTransactionStatusSignsEmptyBody(t *testing.T) {
	f := mustFixture(t, "refund")
	fake := newFake(t, jsonAnswer(200, f.Response.BodyBytes()))
	tx, err := fake.client(t).TransactionStatus(context.Background(), "5DABBCA4939A44CB8DD845E7944Axxxx")
	require.NoError(t, err)
	assert.Equal(t, "5DABBCA4939A44CB8DD845E7944Axxxx", *tx.Key)
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
	_, err = c.TransactionStatus(context.Background(), "KEY")
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
	_, err := fake.client(t).TransactionStatus(context.Background(), "KEY")
	var berr *buckaroo.Error
	require.ErrorAs(t, err, &berr)
	assert.Equal(t, "The request is invalid.", berr.Message)
	assert.Nil(t, berr.Transaction)
	assert.Equal(t, "buckaroo: HTTP 400: The request is invalid.", err.Error())
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
	require.Len(t, berr.Details, 1)
	assert.Equal(t, buckaroo.RequestErrorDetail{Kind: "ParameterErrors", Service: "Capayable", Action: "PayInInstallments",
		Name: "BirthDate", Error: "ParameterInvalid", ErrorMessage: "Parameter 'BirthDate' has an invalid value."}, berr.Details[0])
	require.NotNil(t, berr.Transaction)
	assert.Equal(t, body, berr.RawBody)
	assert.Contains(t, err.Error(), "491 validation failure")
	assert.Contains(t, err.Error(), "ParameterErrors Capayable/PayInInstallments/BirthDate")
}

func TestBusinessOutcomesAreNotErrors(t *testing.T) {
	for _, code := range []int{490, 690, 890} {
		body := fmt.Appendf(nil, `{"Key":"K","Status":{"Code":{"Code":%d,"Description":"x"}}}`, code)
		fake := newFake(t, jsonAnswer(200, body))
		tx, err := fake.client(t).TransactionStatus(context.Background(), "K")
		require.NoError(t, err, code)
		assert.True(t, buckaroo.StatusOf(tx).IsFinal(), code)
	}
}

func TestMalformedSuccessKeepsRawBody(t *testing.T) {
	fake := newFake(t, jsonAnswer(200, []byte(`{"Key":"K","Status":{"Code":{"Code":"791"}}}`)))
	_, err := fake.client(t).TransactionStatus(context.Background(), "K")
	var derr *apiclient.DecodeError
	require.ErrorAs(t, err, &derr)
	assert.Contains(t, string(derr.RawBody), `"791"`)
}

func TestIn3ValidationNamesEveryMissingField(t *testing.T) {
	fake := newFake(t)
	_, err := fake.client(t).PayInInstallments(context.Background(), buckaroo.In3Payment{})
	require.ErrorIs(t, err, apiclient.ErrInvalidRequest)
	var ferr *apiclient.FieldError
	require.ErrorAs(t, err, &ferr)
	for _, field := range []string{"AmountDebit", "Invoice", "Description", "ClientIP", "InvoiceDate",
		"Customer.LastName", "Customer.Initials", "Customer.BirthDate", "Customer.Address.Street",
		"Customer.Address.HouseNumber", "Customer.Address.ZipCode", "Customer.Address.City",
		"Customer.Address.Country", "Customer.Phone", "Customer.Email", "Products"} {
		assert.Contains(t, err.Error(), "invalid request: "+field+":", field)
	}
	assert.Empty(t, fake.all(), "nothing was sent")

	p := seedPayment()
	p.Products = append(p.Products, buckaroo.In3ProductLine{Name: "Red car", Quantity: money.MustDecimal("0")})
	err = p.Validate()
	assert.ErrorContains(t, err, "Products[1].Code: is required")
	assert.ErrorContains(t, err, "Products[1].Quantity")

	p = seedPayment()
	p.ClientIP = "not-an-ip"
	p.Customer.Gender = "M"
	err = p.Validate()
	assert.ErrorContains(t, err, "ClientIP")
	assert.ErrorContains(t, err, "Customer.Gender")
}

func TestIn3AmountsMustMatchLines(t *testing.T) {
	p := seedPayment()
	p.AmountDebit = money.MustDecimal("10.00") // lines add up to 8.00
	_, err := p.Request()
	var ferr *apiclient.FieldError
	require.ErrorAs(t, err, &ferr)
	assert.Equal(t, "AmountDebit", ferr.Field)
	assert.Contains(t, err.Error(), "10.00 does not match the product and subtotal lines, which add up to 8.00")

	// Quantities multiply, exactly: 3 × 0.10 + 0.70 = 1.
	p = seedPayment()
	p.AmountDebit = money.MustDecimal("1")
	p.Products = []buckaroo.In3ProductLine{{Code: "c", Name: "n", Quantity: money.MustDecimal("3"), Price: money.MustDecimal("0.10")}}
	p.Subtotals = []buckaroo.In3SubtotalLine{{Name: "Fee", Value: money.MustDecimal("0.50")}, {Name: "Shipping", Value: money.MustDecimal("0.20")}}
	req, err := p.Request()
	require.NoError(t, err)
	params := *req.Services.ServiceList[0].Parameters
	var subtotalIDs []string
	for _, prm := range params {
		if *prm.GroupType == "SubtotalLine" {
			subtotalIDs = append(subtotalIDs, *prm.GroupID)
		}
	}
	assert.Equal(t, []string{"1", "1", "2", "2"}, subtotalIDs, "several subtotal lines are numbered")
}

func TestIn3ProductLinesAreNumbered(t *testing.T) {
	p := seedPayment()
	p.AmountDebit = money.MustDecimal("13.00")
	p.Products = append(p.Products, buckaroo.In3ProductLine{Code: "x9", Name: "Red car", Quantity: money.MustDecimal("2"), Price: money.MustDecimal("2.50")})
	p.ClientIP = "2001:db8::1"
	req, err := p.Request()
	require.NoError(t, err)
	assert.Equal(t, buckaroo.ClientIPv6, *req.ClientIP.Type)
	got := map[string][]string{}
	for _, prm := range *req.Services.ServiceList[0].Parameters {
		if *prm.GroupType == "ProductLine" {
			got[*prm.GroupID] = append(got[*prm.GroupID], prm.Name+"="+prm.Value)
		}
	}
	assert.Equal(t, map[string][]string{
		"1": {"Code=abc123", "Name=Blue Toy Car", "Quantity=1", "Price=10.00"},
		"2": {"Code=x9", "Name=Red car", "Quantity=2", "Price=2.50"},
	}, got)
}

func TestRefundValidation(t *testing.T) {
	fake := newFake(t)
	c := fake.client(t)
	_, err := c.Refund(context.Background(), "", money.MustDecimal("1"), buckaroo.RefundDetails{})
	assert.ErrorContains(t, err, "OriginalTransactionKey")
	_, err = c.Refund(context.Background(), "KEY", money.MustDecimal("0"), buckaroo.RefundDetails{})
	assert.ErrorContains(t, err, "AmountCredit")
	_, err = c.CreateTransaction(context.Background(), buckaroo.TransactionRequest{Currency: "eur"})
	assert.ErrorContains(t, err, "Currency")
	assert.Empty(t, fake.all())
}

func TestNewOptions(t *testing.T) {
	_, err := buckaroo.New("", secretKey)
	assert.Error(t, err)
	_, err = buckaroo.New(websiteKey, "")
	assert.Error(t, err)
	_, err = buckaroo.New(websiteKey, secretKey, buckaroo.WithBaseURL("not a url"))
	assert.Error(t, err)
	for _, env := range []buckaroo.Environment{buckaroo.Test, buckaroo.Live} {
		_, err = buckaroo.New(websiteKey, secretKey, buckaroo.WithEnvironment(env))
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
	_, err = c.TransactionStatus(context.Background(), "KEY")
	require.NoError(t, err)
	assert.True(t, used)
	assert.Equal(t, fmt.Sprintf("%p", before), fmt.Sprintf("%p", hc.Transport), "the caller's client keeps its transport")
	assert.Nil(t, http.DefaultClient.Transport)
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
			_, err := c.TransactionStatus(context.Background(), "KEY")
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
	assert.Equal(t, buckaroo.StatusCode(0), buckaroo.StatusOf(nil))
	assert.Empty(t, buckaroo.RedirectURL(nil))
}

// --- pushes ---

const pushURL = "https://shop.example/buckaroo/push"

var pushTime = time.Date(2018, 2, 23, 11, 19, 14, 0, time.UTC)

func pushClient(t *testing.T, now time.Time) *buckaroo.Client {
	t.Helper()
	c, err := buckaroo.New(websiteKey, secretKey, buckaroo.WithSigningOptions(signing.BuckarooClock(func() time.Time { return now })))
	require.NoError(t, err)
	return c
}

// signPush signs like Buckaroo, with a fresh nonce per push.
func signPush(t *testing.T, body []byte) string {
	t.Helper()
	pushNonce++
	h, err := signing.BuckarooAuthorization(websiteKey, secretKey, http.MethodPost, pushURL, fmt.Sprintf("%016x", pushNonce), pushTime.Unix(), body)
	require.NoError(t, err)
	return h
}

var pushNonce int

func TestPushHandler(t *testing.T) {
	body := mustFixture(t, "payininstallments-push").Request.BodyBytes()
	var got []*buckaroo.Transaction
	h := pushClient(t, pushTime.Add(time.Minute)).PushHandler(pushURL, func(_ context.Context, tx *buckaroo.Transaction) error {
		got = append(got, tx)
		return nil
	})
	send := func(method string, body []byte, auth string) int {
		r := httptest.NewRequest(method, "/buckaroo/push", bytes.NewReader(body))
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}

	require.Equal(t, http.StatusOK, send(http.MethodPost, body, signPush(t, body)))
	require.Len(t, got, 1)
	assert.Equal(t, "B3E81DCB894A43619AD8CCE5A10F5xxx", *got[0].Key)
	assert.True(t, buckaroo.StatusOf(got[0]).IsSuccess())
	assert.Equal(t, "S990", buckaroo.SubCodeOf(got[0]))

	tampered := bytes.Replace(body, []byte(`"Code": 190`), []byte(`"Code": 191`), 1)
	require.NotEqual(t, body, tampered)
	assert.Equal(t, http.StatusUnauthorized, send(http.MethodPost, tampered, signPush(t, body)))
	assert.Equal(t, http.StatusUnauthorized, send(http.MethodPost, body, ""))
	assert.Equal(t, http.StatusMethodNotAllowed, send(http.MethodGet, nil, ""))
	notPush := []byte(`{"Key":"x"}`)
	assert.Equal(t, http.StatusBadRequest, send(http.MethodPost, notPush, signPush(t, notPush)))
	assert.Len(t, got, 1, "only the authentic push reached the handler")

	failing := pushClient(t, pushTime).PushHandler(pushURL, func(context.Context, *buckaroo.Transaction) error { return errors.New("db down") })
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/buckaroo/push", bytes.NewReader(body))
	r.Header.Set("Authorization", signPush(t, body))
	failing.ServeHTTP(w, r)
	assert.Equal(t, http.StatusInternalServerError, w.Code, "Buckaroo retries when the shop fails")
}

// A captured push sent again is refused, but a push the shop failed to
// process may come again (Buckaroo's retry).
func TestPushHandlerRefusesReplays(t *testing.T) {
	body := mustFixture(t, "payininstallments-push").Request.BodyBytes()
	fail := true
	calls := 0
	h := pushClient(t, pushTime).PushHandler(pushURL, func(context.Context, *buckaroo.Transaction) error {
		calls++
		if fail {
			return errors.New("db down")
		}
		return nil
	})
	auth := signPush(t, body)
	send := func() int {
		r := httptest.NewRequest(http.MethodPost, "/buckaroo/push", bytes.NewReader(body))
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	assert.Equal(t, http.StatusInternalServerError, send())
	fail = false
	assert.Equal(t, http.StatusOK, send(), "the retry of an unprocessed push is accepted")
	assert.Equal(t, http.StatusUnauthorized, send(), "the same push once more is a replay")
	assert.Equal(t, 2, calls)
}

func TestParsePushRejectsStaleAndEveryByteChange(t *testing.T) {
	body := mustFixture(t, "refund-push").Request.BodyBytes()
	header := signPush(t, body)

	tx, err := pushClient(t, pushTime).ParsePush(pushURL, body, header)
	require.NoError(t, err)
	assert.Equal(t, "0.3", tx.AmountCredit.String())

	_, err = pushClient(t, pushTime.Add(time.Hour)).ParsePush(pushURL, body, header)
	assert.ErrorIs(t, err, signing.ErrStale)

	c := pushClient(t, pushTime)
	for i := range body {
		changed := bytes.Clone(body)
		changed[i] ^= 0x01
		_, err := c.ParsePush(pushURL, changed, header)
		require.ErrorIs(t, err, signing.ErrSignatureMismatch, "body byte %d", i)
	}
	for i := range len(header) {
		changed := []byte(header)
		changed[i] ^= 0x01
		_, err := c.ParsePush(pushURL, body, string(changed))
		require.Error(t, err, "header byte %d", i)
	}
	_, err = c.ParsePush(strings.TrimSuffix(pushURL, "push")+"push/", body, header)
	assert.ErrorIs(t, err, signing.ErrSignatureMismatch, "a trailing slash is another URL")
}

// A 400 that names fields in RequestErrors keeps them on the typed error.
func TestBadRequestKeepsRequestErrors(t *testing.T) {
	body := []byte(`{"Message":"The request is invalid.","RequestErrors":{"ParameterErrors":[{"Name":"AmountDebit","Error":"ParameterInvalid","ErrorMessage":"AmountDebit: value must be a number"}]}}`)
	fake := newFake(t, jsonAnswer(http.StatusBadRequest, body))
	_, err := fake.client(t).TransactionStatus(context.Background(), "KEY")
	var berr *buckaroo.Error
	require.ErrorAs(t, err, &berr)
	require.Len(t, berr.Details, 1)
	assert.Equal(t, "AmountDebit", berr.Details[0].Name)
	assert.Equal(t, "buckaroo: HTTP 400: The request is invalid.; ParameterErrors AmountDebit: AmountDebit: value must be a number", err.Error())
}

// The status description is not repeated when no sub-code refines it.
func TestRefusalMessageIsNotRepeated(t *testing.T) {
	body := []byte(`{"Key":"K","Status":{"Code":{"Code":491,"Description":"Validation failure"}}}`)
	fake := newFake(t, jsonAnswer(200, body))
	_, err := fake.client(t).TransactionStatus(context.Background(), "K")
	require.Error(t, err)
	assert.Equal(t, "buckaroo: transaction refused: 491 validation failure", err.Error())
}

// A bare 503 to a POST may come after Buckaroo made the transaction, so it
// is not resent: a second refund could be paid out.
func TestBare503ToAPostIsNotRetried(t *testing.T) {
	busy := func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "busy", http.StatusServiceUnavailable) }
	fake := newFake(t, busy, busy)
	_, err := fake.client(t).Refund(context.Background(), "1EC52112B19E4AF198E7C51D36C1xxxx", money.MustDecimal("0.3"), buckaroo.RefundDetails{Invoice: "testinvoice 123"})
	var berr *buckaroo.Error
	require.ErrorAs(t, err, &berr)
	assert.Equal(t, http.StatusServiceUnavailable, berr.StatusCode)
	assert.Len(t, fake.all(), 1)
}
