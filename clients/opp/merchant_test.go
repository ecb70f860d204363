package opp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/opp"
)

// WithMerchantUID names the merchant on every transaction that names none;
// one that names its own keeps it.
func TestWithMerchantUIDFillsTheMerchant(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var tx struct {
			MerchantUID string `json:"merchant_uid"`
		}
		_ = json.Unmarshal(body, &tx)
		got = append(got, tx.MerchantUID)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"uid":"tra_1","object":"transaction","status":"created","amount":100}`)
	}))
	defer srv.Close()
	c, err := opp.New("key", opp.WithBaseURL(srv.URL+"/v1"), opp.WithMerchantUID("mer_shop"))
	require.NoError(t, err)
	tx := opp.TransactionCreate{Products: []opp.ProductCreate{{Name: "x", Price: 100, Quantity: 1}}, TotalPrice: 100, ReturnURL: "https://shop.example/"}
	_, err = c.CreatePayment(context.Background(), tx)
	require.NoError(t, err)
	tx.MerchantUID = "mer_other"
	_, err = c.CreatePayment(context.Background(), tx)
	require.NoError(t, err)
	assert.Equal(t, []string{"mer_shop", "mer_other"}, got)
}

// The client checks what OPP requires of a merchant before sending.
func TestMerchantCallsRefuseWhatOPPWould(t *testing.T) {
	s := fixed(t, http.StatusOK, `{"uid":"mer_1","object":"merchant"}`)
	c := s.client(t)
	ctx := context.Background()
	ok := opp.MerchantCreate{Country: "nld", Emailaddress: "a@b.example", NotifyURL: "https://shop.example/n"}
	for _, tc := range []struct {
		field string
		edit  func(m *opp.MerchantCreate)
	}{
		{"type", func(m *opp.MerchantCreate) { m.Type = "person" }},
		{"country", func(m *opp.MerchantCreate) { m.Country = "NL" }},
		{"emailaddress", func(m *opp.MerchantCreate) { m.Emailaddress = " " }},
		{"notify_url", func(m *opp.MerchantCreate) { m.NotifyURL = "" }},
		{"coc_nr", func(m *opp.MerchantCreate) { m.Type = opp.MerchantTypeBusiness }},
	} {
		m := ok
		tc.edit(&m)
		_, err := c.CreateMerchant(ctx, m)
		var ferr *betaalkit.FieldError
		require.True(t, errors.As(err, &ferr), "%s: %v", tc.field, err)
		assert.Equal(t, tc.field, ferr.Field)
		assert.Contains(t, err.Error(), "opp: create merchant: ")
	}
	_, err := c.UpdateMerchant(ctx, "mer_1", opp.MerchantUpdate{Status: "live"})
	assert.ErrorContains(t, err, "status")
	_, err = c.UpdateMerchant(ctx, "../transactions", opp.MerchantUpdate{})
	assert.ErrorContains(t, err, "uid")
	_, err = c.CreateBankAccount(ctx, "mer_1", opp.BankAccountCreate{})
	assert.ErrorContains(t, err, "return_url")
	_, err = c.GetBankAccount(ctx, "mer_1", "bnk/1")
	assert.ErrorContains(t, err, "bank_account_uid")
	_, err = c.ListBankAccounts(ctx, "", opp.ListParams{})
	assert.ErrorContains(t, err, "merchant_uid")
	assert.Zero(t, s.hits.Load(), "nothing was sent")

	ok.Type, ok.CocNr = opp.MerchantTypeBusiness, "123123123"
	_, err = c.CreateMerchant(ctx, ok)
	require.NoError(t, err)
}

// OPP serves /status at the host's root: the client drops a trailing /v1
// from its base URL for it, and keeps any other path.
func TestAPIStatusGoesToTheHostsRoot(t *testing.T) {
	s := fixed(t, http.StatusOK, `{"status":"online","date":1616426280}`)
	for base, want := range map[string]string{
		s.URL + "/v1":           "/status",
		s.URL + "/v1/":          "/status",
		s.URL + "/proxy/opp/v1": "/proxy/opp/status",
		s.URL + "/opp":          "/opp/status",
	} {
		c, err := opp.New(apiKey, opp.WithBaseURL(base))
		require.NoError(t, err)
		st, err := c.APIStatus(context.Background())
		require.NoError(t, err)
		assert.Equal(t, "online", st.Status)
		assert.Equal(t, int64(1616426280), st.Date.Unix())
		assert.Equal(t, want, s.last(t).path, base)
		assert.Equal(t, basicAuth, s.last(t).auth)
	}
}

// PHP renders an empty object as [] (the document's table types order,
// escrow and customer as array) or null; the models take both.
func TestEmptyObjectsMayArriveAsListsOrNull(t *testing.T) {
	s := fixed(t, http.StatusOK, `{"uid":"t","object":"transaction","amount":10,"order":[],"escrow":null,"fees":{},"refunds":[],`+
		`"currency":"EUR","has_checkout":true,"metadata":[]}`)
	tx, err := s.client(t).GetPayment(context.Background(), "t")
	require.NoError(t, err)
	assert.True(t, tx.Order.IsZero())
	assert.True(t, tx.Escrow.IsZero())
	assert.True(t, tx.HasCheckout)
	assert.Equal(t, "EUR", tx.Currency)

	s = fixed(t, http.StatusOK, `{"uid":"o","object":"order","customer":[]}`)
	o, err := s.client(t).GetOrder(context.Background(), "o")
	require.NoError(t, err)
	assert.True(t, o.Customer.IsZero())

	s = fixed(t, http.StatusOK, `{"uid":"o","object":"order","customer":["x"]}`)
	_, err = s.client(t).GetOrder(context.Background(), "o")
	assert.Error(t, err, "a list with something in it is no customer")
}
