package sim_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// fakeSource is a simulator with one payment that moves as its buttons say.
type fakeSource struct {
	courier *sim.Courier
	status  string
	acted   []string
}

func (f *fakeSource) Provider() sim.Provider { return sim.Provider{ID: "fake", Name: "Fake PSP"} }
func (f *fakeSource) Webhooks() *sim.Courier { return f.courier }
func (f *fakeSource) Payments() []sim.Payment {
	p := sim.Payment{ID: "pay_1", Reference: "order-<1>", Amount: "12.50", Currency: "EUR", Method: "iDEAL",
		Status: f.status, Normalized: "open", Created: time.Now()}
	if f.status == "open" {
		p.Actions = append(sim.ChoiceActions("done", "stopped", "broken", "gone"), sim.Action{Name: sim.ActionRefund, Label: "Refund", Amount: true})
	}
	return []sim.Payment{p}
}

func (f *fakeSource) Act(_ context.Context, id, action string, form url.Values) error {
	f.acted = append(f.acted, id+" "+action+" "+form.Get("amount"))
	if action == "fail" {
		return errors.New("the bank is closed")
	}
	f.rec().Status(id, f.status, "done", "test")
	f.status = "done"
	return nil
}

func (f *fakeSource) rec() *sim.Recorder { return f.courier.Recorder() }

func TestDashboardListsActsAndRefusesOtherSites(t *testing.T) {
	rec := sim.NewRecorder()
	c := sim.NewCourier(http.DefaultClient)
	c.SetRecorder(rec)
	src := &fakeSource{courier: c, status: "open"}
	rec.Add(sim.Event{Kind: sim.EventRequest, Method: "POST", Path: "/v1/payments", Status: 400, Problem: "amount: must be an integer"})
	rec.Add(sim.Event{Kind: sim.EventRequest, Payment: "pay_1", Method: "POST", Path: "/v1/payments", Status: 201,
		Body: `{"iban":"NL91ABNA0417164300","api_key":"hunter2","note":"pay NL91 ABNA 0417 1643 00"}`})
	srv := httptest.NewServer(sim.NewDashboard("/sandbox/", src))
	defer srv.Close()

	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, page := get("/sandbox/")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, `href="/sandbox/payments/fake/pay_1"`)
	assert.Contains(t, page, "order-&lt;1&gt;", "escaped")
	assert.Contains(t, page, "amount: must be an integer", "a refused request with its reason")

	code, page = get("/sandbox/payments/fake/pay_1")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, `data-action="pay"`)
	assert.Contains(t, page, `<label for="amount-refund">`)
	assert.NotContains(t, page, "NL91ABNA0417164300")
	assert.NotContains(t, page, "0417 1643")
	assert.NotContains(t, page, "hunter2")

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(form url.Values, origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/sandbox/payments/fake/pay_1", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	resp := post(url.Values{"action": {"pay"}}, "https://evil.example")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "another site's page cannot press a button")
	assert.Empty(t, src.acted)

	resp = post(url.Values{"action": {"teleport"}}, srv.URL)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "only the actions the payment offers")

	resp = post(url.Values{"action": {"fail"}}, srv.URL)
	assert.Equal(t, http.StatusConflict, resp.StatusCode, "the action's error is shown")

	resp = post(url.Values{"action": {"refund"}, "amount": {"5,00"}}, srv.URL)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/sandbox/payments/fake/pay_1?done=Refund", resp.Header.Get("Location"))
	assert.Equal(t, []string{"pay_1 fail ", "pay_1 refund 5,00"}, src.acted)

	_, page = get("/sandbox/payments/fake/pay_1?done=Refund")
	assert.Contains(t, page, "Done: Refund")
	assert.Contains(t, page, "dashboard: Refund 5,00", "the button press is on the timeline")
	assert.Contains(t, page, "open → <strong>done</strong>")

	code, _ = get("/sandbox/payments/fake/nope")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = get("/sandbox/payments/other/pay_1")
	assert.Equal(t, http.StatusNotFound, code)
}

func TestDashboardAnswersLoopbackOnly(t *testing.T) {
	d := sim.NewDashboard("/sandbox/", &fakeSource{courier: sim.NewCourier(http.DefaultClient), status: "open"})
	r := httptest.NewRequest(http.MethodGet, "/sandbox/", nil)
	r.RemoteAddr = "192.0.2.7:5555"
	w := httptest.NewRecorder()
	d.ServeHTTP(w, r)
	assert.Equal(t, http.StatusForbidden, w.Code)

	r.RemoteAddr = "[::1]:5555"
	w = httptest.NewRecorder()
	d.ServeHTTP(w, r)
	assert.Equal(t, http.StatusOK, w.Code)

	d.AllowRemote = true
	r.RemoteAddr = "192.0.2.7:5555"
	w = httptest.NewRecorder()
	d.ServeHTTP(w, r)
	assert.Equal(t, http.StatusOK, w.Code)
}

func TestRefundAmount(t *testing.T) {
	for in, want := range map[string]int64{"": 700, "5": 500, "5.5": 550, "5,25": 525, " 0.01 ": 1} {
		got, err := sim.RefundAmount(url.Values{"amount": {in}}, 700)
		require.NoError(t, err, in)
		assert.EqualValues(t, want, got, in)
	}
	for _, bad := range []string{"x", "-1", "0", "1.001"} {
		_, err := sim.RefundAmount(url.Values{"amount": {bad}}, 700)
		assert.Error(t, err, bad)
	}
	_, err := sim.RefundAmount(url.Values{}, 0)
	assert.Error(t, err, "nothing left")
}

// renotifying is a fakeSource that can deliver an earlier status.
type renotifying struct {
	*fakeSource
	renotified []string
}

func (r *renotifying) Renotify(_ context.Context, id, status string) error {
	r.renotified = append(r.renotified, id+" "+status)
	return nil
}

// The dashboard provokes duplicate, held, out-of-order and late webhooks.
func TestDashboardSetsTheDeliveryMode(t *testing.T) {
	var got []string
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, string(b))
	}))
	defer shop.Close()
	c := sim.NewCourier(shop.Client())
	c.SetRecorder(sim.NewRecorder())
	src := &renotifying{fakeSource: &fakeSource{courier: c, status: "open"}}
	srv := httptest.NewServer(sim.NewDashboard("/sandbox/", src))
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	press := func(path string, form url.Values) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", srv.URL)
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	ctx := context.Background()

	require.Equal(t, http.StatusSeeOther, press("/sandbox/webhooks/fake", url.Values{"mode": {"twice"}}))
	_, err := c.Deliver(ctx, shop.URL, nil, []byte("a"))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "a"}, got, "twice")

	require.Equal(t, http.StatusSeeOther, press("/sandbox/webhooks/fake", url.Values{"mode": {"once"}}))
	require.Equal(t, http.StatusSeeOther, press("/sandbox/webhooks/fake", url.Values{"mode": {"hold"}}))
	for _, b := range []string{"b", "c"} {
		_, err = c.Deliver(ctx, shop.URL, nil, []byte(b))
		require.NoError(t, err)
	}
	resp, err := http.Get(srv.URL + "/sandbox/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), "holding (2 waiting)")
	require.Equal(t, http.StatusSeeOther, press("/sandbox/webhooks/fake", url.Values{"mode": {"release-reversed"}}))
	assert.Equal(t, []string{"a", "a", "c", "b"}, got, "released late and newest first")
	assert.Equal(t, http.StatusBadRequest, press("/sandbox/webhooks/fake", url.Values{"mode": {"chaos"}}))

	require.Equal(t, http.StatusSeeOther, press("/sandbox/payments/fake/pay_1", url.Values{"action": {"renotify"}, "status": {"initialized"}}))
	assert.Equal(t, []string{"pay_1 initialized"}, src.renotified)
}
