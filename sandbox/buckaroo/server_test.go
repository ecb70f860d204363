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
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/money"
	sandbox "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	"github.com/betaalkit/betaalkit/sandbox/sim"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/transport"
)

func start(t *testing.T, cfg sandbox.Config) (*httptest.Server, *sandbox.Server, *buckaroo.Client) {
	t.Helper()
	ts, s, c, err := sandbox.NewTestServer(cfg)
	require.NoError(t, err)
	t.Cleanup(ts.Close)
	return ts, s, c
}

// shop is the merchant's push URL, verifying every push with our client.
type shop struct {
	*httptest.Server
	pushURL string
	pushes  chan *buckaroo.Transaction
	raw     chan []byte
}

func newShop(t *testing.T, c *buckaroo.Client) *shop {
	t.Helper()
	sh := &shop{pushes: make(chan *buckaroo.Transaction, 256), raw: make(chan []byte, 256)}
	var handler http.Handler
	sh.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sh.raw <- body
		r.Body = io.NopCloser(bytes.NewReader(body))
		handler.ServeHTTP(w, r)
	}))
	sh.pushURL = sh.URL + "/buckaroo/push"
	handler = c.WebhookHandler(func(_ context.Context, tx *buckaroo.Transaction) error {
		sh.pushes <- tx
		return nil
	}, betaalkit.WebhookURL(sh.pushURL))
	t.Cleanup(sh.Close)
	return sh
}

func (sh *shop) next(t *testing.T) *buckaroo.Transaction {
	t.Helper()
	select {
	case tx := <-sh.pushes:
		return tx
	case <-time.After(5 * time.Second):
		t.Fatal("no verified push arrived")
		return nil
	}
}

func day(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// in3 is the document's example payment, with the shop's URLs.
func in3(pushURL string) buckaroo.In3Payment {
	return buckaroo.In3Payment{
		AmountDebit: 800,
		Invoice:     "testinvoice 12345678",
		Description: "Thank you for your order",
		ClientIP:    "192.0.2.10",
		InvoiceDate: day("2018-02-23"),
		Customer: buckaroo.In3Customer{
			LastName: "Smith", Initials: "J.S.", Gender: buckaroo.GenderMale, BirthDate: day("1990-01-01"),
			Address: buckaroo.In3Address{Street: "Hoofdstraat", HouseNumber: 90, HouseNumberSuffix: "a", ZipCode: "8441ER", City: "Heerenveen", Country: "NL"},
			Phone:   "0612345678", Email: "j.smith@example.com",
		},
		Products:  []buckaroo.In3ProductLine{{Code: "abc123", Name: "Blue Toy Car", Quantity: 1, Price: 1000}},
		Subtotals: []buckaroo.In3SubtotalLine{{Name: "Korting", Value: -200}},
		ReturnURL: "https://shop.example/return", ReturnURLCancel: "https://shop.example/cancelled", ReturnURLError: "https://shop.example/error",
		PushURL: pushURL,
	}
}

func TestLifecycleThroughThePaymentPage(t *testing.T) {
	ts, _, c := start(t, sandbox.Config{})
	sh := newShop(t, c)
	ctx := context.Background()

	for _, tc := range []struct {
		choice sim.Choice
		want   buckaroo.StatusCode
		status betaalkit.Status
		back   string
	}{
		{sim.Pay, buckaroo.StatusSuccess, betaalkit.StatusPaid, "https://shop.example/return"},
		{sim.Cancel, buckaroo.StatusCancelledByUser, betaalkit.StatusCanceled, "https://shop.example/cancelled"},
		{sim.Fail, buckaroo.StatusFailed, betaalkit.StatusFailed, "https://shop.example/error"},
		// Buckaroo has no expired code: an abandoned payment ends as 890
		// cancelled by user, and the customer goes to ReturnURLCancel.
		{sim.Expire, buckaroo.StatusCancelledByUser, betaalkit.StatusCanceled, "https://shop.example/cancelled"},
	} {
		t.Run(string(tc.choice), func(t *testing.T) {
			tx, err := c.PayInInstallments(ctx, in3(sh.pushURL))
			require.NoError(t, err)
			assert.Equal(t, buckaroo.StatusPendingProcessing, buckaroo.StatusCodeOf(tx))
			assert.Equal(t, "S002", buckaroo.SubCodeOf(tx))
			assert.Regexp(t, `^[0-9A-F]{32}$`, tx.Key)
			assert.True(t, strings.HasPrefix(buckaroo.PaymentURL(tx), ts.URL+"/html/redirect.ashx?r="), buckaroo.PaymentURL(tx))
			assert.Equal(t, "8.00", tx.AmountDebit.String())
			ck, ok := buckaroo.ServiceParameter(tx, "Capayable", "CapayableTransactionKey")
			assert.True(t, ok)
			assert.Len(t, ck, 32)

			back, err := sim.PayAsCustomer(ctx, buckaroo.PaymentURL(tx), tc.choice)
			require.NoError(t, err)
			assert.Equal(t, tc.back+"?brq_statuscode="+tc.want.String()[:3]+"&brq_transactions="+tx.Key, back)

			push := sh.next(t)
			assert.Equal(t, tx.Key, push.Key, "the push names the transaction")
			assert.Equal(t, tc.want, buckaroo.StatusCodeOf(push))
			assert.Empty(t, buckaroo.PaymentURL(push))

			got, err := c.GetPayment(ctx, tx.Key)
			require.NoError(t, err)
			assert.Equal(t, tc.want, buckaroo.StatusCodeOf(got))
			assert.Equal(t, betaalkit.PaymentStatus{Status: tc.status, Raw: tc.want.String()[:3]}, buckaroo.StatusOf(got))
			assert.Equal(t, "8.00", got.AmountDebit.String())

			_, err = sim.PayAsCustomer(ctx, buckaroo.PaymentURL(tx), sim.Pay)
			assert.Error(t, err, "a final transaction cannot be paid again")
		})
	}
}

func TestPayActionWithAnotherService(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	sh := newShop(t, c)
	ctx := context.Background()
	tx, err := c.CreatePayment(ctx, buckaroo.TransactionRequest{
		Currency: "EUR", AmountDebit: money.MustDecimal("12.50"), Invoice: "INV-1", ReturnURL: "https://shop.example/return", PushURL: sh.pushURL,
		Services: buckaroo.RequestServices{ServiceList: []buckaroo.RequestService{{Name: "ideal", Action: "Pay"}}},
	})
	require.NoError(t, err)
	assert.Equal(t, buckaroo.StatusAwaitingConsumer, buckaroo.StatusCodeOf(tx))
	assert.NotEmpty(t, buckaroo.PaymentURL(tx))

	done, err := s.Complete(ctx, tx.Key, sim.Pay)
	require.NoError(t, err)
	assert.Equal(t, buckaroo.StatusSuccess, buckaroo.StatusCodeOf(done))
	assert.Equal(t, buckaroo.StatusSuccess, buckaroo.StatusCodeOf(sh.next(t)))

	refund, err := c.CreateRefund(ctx, tx.Key, buckaroo.RefundRequest{Amount: 1250, Service: "ideal"})
	require.NoError(t, err)
	assert.Equal(t, buckaroo.StatusSuccess, buckaroo.StatusCodeOf(refund))

	_, err = s.Complete(ctx, tx.Key, sim.Cancel)
	assert.Error(t, err, "final")
	_, err = s.Complete(ctx, "NOSUCHKEY", sim.Pay)
	assert.Error(t, err)
}

// refusedWith401 checks Buckaroo's 401 body as our client reports it.
func refusedWith401(t *testing.T, err error, why string) {
	t.Helper()
	var berr *buckaroo.Error
	require.True(t, errors.As(err, &berr), "%v", err)
	assert.Equal(t, http.StatusUnauthorized, berr.StatusCode)
	assert.Nil(t, berr.Transaction)
	assert.Contains(t, berr.Message, "Authorization has been denied for this request.")
	assert.Contains(t, berr.Message, why)
	var body struct{ Message string }
	require.NoError(t, json.Unmarshal(berr.RawBody, &body), string(berr.RawBody))
	assert.Equal(t, berr.Message, body.Message)
}

func TestAuthenticationIsRefusedInBuckarooFormat(t *testing.T) {
	ts, _, good := start(t, sandbox.Config{})
	ctx := context.Background()
	noRetry := buckaroo.WithRetry(transport.NoRetries)

	wrongKey, err := buckaroo.New("OTHERWEBSITE", sandbox.DefaultSecretKey, buckaroo.WithBaseURL(ts.URL), noRetry)
	require.NoError(t, err)
	_, err = wrongKey.PayInInstallments(ctx, in3(""))
	refusedWith401(t, err, "Unknown website key")

	wrongSecret, err := buckaroo.New(sandbox.DefaultWebsiteKey, "not-the-secret", buckaroo.WithBaseURL(ts.URL), noRetry)
	require.NoError(t, err)
	_, err = wrongSecret.GetPayment(ctx, "ABC")
	refusedWith401(t, err, "signature does not match")
	assert.NotContains(t, err.Error(), "not-the-secret")

	for _, skew := range []time.Duration{-6 * time.Minute, 6 * time.Minute} {
		clock := signing.BuckarooClock(func() time.Time { return time.Now().Add(skew) })
		stale, err := buckaroo.New(sandbox.DefaultWebsiteKey, sandbox.DefaultSecretKey, buckaroo.WithBaseURL(ts.URL), noRetry, buckaroo.WithSigningOptions(clock))
		require.NoError(t, err)
		_, err = stale.PayInInstallments(ctx, in3(""))
		refusedWith401(t, err, "timestamp")
	}

	// Within the tolerance a skewed clock is fine.
	clock := signing.BuckarooClock(func() time.Time { return time.Now().Add(-4 * time.Minute) })
	skewed, err := buckaroo.New(sandbox.DefaultWebsiteKey, sandbox.DefaultSecretKey, buckaroo.WithBaseURL(ts.URL), buckaroo.WithSigningOptions(clock))
	require.NoError(t, err)
	_, err = skewed.PayInInstallments(ctx, in3(""))
	require.NoError(t, err)
	_, err = good.PayInInstallments(ctx, in3(""))
	require.NoError(t, err)
}

// signed builds a raw request signed with the sandbox's default credentials.
func signed(t *testing.T, method, rawURL, nonce string, ts int64, body []byte) *http.Request {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, rawURL, r)
	require.NoError(t, err)
	auth, err := signing.BuckarooAuthorization(sandbox.DefaultWebsiteKey, sandbox.DefaultSecretKey, method, rawURL, nonce, ts, body)
	require.NoError(t, err)
	req.Header.Set("Authorization", auth)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func TestMalformedMissingTamperedAndReplayedHeaders(t *testing.T) {
	ts, _, _ := start(t, sandbox.Config{})
	body := []byte(`{"Currency":"EUR"}`)
	message := func(b []byte) string {
		var m struct{ Message string }
		require.NoError(t, json.Unmarshal(b, &m), string(b))
		return m.Message
	}

	req := signed(t, http.MethodPost, ts.URL+"/json/Transaction", sim.NewID(8), time.Now().Unix(), body)
	req.Header.Del("Authorization")
	status, b := do(t, req)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, message(b), "No hmac Authorization header")

	req = signed(t, http.MethodPost, ts.URL+"/json/Transaction", sim.NewID(8), time.Now().Unix(), body)
	req.Header.Set("Authorization", "Bearer abc")
	status, b = do(t, req)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, message(b), "hmac websiteKey:signature:nonce:timestamp")

	// The header signs {"Currency":"EUR"}; the body sent differs.
	req = signed(t, http.MethodPost, ts.URL+"/json/Transaction", sim.NewID(8), time.Now().Unix(), body)
	req.Body = io.NopCloser(strings.NewReader(`{"Currency":"USD"}`))
	status, b = do(t, req)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, message(b), "signature does not match")

	// The same nonce twice: the second is a replay.
	nonce, now := sim.NewID(8), time.Now().Unix()
	status, b = do(t, signed(t, http.MethodGet, ts.URL+"/json/Transaction/Status/NOSUCHKEY", nonce, now, nil))
	assert.Equal(t, http.StatusNotFound, status, string(b))
	status, b = do(t, signed(t, http.MethodGet, ts.URL+"/json/Transaction/Status/NOSUCHKEY", nonce, now, nil))
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, message(b), "nonce was used before")
}

func TestSpecViolationIsRefusedNamingTheField(t *testing.T) {
	ts, _, c := start(t, sandbox.Config{})

	// Through our client: a ClientIP.Type that does not match the address
	// is refused before it is sent.
	_, err := c.CreatePayment(context.Background(), buckaroo.TransactionRequest{
		Currency: "EUR", AmountDebit: money.MustDecimal("1.00"), ClientIP: buckaroo.ClientIP{Type: 7, Address: "192.0.2.1"},
		Services: buckaroo.RequestServices{ServiceList: []buckaroo.RequestService{{Name: "ideal", Action: "Pay"}}},
	})
	var ferr *betaalkit.FieldError
	require.True(t, errors.As(err, &ferr), "%v", err)
	assert.Equal(t, "ClientIP.Type", ferr.Field)

	// Raw: the sandbox refuses it too, naming the field.
	var berr struct{ Message string }
	status, b := do(t, signed(t, http.MethodPost, ts.URL+"/json/Transaction", sim.NewID(8), time.Now().Unix(),
		[]byte(`{"Currency":"EUR","AmountDebit":1.00,"ClientIP":{"Type":7,"Address":"192.0.2.1"},"Services":{"ServiceList":[{"Name":"ideal","Action":"Pay"}]}}`)))
	assert.Equal(t, http.StatusBadRequest, status)
	require.NoError(t, json.Unmarshal(b, &berr), string(b))
	assert.Contains(t, berr.Message, "ClientIP.Type")

	// Raw: an amount as a string, and a service without its Action.
	body := []byte(`{"Currency":"EUR","AmountDebit":"8.00","Services":{"ServiceList":[{"Name":"Capayable"}]}}`)
	status, b = do(t, signed(t, http.MethodPost, ts.URL+"/json/Transaction", sim.NewID(8), time.Now().Unix(), body))
	assert.Equal(t, http.StatusBadRequest, status)
	var env struct {
		Message       string
		RequestErrors struct {
			ParameterErrors []struct{ Name, Error, ErrorMessage string }
		}
	}
	require.NoError(t, json.Unmarshal(b, &env), string(b))
	assert.Contains(t, env.Message, "AmountDebit")
	assert.Contains(t, env.Message, "Services.ServiceList.0.Action")
	var names []string
	for _, e := range env.RequestErrors.ParameterErrors {
		names = append(names, e.Name)
		assert.Equal(t, "ParameterInvalid", e.Error)
		assert.NotEmpty(t, e.ErrorMessage)
	}
	assert.ElementsMatch(t, []string{"AmountDebit", "Services.ServiceList.0.Action"}, names)
}

func TestRequestsBuckarooRefusesAre491WithRequestErrors(t *testing.T) {
	_, _, c := start(t, sandbox.Config{})
	ctx := context.Background()

	// The builder's request with BirthDate removed and Culture changed.
	req, err := in3("").Request()
	require.NoError(t, err)
	var params []buckaroo.RequestParameter
	for _, p := range req.Services.ServiceList[0].Parameters {
		switch p.Name {
		case "BirthDate":
			continue
		case "Culture":
			p.Value = "en-GB"
		}
		params = append(params, p)
	}
	req.Services.ServiceList[0].Parameters = params
	_, err = c.CreatePayment(ctx, req)
	var berr *buckaroo.Error
	require.True(t, errors.As(err, &berr), "%v", err)
	assert.Equal(t, http.StatusOK, berr.StatusCode)
	assert.Equal(t, buckaroo.StatusValidationFailure, berr.Code)
	require.NotNil(t, berr.Transaction)
	assert.Empty(t, berr.Transaction.Key, "nothing was created")
	assert.ElementsMatch(t, []buckaroo.RequestErrorDetail{
		{Kind: "ParameterErrors", Service: "Capayable", Action: "PayInInstallments", Name: "Culture", Error: "ParameterInvalid", ErrorMessage: "Parameter 'Culture' has an invalid value."},
		{Kind: "ParameterErrors", Service: "Capayable", Action: "PayInInstallments", Name: "BirthDate", Error: "ParameterMissing", ErrorMessage: "Parameter 'BirthDate' is missing."},
	}, berr.Details)

	amount := money.MustDecimal("1.00")
	_, err = c.CreatePayment(ctx, buckaroo.TransactionRequest{Currency: "EUR", AmountDebit: amount,
		Services: buckaroo.RequestServices{ServiceList: []buckaroo.RequestService{{Name: "ideal", Action: "Authorize"}}}})
	require.True(t, errors.As(err, &berr), "%v", err)
	require.Len(t, berr.Details, 1)
	assert.Equal(t, "ActionErrors", berr.Details[0].Kind)

	_, err = c.CreatePayment(ctx, buckaroo.TransactionRequest{Currency: "EUR", AmountDebit: amount})
	require.True(t, errors.As(err, &berr), "%v", err)
	require.Len(t, berr.Details, 1)
	assert.Equal(t, "ServiceErrors", berr.Details[0].Kind)

	_, err = c.GetPayment(ctx, "NOSUCHKEY")
	require.True(t, errors.As(err, &berr), "%v", err)
	assert.Equal(t, http.StatusNotFound, berr.StatusCode)
	assert.Contains(t, berr.Message, "NOSUCHKEY")
}

func TestPushesAreSignedLikeBuckarooAndValid(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	sh := newShop(t, c)
	ctx := context.Background()
	tx, err := c.PayInInstallments(ctx, in3(sh.pushURL))
	require.NoError(t, err)
	_, err = s.Complete(ctx, tx.Key, sim.Pay)
	require.NoError(t, err)
	sh.next(t)
	raw := <-sh.raw

	validator, err := specs.NewValidator("buckaroo")
	require.NoError(t, err)
	require.NoError(t, validator.ValidateSchema("Push", raw), string(raw))

	// A push the shop refuses (here: signed for another push URL) fails
	// loudly; the payment itself stays settled.
	other := httptest.NewServer(c.WebhookHandler(func(context.Context, *buckaroo.Transaction) error { return nil },
		betaalkit.WebhookURL("https://shop.example/elsewhere")))
	defer other.Close()
	p := in3(other.URL)
	tx, err = c.PayInInstallments(ctx, p)
	require.NoError(t, err)
	_, err = sim.PayAsCustomer(ctx, buckaroo.PaymentURL(tx), sim.Pay)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "401")
	got, ok := s.Transaction(tx.Key)
	require.True(t, ok)
	assert.Equal(t, buckaroo.StatusSuccess, buckaroo.StatusCodeOf(got))
}

// TestPushVerifiesWithSigningVerifier checks a push header directly with
// signing.BuckarooVerifier, independent of the client's handler.
func TestPushVerifiesWithSigningVerifier(t *testing.T) {
	var (
		mu   sync.Mutex
		auth string
		body []byte
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		auth, body = r.Header.Get("Authorization"), nil
		body, _ = io.ReadAll(r.Body)
	}))
	defer hook.Close()
	pushURL := hook.URL + "/push?shop=1&name=a%20b"
	_, s, c := start(t, sandbox.Config{})
	tx, err := c.PayInInstallments(context.Background(), in3(pushURL))
	require.NoError(t, err)
	_, err = s.Complete(context.Background(), tx.Key, sim.Fail)
	require.NoError(t, err)

	v, err := signing.NewBuckarooVerifier(sandbox.DefaultWebsiteKey, sandbox.DefaultSecretKey)
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.NoError(t, v.VerifyPush(pushURL, body, auth))
	assert.ErrorIs(t, v.VerifyPush(hook.URL+"/push", body, auth), signing.ErrSignatureMismatch)
	parsed, err := c.ParsePush(pushURL, body, auth)
	require.NoError(t, err)
	assert.Equal(t, buckaroo.StatusFailed, buckaroo.StatusCodeOf(parsed))
	assert.Equal(t, betaalkit.StatusFailed, buckaroo.StatusOf(parsed).Status)
}

func TestPushURLFailureAndWebsitePushURL(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	ok, failed := newShop(t, c), newShop(t, c)
	ctx := context.Background()

	p := in3(ok.pushURL)
	p.PushURLFailure = failed.pushURL
	tx, err := c.PayInInstallments(ctx, p)
	require.NoError(t, err)
	_, err = s.Complete(ctx, tx.Key, sim.Cancel)
	require.NoError(t, err)
	assert.Equal(t, buckaroo.StatusCancelledByUser, buckaroo.StatusCodeOf(failed.next(t)), "an unsuccessful outcome goes to PushURLFailure")

	// No PushURL in the request: the website's push URL (same keys, so
	// the first client verifies its pushes).
	site := newShop(t, c)
	_, s3, c3 := start(t, sandbox.Config{PushURL: site.pushURL})
	tx, err = c3.PayInInstallments(ctx, in3(""))
	require.NoError(t, err)
	_, err = s3.Complete(ctx, tx.Key, sim.Pay)
	require.NoError(t, err)
	assert.Equal(t, tx.Key, site.next(t).Key)
}

func TestRefunds(t *testing.T) {
	ts, s, c := start(t, sandbox.Config{})
	sh := newShop(t, c)
	ctx := context.Background()
	tx, err := c.PayInInstallments(ctx, in3(sh.pushURL))
	require.NoError(t, err)
	key := tx.Key

	// Not paid yet: nothing to refund.
	_, err = c.CreateRefund(ctx, key, buckaroo.RefundRequest{Amount: 100})
	var berr *buckaroo.Error
	require.True(t, errors.As(err, &berr), "%v", err)
	assert.Equal(t, buckaroo.StatusValidationFailure, berr.Code)
	assert.Equal(t, "OriginalTransactionKey", berr.Details[0].Name)

	_, err = s.Complete(ctx, key, sim.Pay)
	require.NoError(t, err)
	sh.next(t)

	partial, err := c.CreateRefund(ctx, key, buckaroo.RefundRequest{Amount: 30, Invoice: "testinvoice 123"})
	require.NoError(t, err)
	assert.Equal(t, buckaroo.StatusSuccess, buckaroo.StatusCodeOf(partial))
	assert.Equal(t, "0.30", partial.AmountCredit.String())
	assert.Equal(t, "V405", partial.TransactionType)
	credited, _ := buckaroo.ServiceParameter(partial, "Capayable", "Amount credited")
	assert.Equal(t, "30", credited, "in cents, as in the document")
	require.Len(t, partial.RelatedTransactions, 1)
	assert.Equal(t, key, partial.RelatedTransactions[0].RelatedTransactionKey)
	push := sh.next(t)
	assert.Equal(t, partial.Key, push.Key, "the refund is pushed too")

	// 7.70 remains: 7.71 is refused, 7.70 empties it, then nothing remains.
	_, err = c.CreateRefund(ctx, key, buckaroo.RefundRequest{Amount: 771})
	require.True(t, errors.As(err, &berr), "%v", err)
	assert.Equal(t, buckaroo.StatusValidationFailure, berr.Code)
	require.Len(t, berr.Details, 1)
	assert.Equal(t, "AmountCredit", berr.Details[0].Name)
	assert.Contains(t, berr.Details[0].ErrorMessage, "7.70")

	rest, err := c.CreateRefund(ctx, key, buckaroo.RefundRequest{Amount: 770})
	require.NoError(t, err)
	assert.Equal(t, buckaroo.StatusSuccess, buckaroo.StatusCodeOf(rest))
	sh.next(t)
	_, err = c.CreateRefund(ctx, key, buckaroo.RefundRequest{Amount: 1})
	require.True(t, errors.As(err, &berr), "%v", err)
	assert.Contains(t, berr.Details[0].ErrorMessage, "0.00")

	orig, err := c.GetPayment(ctx, key)
	require.NoError(t, err)
	assert.Len(t, orig.RelatedTransactions, 2, "the payment lists its refunds")
	got, err := c.GetPayment(ctx, rest.Key)
	require.NoError(t, err)
	assert.Equal(t, "7.70", got.AmountCredit.String())

	// Wrong service, unknown key, a refund of a refund, fractions of a cent.
	_, err = c.CreateRefund(ctx, key, buckaroo.RefundRequest{Amount: 100, Service: "ideal"})
	require.True(t, errors.As(err, &berr))
	assert.Equal(t, "ServiceErrors", berr.Details[0].Kind)
	for _, k := range []string{"NOSUCHKEY", rest.Key} {
		_, err = c.CreateRefund(ctx, k, buckaroo.RefundRequest{Amount: 100})
		require.True(t, errors.As(err, &berr))
		assert.Equal(t, "OriginalTransactionKey", berr.Details[0].Name)
	}
	// The client sends cents only; a raw request with a fraction of a cent is refused.
	fraction := fmt.Appendf(nil, `{"Currency":"EUR","AmountCredit":0.001,"OriginalTransactionKey":%q,"Services":{"ServiceList":[{"Name":"Capayable","Action":"Refund"}]}}`, key)
	status, b := do(t, signed(t, http.MethodPost, ts.URL+"/json/Transaction", sim.NewID(8), time.Now().Unix(), fraction))
	require.Equal(t, http.StatusOK, status, string(b))
	var refused buckaroo.Transaction
	require.NoError(t, json.Unmarshal(b, &refused))
	assert.Equal(t, buckaroo.StatusValidationFailure, buckaroo.StatusCodeOf(&refused))
	require.Len(t, refused.RequestErrors.ParameterErrors, 1)
	assert.Equal(t, "AmountCredit", refused.RequestErrors.ParameterErrors[0].Name)
}

func TestFullRefund(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	ctx := context.Background()
	tx, err := c.PayInInstallments(ctx, in3(""))
	require.NoError(t, err)
	_, err = s.Complete(ctx, tx.Key, sim.Pay)
	require.NoError(t, err)
	full, err := c.CreateRefund(ctx, tx.Key, buckaroo.RefundRequest{Amount: 800})
	require.NoError(t, err)
	assert.Equal(t, buckaroo.StatusSuccess, buckaroo.StatusCodeOf(full))
	_, err = c.CreateRefund(ctx, tx.Key, buckaroo.RefundRequest{Amount: 1})
	var berr *buckaroo.Error
	require.True(t, errors.As(err, &berr))
	assert.Equal(t, buckaroo.StatusValidationFailure, berr.Code)
}

func TestConcurrentOrdersKeepConsistentState(t *testing.T) {
	_, s, c := start(t, sandbox.Config{})
	sh := newShop(t, c)
	ctx := context.Background()
	const n = 100
	keys := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx, err := c.PayInInstallments(ctx, in3(sh.pushURL))
			if err != nil {
				errs <- err
				return
			}
			keys[i] = tx.Key
			choice := sim.Pay
			if i%2 == 1 {
				choice = sim.Cancel
			}
			if _, err := sim.PayAsCustomer(ctx, buckaroo.PaymentURL(tx), choice); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	pushed := map[string]buckaroo.StatusCode{}
	for range n {
		p := sh.next(t)
		pushed[p.Key] = buckaroo.StatusCodeOf(p)
	}
	seen := map[string]bool{}
	for i, key := range keys {
		require.False(t, seen[key], "keys are unique")
		seen[key] = true
		want := buckaroo.StatusSuccess
		if i%2 == 1 {
			want = buckaroo.StatusCancelledByUser
		}
		got, ok := s.Transaction(key)
		require.True(t, ok)
		assert.Equal(t, want, buckaroo.StatusCodeOf(got))
		assert.Equal(t, want, pushed[key], "exactly one push per transaction, with its final status")
	}

	// Concurrent refunds of 0.50 against 8.00: exactly 16 succeed.
	var okCount, refused atomic.Int32
	for range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.CreateRefund(ctx, keys[0], buckaroo.RefundRequest{Amount: 50})
			var berr *buckaroo.Error
			switch {
			case err == nil:
				okCount.Add(1)
			case errors.As(err, &berr) && berr.Code == buckaroo.StatusValidationFailure:
				refused.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(16), okCount.Load())
	assert.Equal(t, int32(8), refused.Load())
}

// recorder keeps every request and response our client exchanges.
type recorder struct {
	mu    sync.Mutex
	pairs []exchange
}

type exchange struct {
	req    *http.Request
	status int
	header http.Header
	body   []byte
}

func (rec *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	rec.mu.Lock()
	rec.pairs = append(rec.pairs, exchange{req: req, status: resp.StatusCode, header: resp.Header, body: body})
	rec.mu.Unlock()
	return resp, nil
}

// TestAnswersMatchTheSpec validates every answer the sandbox gives —
// transactions, refusals, refunds, refund info, specifications, 400, 401
// and 404 bodies — against the spec.
func TestAnswersMatchTheSpec(t *testing.T) {
	ts, s, _ := start(t, sandbox.Config{})
	rec := &recorder{}
	hc := &http.Client{Transport: rec}
	c, err := buckaroo.New(sandbox.DefaultWebsiteKey, sandbox.DefaultSecretKey, buckaroo.WithBaseURL(ts.URL), buckaroo.WithHTTPClient(hc))
	require.NoError(t, err)
	wrong, err := buckaroo.New(sandbox.DefaultWebsiteKey, "wrong", buckaroo.WithBaseURL(ts.URL), buckaroo.WithHTTPClient(hc), buckaroo.WithRetry(transport.NoRetries))
	require.NoError(t, err)
	ctx := context.Background()

	tx, err := c.PayInInstallments(ctx, in3(""))
	require.NoError(t, err)
	_, err = s.Complete(ctx, tx.Key, sim.Pay)
	require.NoError(t, err)
	_, _ = c.GetPayment(ctx, tx.Key)
	_, _ = c.CreateRefund(ctx, tx.Key, buckaroo.RefundRequest{Amount: 100})
	_, _ = c.CreateRefund(ctx, tx.Key, buckaroo.RefundRequest{Amount: 10000})
	_, _ = c.GetPayment(ctx, "NOSUCHKEY")
	_, _ = wrong.GetPayment(ctx, tx.Key)
	_, _ = c.GetRefundInfo(ctx, tx.Key)
	_, _ = c.GetRefundInfo(ctx, "NOSUCHKEY")
	for _, service := range []string{"ideal", "Capayable", "nope"} {
		_, _ = c.GetSpecification(ctx, service, buckaroo.SpecificationParams{})
	}
	// Our client refuses a ClientIP.Type of 9 itself, so send it raw (through the recorder).
	resp, err := hc.Do(signed(t, http.MethodPost, ts.URL+"/json/Transaction", sim.NewID(8), time.Now().Unix(),
		[]byte(`{"Currency":"EUR","AmountDebit":8.00,"ClientIP":{"Type":9,"Address":"x"}}`)))
	require.NoError(t, err)
	resp.Body.Close()

	validator, err := specs.NewValidator("buckaroo")
	require.NoError(t, err)
	statuses := map[int]bool{}
	for _, x := range rec.pairs {
		route, params, err := validator.Route(x.req.Method, x.req.URL.Path)
		require.NoError(t, err)
		assert.NoError(t, validator.ValidateResponse(ctx, x.req, route, params, x.status, x.header, x.body), "%s %s → %d %s", x.req.Method, x.req.URL.Path, x.status, x.body)
		statuses[x.status] = true
	}
	assert.Equal(t, map[int]bool{200: true, 400: true, 401: true, 404: true}, statuses)
}

// TestSandboxClock runs the sandbox at the document's moment: the client
// from NewTestServer shares the clock, and Status.DateTime is Dutch time.
func TestSandboxClock(t *testing.T) {
	at := time.Date(2018, 2, 23, 11, 15, 26, 0, time.UTC)
	ts, _, c := start(t, sandbox.Config{Clock: func() time.Time { return at }})
	tx, err := c.PayInInstallments(context.Background(), in3(""))
	require.NoError(t, err)
	assert.Equal(t, "2018-02-23T12:15:26", tx.Status.DateTime)

	// A client on the real clock is years off the sandbox's.
	now, err := buckaroo.New(sandbox.DefaultWebsiteKey, sandbox.DefaultSecretKey, buckaroo.WithBaseURL(ts.URL), buckaroo.WithRetry(transport.NoRetries))
	require.NoError(t, err)
	_, err = now.GetPayment(context.Background(), tx.Key)
	refusedWith401(t, err, "timestamp")
}
