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
		},
		schemas: map[string]func([]byte) error{
			"Order":         decodeInto[multisafepay.Order],
			"Notification":  decodeInto[multisafepay.Notification],
			"ErrorEnvelope": decodeInto[multisafepay.ErrorEnvelope],
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

// The document's contradictions decode to exact Go values.
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

	direct := decodeRsp("order-direct-ideal")
	require.NotNil(t, direct.Costs)
	assert.Equal(t, "0.49", (*direct.Costs)[0].Amount.String(), "euros, exact")
	assert.Equal(t, "2019-03-04T13:52:07", *direct.Created, "no zone, kept as text")

	recurring := decodeRsp("order-recurring")
	assert.Equal(t, "22", recurring.Customer.HouseNumber.String())
	assert.Equal(t, "29000", recurring.Customer.ZipCode.String())
	assert.Equal(t, "66633311155", recurring.Customer.Phone1.String())

	got := decodeRsp("order-get-refunded")
	assert.Equal(t, "XI", got.Customer.HouseNumber.String())
	assert.Equal(t, "1234", got.PaymentDetails.Last4.String())
	assert.Equal(t, "1904", got.PaymentDetails.CardExpiryDate.String())
	assert.Equal(t, "906015000050", got.PaymentDetails.ExternalTransactionID.String())
	assert.Equal(t, "1234", (*got.PaymentMethods)[0].Last4.String(), "number form")
	assert.Equal(t, "refunded", *got.Status)

	afterpay := decodeReq("afterpay")
	assert.True(t, bool(*afterpay.Manual) == false)
	item := (*afterpay.ShoppingCart.Items)[2]
	assert.Equal(t, "10.0000", item.UnitPrice.String(), "digits kept")
	assert.EqualValues(t, 1, *item.Quantity)
	var def multisafepay.TaxTableDefault
	require.NoError(t, afterpay.CheckoutOptions.TaxTables.Default.Decode(&def))
	assert.True(t, bool(*def.ShippingTaxed))
	assert.Equal(t, "0.21", def.Rate.String())

	split := decodeReq("order-split-payments")
	sp := (*split.Affiliate.SplitPayments)
	assert.EqualValues(t, 112, *sp[0].Fixed)
	assert.Equal(t, "11.2", sp[1].Percentage.String())

	rsp := decodeRsp("afterpay")
	assert.Equal(t, "260.00", rsp.OrderTotal.String())
	alt := (*rsp.CheckoutOptions.Alternate)[7]
	assert.Equal(t, "2", alt.Name.String())
	assert.Equal(t, "0.08375", (*alt.Rules)[1].Rate.String())
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
			assert.NotEmpty(t, *n.OrderID)
			assert.NotNil(t, n.Amount)
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
