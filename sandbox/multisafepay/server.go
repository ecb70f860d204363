// Package multisafepay simulates the MultiSafepay JSON API v1 for offline
// tests and the demo: the api_key header checked against the configured
// key, requests validated against the spec, gateways, payment methods,
// iDEAL issuers and categories, orders that move through MultiSafepay's
// statuses, a payment page per order, full and partial refunds, recurring
// tokens (stored when an order with a recurring model and a customer
// reference completes, charged by a direct order with the token as
// recurring_id, deletable), the account's transactions with their filters
// and cursor pages, and notifications signed with the Auth header exactly
// as MultiSafepay signs them.
package multisafepay

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	client "github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/sandbox/sim"
	"github.com/betaalkit/betaalkit/signing"
)

// DefaultAPIKey is the website API key the sandbox accepts unless told otherwise.
const DefaultAPIKey = "sandbox-multisafepay-key"

// BasePath is where the API is served, as on testapi.multisafepay.com.
const BasePath = "/v1/json"

// Config configures a simulator.
type Config struct {
	// APIKey is the only key accepted in the api_key header, and the key
	// notifications are signed with. Default DefaultAPIKey.
	APIKey string
	// NotificationURL is the website's notification URL, used for orders
	// that name none in payment_options.
	NotificationURL string
	// HTTPClient delivers notifications. Default: a client with a 5 s timeout.
	HTTPClient *http.Client
	// Now is the sandbox's clock (order times, notification timestamps).
	// Tests set a skewed one to produce stale notifications. Default time.Now.
	Now func() time.Time
}

// Server is the simulator, an http.Handler. It is safe for concurrent use.
type Server struct {
	cfg       Config
	validator *sim.Validator
	mux       *http.ServeMux
	zone      *time.Location

	mu     sync.Mutex
	orders map[string]*order        // by the merchant's order_id
	pages  map[string]string        // payment page token → order_id
	tokens map[string][]storedToken // by customer reference, oldest first
	nextID int64                    // transaction and refund ids, numeric as MultiSafepay's

	courier *sim.Courier
	rec     *sim.Recorder
	dash    *sim.Dashboard
	handler http.Handler
}

// New returns a simulator.
func New(cfg Config) (*Server, error) {
	if cfg.APIKey == "" {
		cfg.APIKey = DefaultAPIKey
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	v, err := sim.NewValidator("multisafepay")
	if err != nil {
		return nil, err
	}
	// MultiSafepay writes local Amsterdam time without a zone; UTC where
	// the zone database is missing.
	zone, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		zone = time.UTC
	}
	s := &Server{cfg: cfg, validator: v, zone: zone, orders: map[string]*order{}, pages: map[string]string{}, tokens: map[string][]storedToken{}, nextID: 259133830,
		courier: sim.NewCourier(cfg.HTTPClient), rec: sim.NewRecorder()}
	s.courier.SetRecorder(s.rec)
	s.courier.SetSchedule(WebhookRetries)
	s.courier.SetAcknowledgement(acknowledged)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+BasePath+"/gateways", s.api(s.listGateways))
	mux.HandleFunc("GET "+BasePath+"/gateways/{id}", s.api(s.getGateway))
	mux.HandleFunc("GET "+BasePath+"/issuers/{gateway}", s.api(s.listIssuers))
	mux.HandleFunc("GET "+BasePath+"/categories", s.api(s.listCategories))
	mux.HandleFunc("POST "+BasePath+"/orders", s.api(s.createOrder))
	mux.HandleFunc("GET "+BasePath+"/orders/{order_id}", s.api(s.getOrder))
	mux.HandleFunc("PATCH "+BasePath+"/orders/{order_id}", s.api(s.updateOrder))
	mux.HandleFunc("POST "+BasePath+"/orders/{order_id}/refunds", s.api(s.createRefund))
	mux.HandleFunc("GET "+BasePath+"/payment-methods", s.api(s.listPaymentMethods))
	mux.HandleFunc("GET "+BasePath+"/payment-methods/{id}", s.api(s.getPaymentMethod))
	mux.HandleFunc("GET "+BasePath+"/recurring/{reference}", s.api(s.listTokens))
	mux.HandleFunc("GET "+BasePath+"/recurring/{reference}/token/{token}", s.api(s.getToken))
	mux.HandleFunc("DELETE "+BasePath+"/recurring/{reference}/remove/{token}", s.api(s.deleteToken))
	mux.HandleFunc("GET "+BasePath+"/transactions", s.api(s.listTransactions))
	mux.HandleFunc(BasePath+"/", s.notFound)
	mux.HandleFunc("GET /connect/{token}/", s.page)
	mux.HandleFunc("POST /connect/{token}/", s.choose)
	mux.HandleFunc("GET /ideal/{token}/", s.page)
	mux.HandleFunc("POST /ideal/{token}/", s.choose)
	s.dash = sim.NewDashboard("/sandbox/", s)
	mux.Handle("/sandbox/", s.dash)
	s.mux = mux
	s.handler = sim.Observe(s.rec, BasePath+"/", mux, "order_id")
	return s, nil
}

// NewTestServer starts a simulator on a loopback port and returns it with a
// client of ours already pointed at it. Close the server when done.
//
// opts are applied after the sandbox's own (e.g. client.WithLogger).
func NewTestServer(cfg Config, opts ...client.Option) (*httptest.Server, *Server, *client.Client, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	ts := httptest.NewServer(s)
	c, err := client.New(s.cfg.APIKey, append([]client.Option{client.WithBaseURL(ts.URL + BasePath)}, opts...)...)
	if err != nil {
		ts.Close()
		return nil, nil, nil, err
	}
	return ts, s, c, nil
}

// ServeHTTP serves the API under /v1/json and the payment pages.
// The dashboard is under /sandbox/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// api wraps an API handler with the api_key check and spec validation, in
// that order, as MultiSafepay answers an unknown key before anything else.
func (s *Server) api(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			writeError(w, http.StatusUnauthorized, client.CodeInvalidAPIKey, "Invalid API key")
			return
		}
		if _, status, err := sim.ReadBody(w, r); err != nil {
			writeError(w, status, client.CodeUnknown, err.Error())
			return
		}
		if _, _, err := s.validator.Check(r); err != nil {
			msg := err.Error()
			writeError(w, http.StatusBadRequest, codeFor(msg), msg)
			return
		}
		h(w, r)
	}
}

func (s *Server) authorized(r *http.Request) bool {
	// The server canonicalises "api_key" to "Api_key", but a request handed
	// to ServeHTTP directly may carry the name as MultiSafepay spells it.
	for name, values := range r.Header {
		if strings.EqualFold(name, signing.MultiSafepayHeader) && len(values) == 1 {
			return subtle.ConstantTimeCompare([]byte(values[0]), []byte(s.cfg.APIKey)) == 1
		}
	}
	return false
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		writeError(w, http.StatusUnauthorized, client.CodeInvalidAPIKey, "Invalid API key")
		return
	}
	writeError(w, http.StatusNotFound, client.CodeUnknown, fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path))
}

var missingProperty = regexp.MustCompile(`property "([^"]+)" is missing`)

// codeFor picks the error_code MultiSafepay uses for the first field a
// validation message names; 1000 for anything else.
func codeFor(msg string) client.ErrorCode {
	first, _, _ := strings.Cut(msg, "; ")
	field, reason, _ := strings.Cut(first, ": ")
	if m := missingProperty.FindStringSubmatch(reason); m != nil {
		field = m[1]
	}
	switch field = field[strings.LastIndex(field, ".")+1:]; field {
	case "amount":
		return client.CodeInvalidAmount
	case "currency":
		return client.CodeInvalidCurrency
	case "order_id":
		return client.CodeInvalidOrderID
	case "description":
		return client.CodeInvalidDescription
	case "var1", "var2", "var3":
		return client.CodeInvalidVariable
	case "ip_address", "forwarded_ip":
		return client.CodeInvalidIPAddress
	case "issuer_id":
		return client.CodeInvalidIdealIssuer
	}
	return client.CodeUnknown
}

// gateway is one payment method of the sandbox website.
type gateway struct {
	id, description string
	currencies      []string    // nil: any
	countries       []string    // nil: any
	min, max        money.Cents // 0: no bound
}

var gateways = []gateway{
	{id: "IDEAL", description: "iDEAL", currencies: []string{"EUR"}, countries: []string{"NL"}},
	{id: "MISTERCASH", description: "Bancontact", currencies: []string{"EUR"}, countries: []string{"BE"}},
	{id: "DIRECTBANK", description: "SOFORT Banking", currencies: []string{"EUR"}, countries: []string{"AT", "BE", "DE", "IT", "NL", "ES"}},
	{id: "GIROPAY", description: "Giropay", currencies: []string{"EUR"}, countries: []string{"DE"}},
	{id: "EPS", description: "EPS", currencies: []string{"EUR"}, countries: []string{"AT"}},
	{id: "VISA", description: "Visa"},
	{id: "MASTERCARD", description: "MasterCard"},
	{id: "AMEX", description: "American Express"},
	{id: "MAESTRO", description: "Maestro"},
	{id: "PAYPAL", description: "PayPal"},
	{id: "BANKTRANS", description: "Bank transfer", currencies: []string{"EUR"}},
	{id: "DIRDEB", description: "SEPA Direct Debit", currencies: []string{"EUR"}},
	{id: "PAYAFTER", description: "Pay After Delivery", currencies: []string{"EUR"}, countries: []string{"NL"}, min: 500, max: 30000},
	{id: "KLARNA", description: "Klarna", currencies: []string{"EUR"}, countries: []string{"NL", "DE", "AT"}, min: 500, max: 100000},
}

// creditCards is the grouped card gateway an order may name: MultiSafepay's
// page then lets the customer pick the brand. It is not a gateway of its
// own in the list (group_cards folds the cards into it there).
var creditCards = gateway{id: "CREDITCARD", description: "Credit card"}

func findGateway(id string) (gateway, bool) {
	if strings.EqualFold(id, creditCards.id) {
		return creditCards, true
	}
	for _, g := range gateways {
		if strings.EqualFold(g.id, id) {
			return g, true
		}
	}
	return gateway{}, false
}

// accepts reports whether the gateway takes a payment; empty arguments and
// a zero amount do not filter.
func (g gateway) accepts(country, currency string, amount money.Cents) bool {
	if currency != "" && g.currencies != nil && !containsFold(g.currencies, currency) {
		return false
	}
	if country != "" && g.countries != nil && !containsFold(g.countries, country) {
		return false
	}
	if amount > 0 && (g.min > 0 && amount < g.min || g.max > 0 && amount > g.max) {
		return false
	}
	return true
}

type gatewayJSON struct {
	ID          string `json:"id"`
	Description string `json:"description"`
}

func (s *Server) listGateways(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var amount money.Cents
	if a := q.Get("amount"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, client.CodeInvalidAmount, "amount: "+strconv.Quote(a)+" is not an amount in cents")
			return
		}
		amount = money.Cents(n)
	}
	out := []gatewayJSON{}
	for _, g := range gateways {
		if g.accepts(q.Get("country"), q.Get("currency"), amount) {
			out = append(out, gatewayJSON{g.id, g.description})
		}
	}
	writeData(w, http.StatusOK, out)
}

func (s *Server) getGateway(w http.ResponseWriter, r *http.Request) {
	g, ok := findGateway(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, client.CodeUnknown, "Unknown gateway "+r.PathValue("id"))
		return
	}
	writeData(w, http.StatusOK, gatewayJSON{g.id, g.description})
}

type issuerJSON struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	bic         string // what GET /payment-methods adds
}

// idealIssuers is the document's list of iDEAL issuers, with their BICs.
var idealIssuers = []issuerJSON{
	{"0031", "ABN AMRO", "ABNANL2A"}, {"0761", "ASN Bank", "ASNBNL21"}, {"4371", "Bunq", "BUNQNL2A"},
	{"1235", "Handelsbanken", "HANDNL2A"}, {"0721", "ING", "INGBNL2A"}, {"0801", "Knab", "KNABNL2H"},
	{"1234", "Moneyou", "MOYONL21"}, {"0021", "Rabobank", "RABONL2U"}, {"0771", "Regio Bank", "RBRBNL21"},
	{"0751", "SNS Bank", "SNSBNL2A"}, {"0511", "Triodos Bank", "TRIONL2U"}, {"0161", "Van Lanschot Bankiers", "FVLBNL22"},
}

func idealIssuer(code string) (issuerJSON, bool) {
	for _, i := range idealIssuers {
		if i.Code == code {
			return i, true
		}
	}
	return issuerJSON{}, false
}

func (s *Server) listIssuers(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(r.PathValue("gateway"), "ideal") {
		writeError(w, http.StatusNotFound, client.CodeUnknown, "No issuers for gateway "+r.PathValue("gateway")+"; only iDEAL has issuers")
		return
	}
	writeData(w, http.StatusOK, idealIssuers)
}

type categoryJSON struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

func (s *Server) listCategories(w http.ResponseWriter, _ *http.Request) {
	// The document's two examples; the real list is longer.
	writeData(w, http.StatusOK, []categoryJSON{{999, "Adult"}, {106, "Child and toys"}})
}

// writeData answers in MultiSafepay's success envelope.
func writeData(w http.ResponseWriter, status int, data any) {
	sim.WriteJSON(w, status, struct {
		Success bool `json:"success"`
		Data    any  `json:"data"`
	}{true, data})
}

// writeError answers in MultiSafepay's error envelope.
func writeError(w http.ResponseWriter, status int, code client.ErrorCode, info string) {
	sim.WriteJSON(w, status, apiError{status, code, info})
}

// apiError is a refusal in MultiSafepay's terms, carried out of the locked
// state code to the handler that writes it.
type apiError struct {
	status int
	code   client.ErrorCode
	info   string
}

func (e apiError) Error() string { return fmt.Sprintf("error %d: %s", e.code, e.info) }

func (e apiError) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Success   bool             `json:"success"`
		Data      struct{}         `json:"data"`
		ErrorCode client.ErrorCode `json:"error_code"`
		ErrorInfo string           `json:"error_info"`
	}{false, struct{}{}, e.code, e.info})
}

func writeAPIError(w http.ResponseWriter, err error) {
	var e apiError
	if !errors.As(err, &e) {
		e = apiError{http.StatusInternalServerError, client.CodeUnknownError, err.Error()}
	}
	sim.WriteJSON(w, e.status, e)
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
