package opp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
