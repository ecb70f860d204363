package opp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/opp"
	sandbox "github.com/betaalkit/betaalkit/sandbox/opp"
)

// notes is a notify_url that keeps every notification posted to it.
type notes struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []opp.Notification
}

func noteReceiver(t *testing.T) *notes {
	n := &notes{}
	n.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		note, err := opp.ReadNotification(r)
		require.NoError(t, err)
		n.mu.Lock()
		n.seen = append(n.seen, *note)
		n.mu.Unlock()
	}))
	t.Cleanup(n.srv.Close)
	return n
}

// take returns "type object_uid (parent_uid)" of every notification so far.
func (n *notes) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, x := range n.seen {
		line := x.Type + " " + x.ObjectUID
		if x.ParentUID != "" {
			line += " (" + x.ParentUID + ")"
		}
		out = append(out, line)
	}
	n.seen = nil
	return out
}

func consumer(notify string) opp.MerchantCreate {
	return opp.MerchantCreate{
		Type: opp.MerchantTypeConsumer, Country: "nld", Emailaddress: "kymani@marley.example", Phone: "321321321",
		NameFirst: "Kymani", NameLast: "Marley", NotifyURL: notify, Metadata: map[string]string{"seller_id": "4711"},
	}
}

// noRedirects is a browser that stops at the first redirect.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestMerchantGoesLiveOnceItsBankAccountIsApproved(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	n := noteReceiver(t)

	m, err := e.c.CreateMerchant(ctx, consumer(n.srv.URL))
	require.NoError(t, err)
	assert.Regexp(t, `^mer_[0-9a-f]{12}$`, m.UID)
	assert.Equal(t, opp.MerchantStatusPending, m.Status)
	assert.Equal(t, "consumer", m.Type)
	assert.Equal(t, "Kymani Marley", m.Name)
	assert.Equal(t, "unverified", m.Compliance.Status)
	require.Len(t, m.Compliance.Requirements, 1)
	assert.Equal(t, "bank_account.required", m.Compliance.Requirements[0].Type)
	v, _ := m.Metadata.Get("seller_id")
	assert.Equal(t, "4711", v)
	assert.Empty(t, n.take(), "creating a merchant notifies nothing")

	b, err := e.c.CreateBankAccount(ctx, m.UID, opp.BankAccountCreate{ReturnURL: returnURL, NotifyURL: n.srv.URL})
	require.NoError(t, err)
	assert.Regexp(t, `^bnk_[0-9a-f]{12}$`, b.UID)
	assert.Equal(t, opp.BankAccountStatusNew, b.Status)
	assert.True(t, b.IsDefault, "the first account is the default")
	assert.True(t, b.Verified.IsZero())
	assert.Empty(t, b.Account.AccountIban, "unknown until verified")
	m, err = e.c.GetMerchant(ctx, m.UID)
	require.NoError(t, err)
	require.Len(t, m.Compliance.Requirements, 1)
	req := m.Compliance.Requirements[0]
	assert.Equal(t, "bank_account.verification.required", req.Type)
	assert.Equal(t, b.UID, req.ObjectUID)
	assert.Equal(t, b.VerificationURL, req.ObjectRedirectURL)

	// The merchant opens verification_url and verifies; OPP approves.
	page, err := http.Get(b.VerificationURL)
	require.NoError(t, err)
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	assert.Contains(t, string(html), b.UID)
	resp, err := noRedirects.PostForm(b.VerificationURL, url.Values{"outcome": {"approved"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, returnURL, resp.Header.Get("Location"))

	b, err = e.c.GetBankAccount(ctx, m.UID, b.UID)
	require.NoError(t, err)
	assert.Equal(t, opp.BankAccountStatusApproved, b.Status)
	assert.WithinDuration(t, time.Now(), b.Verified.Time, time.Minute)
	assert.Contains(t, b.Account.AccountIban, "***", "the IBAN is masked")
	assert.NotEmpty(t, b.Bank.Bic)
	m, err = e.c.GetMerchant(ctx, m.UID)
	require.NoError(t, err)
	assert.Equal(t, opp.MerchantStatusLive, m.Status)
	assert.Equal(t, "verified", m.Compliance.Status)
	assert.Empty(t, m.Compliance.Requirements)
	assert.Equal(t, []string{
		"bank_account.status.changed " + b.UID + " (" + m.UID + ")",
		"bank_account.status.changed " + b.UID + " (" + m.UID + ")",
		"merchant.status.changed " + m.UID,
	}, n.take())

	// Done accounts offer no verification.
	_, err = e.s.VerifyBankAccount(ctx, b.UID, true)
	assert.ErrorIs(t, err, sandbox.ErrNotVerifiable)
}

func TestDisapprovedBankAccountKeepsTheMerchantPending(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	n := noteReceiver(t)
	m, err := e.c.CreateMerchant(ctx, consumer(n.srv.URL))
	require.NoError(t, err)
	b, err := e.c.CreateBankAccount(ctx, m.UID, opp.BankAccountCreate{ReturnURL: returnURL})
	require.NoError(t, err)
	got, err := e.s.VerifyBankAccount(ctx, b.UID, false)
	require.NoError(t, err)
	assert.Equal(t, opp.BankAccountStatusDisapproved, got.Status)
	assert.NotEmpty(t, got.Disapprovals)

	m, err = e.c.GetMerchant(ctx, m.UID)
	require.NoError(t, err)
	assert.Equal(t, opp.MerchantStatusPending, m.Status)
	require.Len(t, m.Compliance.Requirements, 1)
	assert.Equal(t, "disapproved", m.Compliance.Requirements[0].Status)

	// A new default account takes over the requirement.
	b2, err := e.c.CreateBankAccount(ctx, m.UID, opp.BankAccountCreate{ReturnURL: returnURL, IsDefault: true})
	require.NoError(t, err)
	_, err = e.s.VerifyBankAccount(ctx, b2.UID, true)
	require.NoError(t, err)
	m, err = e.c.GetMerchant(ctx, m.UID)
	require.NoError(t, err)
	assert.Equal(t, opp.MerchantStatusLive, m.Status)
	assert.Len(t, n.take(), 5, "the bank accounts' notifications go to the merchant's notify_url, as they name none")

	var defaults []bool
	for acc, err := range e.c.BankAccounts(ctx, m.UID, opp.ListParams{PerPage: 1}) {
		require.NoError(t, err)
		defaults = append(defaults, acc.IsDefault)
	}
	assert.Equal(t, []bool{false, true}, defaults, "oldest first; the later account is the default")
	assert.Equal(t, []string{
		"/v1/merchants/" + m.UID + "/bank_accounts?page=1&perpage=1",
		"/v1/merchants/" + m.UID + "/bank_accounts?page=2&perpage=1",
	}, e.listPages())
}

func TestBusinessMerchantNeedsItsCocNr(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	business := opp.MerchantCreate{Type: opp.MerchantTypeBusiness, Country: "nld", Emailaddress: "bob@marley.example", NotifyURL: "https://shop.example/n"}

	_, err := e.c.CreateMerchant(ctx, business)
	var ferr *betaalkit.FieldError
	require.True(t, errors.As(err, &ferr), "%v", err)
	assert.Equal(t, "coc_nr", ferr.Field, "the client refuses before sending")

	status, code, msg := post(t, e.ts.URL+"/v1/merchants", `{"type":"business","country":"nld","emailaddress":"bob@marley.example","notify_url":"https://shop.example/n"}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "1200", code)
	assert.Contains(t, msg, "coc_nr")

	business.CocNr = "123123123"
	m, err := e.c.CreateMerchant(ctx, business)
	require.NoError(t, err)
	assert.Equal(t, "business", m.Type)
	assert.Equal(t, "123123123", m.CocNr.String())
	assert.EqualValues(t, 400, m.Compliance.Level)
}

func TestMerchantSpecViolationsAreRefused(t *testing.T) {
	e := start(t, sandbox.Config{})
	for _, tc := range []struct{ body, field string }{
		{`{"country":"netherlands","emailaddress":"a@b.example","notify_url":"https://n.example"}`, "country"},
		{`{"country":"nld","notify_url":"https://n.example"}`, "emailaddress"},
		{`{"type":"person","country":"nld","emailaddress":"a@b.example","notify_url":"https://n.example"}`, "type"},
	} {
		status, code, msg := post(t, e.ts.URL+"/v1/merchants", tc.body)
		assert.Equal(t, http.StatusBadRequest, status, tc.body)
		assert.Equal(t, "1200", code)
		assert.Contains(t, msg, tc.field)
	}
	m, err := e.c.CreateMerchant(context.Background(), consumer("https://n.example"))
	require.NoError(t, err)
	status, _, msg := post(t, e.ts.URL+"/v1/merchants/"+m.UID, `{"status":"live"}`)
	assert.Equal(t, http.StatusBadRequest, status, "a partner cannot make a merchant live")
	assert.Contains(t, msg, "status")
	status, _, _ = post(t, e.ts.URL+"/v1/merchants/"+m.UID+"/bank_accounts", `{}`)
	assert.Equal(t, http.StatusBadRequest, status, "return_url is required")
}

func TestSuspendedAndTerminatedMerchantsTakeNoTransactions(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	n := noteReceiver(t)
	m, err := e.c.CreateMerchant(ctx, consumer(n.srv.URL))
	require.NoError(t, err)

	tx := wakeUpLight("")
	tx.MerchantUID = m.UID
	_, err = e.c.CreatePayment(ctx, tx)
	require.NoError(t, err, "a pending merchant can receive transactions")

	m, err = e.c.UpdateMerchant(ctx, m.UID, opp.MerchantUpdate{Status: opp.MerchantUpdateStatusSuspended, ReturnURL: "https://shop.example/back"})
	require.NoError(t, err)
	assert.Equal(t, opp.MerchantStatusSuspended, m.Status)
	assert.Equal(t, "https://shop.example/back", m.ReturnURL)
	assert.Equal(t, []string{"merchant.status.changed " + m.UID}, n.take())
	_, err = e.c.CreatePayment(ctx, tx)
	assertOPPError(t, err, http.StatusPaymentRequired, sandbox.CodeMerchantInactive)

	m, err = e.c.UpdateMerchant(ctx, m.UID, opp.MerchantUpdate{Status: opp.MerchantUpdateStatusTerminated})
	require.NoError(t, err)
	assert.Equal(t, opp.MerchantStatusTerminated, m.Status)
	_, err = e.c.UpdateMerchant(ctx, m.UID, opp.MerchantUpdate{NotifyURL: "https://elsewhere.example"})
	assertOPPError(t, err, http.StatusPaymentRequired, sandbox.CodeMerchantInactive)
	_, err = e.c.CreateBankAccount(ctx, m.UID, opp.BankAccountCreate{ReturnURL: returnURL})
	assertOPPError(t, err, http.StatusPaymentRequired, sandbox.CodeMerchantInactive)
}

func TestMerchantsPageLikeTransactions(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	var created []string
	for range 7 {
		m, err := e.c.CreateMerchant(ctx, consumer("https://shop.example/n"))
		require.NoError(t, err)
		created = append(created, m.UID)
	}
	var walked []string
	for m, err := range e.c.Merchants(ctx, opp.ListParams{PerPage: 3}) {
		require.NoError(t, err)
		walked = append(walked, m.UID)
	}
	assert.Equal(t, created, walked, "every merchant once, oldest first")
	assert.Equal(t, []string{"/v1/merchants?page=1&perpage=3", "/v1/merchants?page=2&perpage=3", "/v1/merchants?page=3&perpage=3"}, e.listPages())

	page, err := e.c.ListMerchants(ctx, opp.ListParams{Page: 3, PerPage: 3})
	require.NoError(t, err)
	assert.Equal(t, 7, page.TotalItemCount)
	assert.False(t, page.HasMore)
	assert.Len(t, page.Data, 1)
}

func TestUnknownMerchantsAndBankAccountsAnswer404(t *testing.T) {
	e := start(t, sandbox.Config{})
	ctx := context.Background()
	_, err := e.c.GetMerchant(ctx, "mer_000000000000")
	assertOPPError(t, err, http.StatusNotFound, sandbox.CodeNotFound)
	_, err = e.c.ListBankAccounts(ctx, "mer_000000000000", opp.ListParams{})
	assertOPPError(t, err, http.StatusNotFound, sandbox.CodeNotFound)
	a, err := e.c.CreateMerchant(ctx, consumer("https://shop.example/n"))
	require.NoError(t, err)
	other, err := e.c.CreateMerchant(ctx, consumer("https://shop.example/n"))
	require.NoError(t, err)
	b, err := e.c.CreateBankAccount(ctx, a.UID, opp.BankAccountCreate{ReturnURL: returnURL})
	require.NoError(t, err)
	_, err = e.c.GetBankAccount(ctx, other.UID, b.UID)
	assertOPPError(t, err, http.StatusNotFound, sandbox.CodeNotFound)
	_, err = e.s.VerifyBankAccount(ctx, "bnk_000000000000", true)
	assert.ErrorIs(t, err, sandbox.ErrNotFound)
}

func TestAPIStatusIsOnline(t *testing.T) {
	e := start(t, sandbox.Config{})
	st, err := e.c.APIStatus(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "online", st.Status)
	assert.WithinDuration(t, time.Now(), st.Date.Time, time.Minute)

	raw, err := http.Get(e.ts.URL + "/status") // OPP's path, outside /v1, without credentials
	require.NoError(t, err)
	raw.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, raw.StatusCode, "the sandbox asks for the key here too")
}

func TestMerchantAnswersHaveOPPsShape(t *testing.T) {
	e := start(t, sandbox.Config{})
	m, err := e.c.CreateMerchant(context.Background(), consumer("https://shop.example/n"))
	require.NoError(t, err)
	_, err = e.c.CreateBankAccount(context.Background(), m.UID, opp.BankAccountCreate{ReturnURL: returnURL})
	require.NoError(t, err)
	for path, keys := range map[string][]string{
		"/v1/merchants/" + m.UID:                    {"addresses", "compliance", "contacts", "metadata", "payment_methods", "profiles", "trading_names"},
		"/v1/merchants/" + m.UID + "/bank_accounts": {"data"},
	} {
		status, body := rawGet(t, e.ts.URL+path)
		require.Equal(t, http.StatusOK, status)
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &v))
		for _, k := range keys {
			assert.Contains(t, v, k, path)
		}
		if path != "/v1/merchants/"+m.UID {
			acc := v["data"].([]any)[0].(map[string]any)
			assert.Nil(t, acc["verified"], "verified is null until approved")
			assert.Equal(t, map[string]any{"account_iban": nil}, acc["account"])
			assert.Equal(t, []any{}, acc["disapprovals"])
			assert.True(t, strings.HasPrefix(acc["uid"].(string), "bnk_"))
		}
	}
}
