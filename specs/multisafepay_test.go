package specs_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/gen/multisafepay"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

func init() {
	register("multisafepay", decoders{
		responses: map[string]func(*http.Response) (any, error){
			"listGateways":   func(r *http.Response) (any, error) { return multisafepay.ParseListGatewaysResponse(r) },
			"getGateway":     func(r *http.Response) (any, error) { return multisafepay.ParseGetGatewayResponse(r) },
			"listIssuers":    func(r *http.Response) (any, error) { return multisafepay.ParseListIssuersResponse(r) },
			"listCategories": func(r *http.Response) (any, error) { return multisafepay.ParseListCategoriesResponse(r) },
			"createOrder":    func(r *http.Response) (any, error) { return multisafepay.ParseCreateOrderResponse(r) },
			"getOrder":       func(r *http.Response) (any, error) { return multisafepay.ParseGetOrderResponse(r) },
			"updateOrder":    func(r *http.Response) (any, error) { return multisafepay.ParseUpdateOrderResponse(r) },
			"createRefund":   func(r *http.Response) (any, error) { return multisafepay.ParseCreateRefundResponse(r) },

			"listPaymentMethods": func(r *http.Response) (any, error) { return multisafepay.ParseListPaymentMethodsResponse(r) },
			"getPaymentMethod":   func(r *http.Response) (any, error) { return multisafepay.ParseGetPaymentMethodResponse(r) },
			"listTokens":         func(r *http.Response) (any, error) { return multisafepay.ParseListTokensResponse(r) },
			"getToken":           func(r *http.Response) (any, error) { return multisafepay.ParseGetTokenResponse(r) },
			"deleteToken":        func(r *http.Response) (any, error) { return multisafepay.ParseDeleteTokenResponse(r) },
			"listTransactions":   func(r *http.Response) (any, error) { return multisafepay.ParseListTransactionsResponse(r) },
		},
		schemas: map[string]func([]byte) error{
			"Order":         decodeInto[multisafepay.Order],
			"Notification":  decodeInto[multisafepay.Notification],
			"OrderEnvelope": decodeInto[multisafepay.OrderEnvelope],
			"ErrorEnvelope": decodeInto[multisafepay.ErrorEnvelope],
		},
		values: map[string]func() any{
			"Order":         func() any { return new(multisafepay.Order) },
			"Notification":  func() any { return new(multisafepay.Notification) },
			"OrderEnvelope": func() any { return new(multisafepay.OrderEnvelope) },
			"ErrorEnvelope": func() any { return new(multisafepay.ErrorEnvelope) },
		},
	})
}

const mspSeed = "002_70965e28e3bf41dc.txt"

// mspFixture loads one positive MultiSafepay fixture by base name.
func mspFixture(t *testing.T, name string) fixtures.Fixture {
	t.Helper()
	list, err := fixtures.Load("multisafepay")
	require.NoError(t, err)
	for _, f := range list {
		if f.Base() == name {
			return f
		}
	}
	t.Fatalf("no fixture %s", name)
	return fixtures.Fixture{}
}

// TestMultiSafepaySeedBlocksAreFixtures finds every JSON block in the seed
// document and checks that a fixture names its line, as source or in its note.
func TestMultiSafepaySeedBlocksAreFixtures(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "seeds", mspSeed)
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("seed document not available (%v); it lives in the team's ../shared folder", err)
	}
	defer f.Close()
	var starts []int
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.HasPrefix(sc.Text(), "{") {
			starts = append(starts, n)
		}
	}
	require.NoError(t, sc.Err())
	assert.Len(t, starts, 60, "the document has 60 JSON examples")

	list, err := fixtures.Load("multisafepay")
	require.NoError(t, err)
	cited := map[string]bool{}
	lineRef := regexp.MustCompile(`line (\d+)`)
	for _, fx := range list {
		if rest, ok := strings.CutPrefix(fx.Source, mspSeed+":"); ok {
			cited[rest] = true
		}
		for _, m := range lineRef.FindAllStringSubmatch(fx.Note, -1) {
			cited[m[1]] = true
		}
	}
	for _, n := range starts {
		assert.True(t, cited[strconv.Itoa(n)], "JSON example at %s:%d has no fixture", mspSeed, n)
	}
}

// The document's contradictions decode to exact Go values in the answers'
// tolerant types; the documented request forms validate against the spec.
func TestMultiSafepayFixtureValues(t *testing.T) {
	decodeReq := func(name string) multisafepay.OrderCreate {
		var o multisafepay.OrderCreate
		require.NoError(t, json.Unmarshal(mspFixture(t, name).Request.BodyBytes(), &o))
		return o
	}
	decodeRsp := func(name string) multisafepay.Order {
		var env multisafepay.OrderEnvelope
		require.NoError(t, json.Unmarshal(mspFixture(t, name).Response.BodyBytes(), &env))
		return env.Data
	}

	assert.EqualValues(t, 1000, decodeReq("order-redirect").Amount, `"1000"`)
	assert.EqualValues(t, 100000, decodeReq("order-direct-ideal").Amount, "100000")
	assert.Equal(t, "0021", decodeReq("order-direct-ideal").GatewayInfo.IssuerID, "plain text in a request")

	direct := decodeRsp("order-direct-ideal")
	require.NotEmpty(t, direct.Costs)
	assert.Equal(t, "0.49", direct.Costs[0].Amount.String(), "euros, exact")
	assert.Equal(t, "2019-03-04T13:52:07", direct.Created, "no zone, kept as text")

	recurring := decodeRsp("order-recurring")
	assert.Equal(t, "22", recurring.Customer.HouseNumber.String())
	assert.Equal(t, "29000", recurring.Customer.ZipCode.String())
	assert.Equal(t, "66633311155", recurring.Customer.Phone1.String())

	got := decodeRsp("order-get-refunded")
	assert.Equal(t, "XI", got.Customer.HouseNumber.String())
	assert.Equal(t, "1234", got.PaymentDetails.Last4.String())
	assert.Equal(t, "1904", got.PaymentDetails.CardExpiryDate.String())
	assert.Equal(t, "906015000050", got.PaymentDetails.ExternalTransactionID.String())
	assert.Equal(t, "1234", got.PaymentMethods[0].Last4.String(), "number form")
	assert.Equal(t, "refunded", got.Status)
	assert.Equal(t, "completed", got.FinancialStatus)

	split := decodeReq("order-split-payments")
	sp := split.Affiliate.SplitPayments
	assert.EqualValues(t, 112, sp[0].Fixed)
	assert.EqualValues(t, 1001001, sp[0].Merchant)
	assert.Equal(t, "11.2", sp[1].Percentage.String())

	rsp := decodeRsp("afterpay")
	assert.Equal(t, "260.00", rsp.OrderTotal.String())
	alt := rsp.CheckoutOptions.Alternate[7]
	assert.Equal(t, "2", alt.Name.String())
	assert.Equal(t, "0.08375", alt.Rules[1].Rate.String())
	assert.False(t, bool(rsp.CheckoutOptions.Alternate[3].Standalone), `"standalone": ""`)
	var def multisafepay.OrderTaxTable
	require.NoError(t, rsp.CheckoutOptions.Default.Decode(&def))
	assert.True(t, bool(def.ShippingTaxed))
	assert.Equal(t, "0.21", def.Rate.String())
	item := rsp.ShoppingCart.Items[0]
	assert.Equal(t, "90.00", item.UnitPrice.String(), "digits kept")
	assert.EqualValues(t, 2, item.Quantity)
	assert.Equal(t, "666666", item.MerchantItemID.String(), "a number on the wire")
}

// What the plain request types send satisfies the spec: the canonical form
// of every field the document writes in another form too.
func TestMultiSafepayPlainRequestsFitTheSpec(t *testing.T) {
	v, err := specs.NewValidator("multisafepay")
	require.NoError(t, err)
	rate, err := money.ParseDecimal("0.21")
	require.NoError(t, err)
	price, err := money.ParseDecimalString("10.0000")
	require.NoError(t, err)
	worldwide := false
	order := multisafepay.OrderCreate{
		Type: multisafepay.OrderTypeDirect, Gateway: "IDEALQR", OrderID: "o-1", Currency: "EUR", Amount: 37380,
		Description: "d", RecurringID: "998107303567460264", Manual: true, DaysActive: 30,
		PaymentOptions: multisafepay.PaymentOptions{NotificationMethod: multisafepay.NotificationMethodPOST, CloseWindow: true, TemplateID: "123456"},
		GatewayInfo:    multisafepay.GatewayInfo{IssuerID: "0021", QrSize: 250, AllowMultiple: true, MaxAmount: 5000},
		Customer:       multisafepay.Customer{HouseNumber: "1/XI", Company: true},
		ShoppingCart:   multisafepay.ShoppingCart{Items: []multisafepay.CartItem{{Name: "Shipping", UnitPrice: price, Quantity: 1, Weight: multisafepay.Weight{Unit: "KG", Value: "0"}}}},
		CheckoutOptions: multisafepay.CheckoutOptions{TaxTables: multisafepay.TaxTables{
			Default:   multisafepay.TaxTable{ShippingTaxed: true, Rate: rate},
			Alternate: []multisafepay.TaxTableAlternate{{Name: "BTW0", Standalone: true, Rules: []multisafepay.TaxRule{{WorldArea: &worldwide}}}},
		}},
		SecondChance: multisafepay.SecondChance{SendEmail: &worldwide},
		Affiliate:    multisafepay.Affiliate{SplitPayments: []multisafepay.SplitPayment{{Merchant: 1001001, Percentage: rate}}},
	}
	body, err := json.Marshal(order)
	require.NoError(t, err)
	require.NoError(t, v.ValidateSchema("OrderCreate", body), "%s", body)
	assert.Contains(t, string(body), `"world_area":false`, "false is sent where the default is true")
	assert.Contains(t, string(body), `"second_chance":{"send_email":false}`, "false disables the second chance e-mail")
	assert.Contains(t, string(body), `"rate":0`, "a tax rule's 0 rate is sent")
}

// The notification payloads from the provider's own SDK and docs (signed
// vectors) are orders without envelope: they must fit the spec and the types.
func TestMultiSafepayNotificationVectorsFitTheSpec(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "vectors", "multisafepay")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("MultiSafepay vectors not available (%v); they live in the team's ../shared folder", err)
	}
	v, err := specs.NewValidator("multisafepay")
	require.NoError(t, err)
	for _, name := range []string{"msp_vector.json", "msp_docs_vector_payload.json"} {
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, name))
			require.NoError(t, err)
			require.NoError(t, v.ValidateSchema("Notification", body))
			var n multisafepay.Notification
			require.NoError(t, json.Unmarshal(body, &n))
			assert.NotEmpty(t, n.OrderID)
			assert.NotZero(t, n.Amount.Cents)
		})
	}
}

// The error envelope of the issue ({} or [] as data, a numeric code).
func TestMultiSafepayErrorEnvelope(t *testing.T) {
	v, err := specs.NewValidator("multisafepay")
	require.NoError(t, err)
	route, err := v.RouteByOperationID("createOrder")
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/v1/json/orders", bytes.NewReader([]byte(`{}`)))
	matched, params, err := v.Route(req.Method, req.URL.Path)
	require.NoError(t, err)
	require.Equal(t, route.Operation.OperationID, matched.Operation.OperationID, "the server base path is stripped")
	header := http.Header{"Content-Type": {"application/json"}}
	for _, body := range []string{
		`{"success": false, "data": {}, "error_code": 1006, "error_info": "Invalid transaction ID"}`,
		`{"success": false, "data": [], "error_code": 1032, "error_info": "Invalid API key"}`,
	} {
		require.NoError(t, v.ValidateResponse(context.Background(), req, matched, params, 409, header, []byte(body)))
		var e multisafepay.ErrorEnvelope
		require.NoError(t, json.Unmarshal([]byte(body), &e))
		assert.False(t, e.Success)
	}
}

// What real answers carry past the document decodes to exact values: the
// JSON types the order was sent with, card and 3-D Secure results, the
// direct-iDEAL answer's isser_id, and zero amounts written as "0.00".
func TestMultiSafepayRealAnswerValues(t *testing.T) {
	order := func(name string) multisafepay.Order {
		f := mspFixture(t, name)
		if f.Schema == "Order" {
			var o multisafepay.Order
			require.NoError(t, json.Unmarshal(f.Request.BodyBytes(), &o))
			return o
		}
		var env multisafepay.OrderEnvelope
		require.NoError(t, json.Unmarshal(f.Response.BodyBytes(), &env))
		return env.Data
	}

	numbers := order("order-numbers-sdk")
	assert.Equal(t, "1588947171", numbers.OrderID.String(), "an order_id sent as a number")
	assert.Equal(t, "1234", numbers.ShoppingCart.Items[0].Description.String(), "a cart text sent as a number")
	assert.Equal(t, "3862141012", numbers.PaymentDetails.AccountHolderName.String())
	assert.Contains(t, numbers.PaymentDetails.InvoiceURL, "testpayv2.multisafepay.com/orders/")

	card := order("order-get-card-3ds-sdk")
	pd := card.PaymentDetails
	assert.Equal(t, "876543", pd.AuthorizationCode.String())
	assert.Equal(t, "challenge", pd.CardAuthenticationDetails.Flow)
	assert.Equal(t, "Y", pd.CardAuthenticationResult.Status)
	assert.Equal(t, "05", pd.CardAuthenticationResult.Eci)
	assert.Equal(t, "2", pd.CardAdditionalResponseData.CavvResultsCode.String())
	assert.Equal(t, "00", pd.ResponseCode.String())
	assert.Equal(t, "2025-07-31T11:58:26", card.Completed)
	assert.Equal(t, "0.6", card.Costs[0].Amount.String(), "a fee as a JSON number, exact")

	failed := order("order-get-failed-3ds-ref")
	assert.Equal(t, "N", failed.PaymentDetails.CardAuthenticationResult.Status)
	assert.Equal(t, "08", failed.PaymentDetails.CardAuthenticationResult.TransactionStatusReason)

	assert.Equal(t, "0021", order("order-direct-ideal").PaymentDetails.IsserID.String(), "the document's isser_id (sic)")

	afterpay := order("afterpay")
	assert.Equal(t, "0.00", afterpay.OrderAdjustment.TotalTax.String())
	again, err := json.Marshal(afterpay.OrderAdjustment)
	require.NoError(t, err)
	assert.JSONEq(t, `{"total_adjustment": 0.00, "total_tax": 0.00}`, string(again), `"0.00" is a value, kept`)
	empty, err := json.Marshal(multisafepay.OrderAdjustment{})
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, string(empty), "nothing sent, nothing written")

	var page multisafepay.TransactionListEnvelope
	require.NoError(t, json.Unmarshal(mspFixture(t, "transactions-ref").Response.BodyBytes(), &page))
	assert.EqualValues(t, 49, page.Data[0].Costs[0].Amount.Cents, "a listed fee is cents")
	assert.EqualValues(t, 951, page.Data[0].Net.Cents)
	assert.Equal(t, "string", page.Pager.Cursor.After.String())

	var tokens multisafepay.TokenListEnvelope
	require.NoError(t, json.Unmarshal(mspFixture(t, "tokens-sdk").Response.BodyBytes(), &tokens))
	assert.Equal(t, "0004", tokens.Data.Tokens[0].Last4.String(), "text keeps its leading zero")
	assert.Equal(t, "1111", tokens.Data.Tokens[2].Last4.String(), "a number")
	assert.Equal(t, "4512", tokens.Data.Tokens[0].ExpiryDate.String())
}
