package sim_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/sandbox/sim"
)

func TestCheckNamesTheField(t *testing.T) {
	v, err := sim.NewValidator("kassacompleet")
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/v1/orders/", strings.NewReader(`{"currency":"EUR","amount":"x","transactions":[{"payment_method":"bitcoin"}]}`))
	req.Header.Set("Content-Type", "application/json")
	_, _, err = v.Check(req)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "amount: ")
	assert.Contains(t, err.Error(), "transactions.0.payment_method: ")

	ok := httptest.NewRequest(http.MethodPost, "/v1/orders/", strings.NewReader(`{"currency":"EUR","amount":99}`))
	ok.Header.Set("Content-Type", "application/json")
	route, _, err := v.Check(ok)
	require.NoError(t, err)
	assert.Equal(t, "createOrder", route.Operation.OperationID)
}

func TestPayAsCustomerSubmitsTheChoice(t *testing.T) {
	var chosen string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			sim.RenderPage(w, sim.PageData{Provider: "Test", Reference: "p1", Amount: "1.00", Currency: "EUR", Action: "/choose?id=p1&x=1"})
			return
		}
		chosen = r.URL.Query().Get("id") + " " + r.FormValue("choice")
		http.Redirect(w, r, "https://shop.example/return", http.StatusSeeOther)
	}))
	defer srv.Close()
	back, err := sim.PayAsCustomer(context.Background(), srv.URL+"/pay", sim.Cancel)
	require.NoError(t, err)
	assert.Equal(t, "https://shop.example/return", back)
	assert.Equal(t, "p1 cancel", chosen, "the escaped form action and the choice arrive intact")

	_, err = sim.ParseChoice("refund")
	assert.Error(t, err)
}

func TestThePageOffersToLetThePaymentExpire(t *testing.T) {
	w := httptest.NewRecorder()
	sim.RenderPage(w, sim.PageData{Provider: "Test", Reference: "p1", Amount: "1.00", Currency: "EUR", Action: "/choose"})
	page := w.Body.String()
	assert.Contains(t, page, `<button type="submit" name="choice" value="expire" formnovalidate>Let it expire</button>`)
	assert.Less(t, strings.Index(page, `value="fail"`), strings.Index(page, `value="expire"`), "the fourth button comes after Fail")

	for _, s := range []string{"pay", "cancel", "fail", "expire"} {
		c, err := sim.ParseChoice(s)
		require.NoError(t, err)
		assert.Equal(t, sim.Choice(s), c)
	}
	assert.Equal(t, sim.Expire, sim.Choice("expire"))
	_, err := sim.ParseChoice("abandon")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pay, cancel, fail or expire")
}

func TestWithQueryKeepsTheShopsParameters(t *testing.T) {
	assert.Equal(t, "https://shop.example/return?order=7&order_id=o1", sim.WithQuery("https://shop.example/return?order=7", map[string][]string{"order_id": {"o1"}}))
}

func TestIDs(t *testing.T) {
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, sim.NewUUID())
	assert.NotEqual(t, sim.NewID(8), sim.NewID(8))
}

// TestThePageAsksForTheBank: a page that offers banks needs one for Pay
// (required radio buttons, the server checks too), not for the other
// choices; the Go customer picks the first bank.
func TestThePageAsksForTheBank(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			sim.RenderPage(w, sim.PageData{Provider: "Test", Merchant: "Shop & Co", Reference: "p1", Amount: "1.00", Currency: "EUR",
				Method: "iDEAL", Banks: sim.IDEALBanks, Action: "/choose"})
			return
		}
		choice, bank, err := sim.PageChoice(r, sim.IDEALBanks)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got = append(got, string(choice)+" "+bank.Name)
		http.Redirect(w, r, "https://shop.example/return", http.StatusSeeOther)
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), `<legend>Choose your bank</legend>`)
	assert.Contains(t, string(page), `<label for="bank-INGBNL2A"><input type="radio" name="bank" id="bank-INGBNL2A" value="INGBNL2A" required> ING</label>`)
	assert.Contains(t, string(page), "Shop &amp; Co")

	_, err = sim.PayAsCustomer(context.Background(), srv.URL, sim.Pay)
	require.NoError(t, err)
	assert.Equal(t, []string{"pay ABN AMRO"}, got, "the first bank")

	for form, want := range map[string]int{"choice=pay": 400, "choice=pay&bank=NOPE": 400, "choice=cancel": 303, "choice=pay&bank=RABONL2U": 303} {
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).
			Post(srv.URL+"/choose", "application/x-www-form-urlencoded", strings.NewReader(form))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, form)
	}
}
