// Package opp simulates the Online Betaalplatform (OPP) API for offline tests
// and the demo: Basic auth with the configured key, requests validated
// against the spec, transactions that move through the document's statuses,
// orders, refunds (full and partial), discount codes and batches, merchants
// that go live once their bank account is verified (see merchants.go), the
// API status, lists with real pagination, a payment page per transaction, a
// verification page per bank account, and the status-changed notifications
// posted to notify_url.
package opp

import (
	"cmp"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	client "github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/flex"
	gen "github.com/betaalkit/betaalkit/gen/opp"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// DefaultAPIKey is the key the sandbox accepts unless told otherwise.
const DefaultAPIKey = "sandbox-opp-key"

// DefaultMerchantUID is the merchant of transactions that name none.
const DefaultMerchantUID = "mer_5a4f4a9e0001"

// Error codes in the sandbox's answers. The document shows a single code
// (1935, a missing merchant_uid); the others are the sandbox's own, stable so
// tests can match them.
const (
	CodeInvalidAPIKey  = 1100 // 401: wrong or missing API key
	CodeInvalidRequest = 1200 // 400: the request violates the spec or the document
	CodeNotFound       = 1300 // 404: no such object or endpoint
	CodeRefundTooLarge = 1400 // 402: more than the amount not yet refunded
	CodeNotRefundable  = 1401 // 402: the transaction's status or method allows no refund
	CodeDuplicateCode  = 1500 // 402: a discount code with that code exists
	// 402: the merchant is suspended, terminated, blocked or deleted (no
	// transactions; a terminated one changes no more)
	CodeMerchantInactive = 1600
)

// Config configures a simulator.
type Config struct {
	// APIKey is the only key accepted (Basic auth username). Default DefaultAPIKey.
	APIKey string
	// NotifyURL receives notifications for transactions that name no
	// notify_url (OPP's configured webhook).
	NotifyURL string
	// MerchantUID is set on transactions that name none. Default DefaultMerchantUID.
	MerchantUID string
	// HTTPClient delivers notifications. Default: a client with a 5 s timeout.
	HTTPClient *http.Client
}

// Server is the simulator, an http.Handler. It is safe for concurrent use.
type Server struct {
	cfg       Config
	validator *sim.Validator
	mux       *http.ServeMux

	mu            sync.Mutex
	transactions  map[string]*transaction
	txOrder       []string // creation order, for the list
	orders        map[string]*gen.Order
	orderOrder    []string
	codes         map[string]*gen.DiscountCode
	codeOrder     []string
	batches       map[string]*gen.DiscountBatch
	batchOrder    []string
	refundOf      map[string]string // refund uid → transaction uid
	merchants     map[string]*merchant
	merchantOrder []string
	bankAccounts  map[string]*bankAccount
	deliveries    []Delivery
	courier       *sim.Courier
	rec           *sim.Recorder
	dash          *sim.Dashboard
	handler       http.Handler
}

// transaction is the sandbox's state of one transaction; the API renders it.
type transaction struct {
	uid, merchantUID, profileUID string
	created, updated, completed  time.Time
	checkout                     bool
	paymentMethod                string // "" until chosen
	paymentFlow                  string
	amount                       money.Cents
	returnURL, notifyURL         string
	redirectURL                  string
	// apiBase is the API URL the transaction was created through
	// (http://host/v1); notifications point object_url at it.
	apiBase     string
	status      gen.TransactionStatus
	statuses    []gen.Status
	metadata    flex.Metadata
	description string
	orderUID    string
	escrow      *escrow
	refunds     []gen.Refund
	refunded    money.Cents
	bank        sim.Bank // the iDEAL bank chosen on the checkout
	// rec records t's status changes on the dashboard's timeline.
	rec *sim.Recorder
}

type escrow struct {
	uid        string
	periodDays int
	until      time.Time // escrow_date, when given instead of a period
	start, end time.Time
}

// New returns a simulator.
func New(cfg Config) (*Server, error) {
	if cfg.APIKey == "" {
		cfg.APIKey = DefaultAPIKey
	}
	if cfg.MerchantUID == "" {
		cfg.MerchantUID = DefaultMerchantUID
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	v, err := sim.NewValidator("opp")
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, validator: v,
		transactions: map[string]*transaction{}, orders: map[string]*gen.Order{},
		codes: map[string]*gen.DiscountCode{}, batches: map[string]*gen.DiscountBatch{},
		refundOf: map[string]string{}, courier: sim.NewCourier(cfg.HTTPClient), rec: sim.NewRecorder(),
		merchants: map[string]*merchant{}, bankAccounts: map[string]*bankAccount{},
	}
	s.courier.SetRecorder(s.rec)
	s.courier.SetSchedule(WebhookRetries)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/transactions", s.api(s.createTransaction))
	mux.HandleFunc("GET /v1/transactions", s.api(s.listTransactions))
	mux.HandleFunc("GET /v1/transactions/{uid}", s.api(s.getTransaction))
	mux.HandleFunc("POST /v1/transactions/{uid}/refunds", s.api(s.createRefund))
	mux.HandleFunc("GET /v1/transactions/{uid}/refunds", s.api(s.listRefunds))
	mux.HandleFunc("GET /v1/orders", s.api(s.listOrders))
	mux.HandleFunc("GET /v1/orders/{uid}", s.api(s.getOrder))
	mux.HandleFunc("POST /v1/orders/{uid}", s.api(s.updateOrder))
	mux.HandleFunc("POST /v1/discountcodes", s.api(s.createDiscountCode))
	mux.HandleFunc("GET /v1/discountcodes", s.api(s.listDiscountCodes))
	mux.HandleFunc("GET /v1/discountcodes/{uid}", s.api(s.getDiscountCode))
	mux.HandleFunc("DELETE /v1/discountcodes/{uid}", s.api(s.deleteDiscountCode))
	mux.HandleFunc("POST /v1/discountbatches", s.api(s.createDiscountBatch))
	mux.HandleFunc("GET /v1/discountbatches", s.api(s.listDiscountBatches))
	mux.HandleFunc("GET /v1/discountbatches/{uid}", s.api(s.getDiscountBatch))
	mux.HandleFunc("DELETE /v1/discountbatches/{uid}", s.api(s.deleteDiscountBatch))
	mux.HandleFunc("POST /v1/merchants", s.api(s.createMerchant))
	mux.HandleFunc("GET /v1/merchants", s.api(s.listMerchants))
	mux.HandleFunc("GET /v1/merchants/{uid}", s.api(s.getMerchant))
	mux.HandleFunc("POST /v1/merchants/{uid}", s.api(s.updateMerchant))
	mux.HandleFunc("POST /v1/merchants/{uid}/bank_accounts", s.api(s.createBankAccount))
	mux.HandleFunc("GET /v1/merchants/{uid}/bank_accounts", s.api(s.listBankAccounts))
	mux.HandleFunc("GET /v1/merchants/{uid}/bank_accounts/{bank}", s.api(s.getBankAccount))
	// OPP serves its status at the host's root, outside /v1.
	mux.HandleFunc("GET /status", s.api(s.apiStatus))
	// Anything else under /v1 answers in OPP's format too, after auth.
	mux.HandleFunc("/v1/", s.unknownEndpoint)
	mux.HandleFunc("GET /nl/betalen/", s.paymentPage)
	mux.HandleFunc("POST /nl/betalen/", s.choose)
	mux.HandleFunc("GET /download/{uid}", s.downloadBatch)
	mux.HandleFunc("GET /nl/sandbox/merchants/{uid}/verificatie", s.verificationForm)
	mux.HandleFunc("GET /nl/sandbox/merchants/{uid}/verificatie/bankgegevens/{bank}", s.verificationForm)
	mux.HandleFunc("POST /nl/sandbox/merchants/{uid}/verificatie/bankgegevens/{bank}", s.verify)
	s.dash = sim.NewDashboard("/sandbox/", s)
	mux.Handle("/sandbox/", s.dash)
	s.mux = mux
	s.handler = sim.Observe(s.rec, "/v1/", mux, "uid")
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
	c, err := client.New(s.cfg.APIKey, append([]client.Option{client.WithBaseURL(ts.URL + "/v1")}, opts...)...)
	if err != nil {
		ts.Close()
		return nil, nil, nil, err
	}
	return ts, s, c, nil
}

// ServeHTTP serves the API under /v1 (and /status), the payment pages under
// /nl/betalen/, the bank account verification pages under /nl/sandbox/ and
// discount batch downloads under /download/.
// The dashboard is under /sandbox/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) authorized(r *http.Request) bool {
	// The key is the username; OPP requires no password, so any is accepted.
	user, _, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(user), []byte(s.cfg.APIKey)) == 1
}

// api wraps an API handler with authentication and spec validation, as the
// provider does both before anything else.
func (s *Server) api(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			unauthorized(w)
			return
		}
		if _, status, err := sim.ReadBody(w, r); err != nil {
			writeError(w, status, CodeInvalidRequest, err.Error())
			return
		}
		if _, _, err := s.validator.Check(r); err != nil {
			writeError(w, http.StatusBadRequest, CodeInvalidRequest, strings.Replace(err.Error(), noTotal, noTotalMessage, 1))
			return
		}
		h(w, r)
	}
}

// noTotal is how the spec check words a new transaction with no
// total_price at all, neither at the top level nor on every product (the
// only anyOf at the top of an OPP request body); noTotalMessage says it in
// the document's terms.
const (
	noTotal        = `body: doesn't match any schema from "anyOf"`
	noTotalMessage = "Missing required total_price (at the top level, or on every product as the document's metadata example sends it)"
)

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="OPP sandbox"`)
	writeError(w, http.StatusUnauthorized, CodeInvalidAPIKey, "Invalid or revoked API key")
}

func (s *Server) unknownEndpoint(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		unauthorized(w)
		return
	}
	writeError(w, http.StatusNotFound, CodeNotFound, fmt.Sprintf("no endpoint %s %s", r.Method, r.URL.Path))
}

// newUID returns an OPP-style identifier (tra_1a2b3c2cf578) unused in taken.
func newUID[T any](prefix string, taken map[string]T) string {
	for {
		uid := prefix + "_" + sim.NewID(6)
		if _, dup := taken[uid]; !dup {
			return uid
		}
	}
}

func (s *Server) createTransaction(w http.ResponseWriter, r *http.Request) {
	// Metadata values may be numbers on the wire; the client's model sends
	// strings, the sandbox takes both.
	var body struct {
		gen.TransactionCreate
		Metadata flex.Metadata `json:"metadata"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, "body: "+err.Error())
		return
	}
	in := body.TransactionCreate
	in.Metadata = body.Metadata
	amount, shipping, err := totals(in)
	if err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, err.Error())
		return
	}
	if in.PaymentFlow == gen.PaymentFlowEmail && in.BuyerEmailaddress == "" {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, "Missing required buyer_emailaddress (payment_flow is email)")
		return
	}
	var esc *escrow
	if in.Escrow {
		esc = &escrow{uid: "esc_" + sim.NewID(6), periodDays: in.EscrowPeriod}
		if in.EscrowDate != "" {
			// The spec's pattern already holds; the document names no zone.
			esc.until, _ = time.Parse(time.DateTime, in.EscrowDate)
		}
	}
	now := time.Now().UTC()
	base := sim.Origin(r)
	t := &transaction{
		merchantUID: cmp.Or(in.MerchantUID, s.cfg.MerchantUID),
		profileUID:  in.ProfileUID,
		created:     now, updated: now,
		checkout:      in.Checkout == nil || *in.Checkout,
		paymentMethod: string(in.PaymentMethod),
		paymentFlow:   cmp.Or(string(in.PaymentFlow), string(gen.PaymentFlowDirect)),
		amount:        amount,
		returnURL:     in.ReturnURL,
		notifyURL:     in.NotifyURL,
		metadata:      in.Metadata,
		apiBase:       base + "/v1",
		escrow:        esc,
		rec:           s.rec,
	}
	names := make([]string, 0, len(in.Products))
	for _, p := range in.Products {
		names = append(names, fmt.Sprintf("%d × %s", p.Quantity, p.Name))
	}
	t.description = strings.Join(names, ", ")

	order := &gen.Order{
		Object:  "order",
		Created: ts(now), Updated: ts(now),
		Price: amount, Shipping: shipping, Discount: in.Discount,
		Customer: flex.Object[gen.Customer]{Value: customerFrom(in, now)},
	}

	s.mu.Lock()
	if why, refused := s.refusesTransactions(t.merchantUID); refused {
		s.mu.Unlock()
		writeError(w, http.StatusPaymentRequired, CodeMerchantInactive, why)
		return
	}
	t.uid = newUID("tra", s.transactions)
	t.redirectURL = base + "/nl/betalen/?trx=" + t.uid
	order.UID = newUID("ord", s.orders)
	t.orderUID = order.UID
	setStatus(t, client.TransactionStatusCreated, now)
	s.transactions[t.uid] = t
	s.txOrder = append(s.txOrder, t.uid)
	s.orders[order.UID] = order
	s.orderOrder = append(s.orderOrder, order.UID)
	out := s.render(t, expansion{statuses: true})
	s.mu.Unlock()
	sim.Attach(r.Context(), t.uid)
	sim.WriteJSON(w, http.StatusOK, out)
}

// totals works out the amount to pay: total_price as the table documents,
// else the per-product totals of the document's metadata example, else
// price × quantity plus shipping, less the discount. (The body decodes into
// the client's TransactionCreate, so a total_price left out reads as 0.)
func totals(in gen.TransactionCreate) (amount, shipping money.Cents, err error) {
	var sum money.Cents
	for _, p := range in.Products {
		shipping += p.ShippingCosts
		if p.TotalPrice != 0 {
			sum += p.TotalPrice
			continue
		}
		sum += p.Price*money.Cents(p.Quantity) + p.ShippingCosts
	}
	if in.ShippingCosts != nil {
		shipping += *in.ShippingCosts
		sum += *in.ShippingCosts
	}
	amount = sum - in.Discount
	if in.TotalPrice != 0 {
		amount = in.TotalPrice
	}
	if amount <= 0 {
		return 0, 0, fmt.Errorf("total_price: %d cents is not a positive amount", amount)
	}
	return amount, shipping, nil
}

func customerFrom(in gen.TransactionCreate, now time.Time) gen.Customer {
	if in.BuyerNameFirst == "" && in.BuyerNameLast == "" && in.BuyerEmailaddress == "" {
		return gen.Customer{} // rendered as {}, as OPP does for no customer
	}
	return gen.Customer{
		UID: "cus_" + sim.NewID(6), Object: "customer", Created: ts(now), Updated: ts(now),
		Name:      gen.CustomerName{First: in.BuyerNameFirst, Last: in.BuyerNameLast},
		NameFirst: in.BuyerNameFirst, NameLast: in.BuyerNameLast,
		Emailaddress: in.BuyerEmailaddress,
	}
}

// expansion is the set of expand[] values of a request.
type expansion struct{ order, customer, statuses, escrow bool }

func parseExpand(r *http.Request) (expansion, error) {
	var e expansion
	for _, v := range r.URL.Query()["expand[]"] {
		switch v {
		case "order":
			e.order = true
		case "order.customer":
			e.order, e.customer = true, true
		case "statuses":
			e.statuses = true
		case "escrow":
			e.escrow = true
		default:
			return e, fmt.Errorf("expand[]: %q cannot be expanded here (order, order.customer, statuses, escrow)", v)
		}
	}
	return e, nil
}

func (s *Server) getTransaction(w http.ResponseWriter, r *http.Request) {
	exp, err := parseExpand(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, err.Error())
		return
	}
	s.mu.Lock()
	t, ok := s.transactions[r.PathValue("uid")]
	var out wireTransaction
	if ok {
		out = s.render(t, exp)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, CodeNotFound, "transaction "+r.PathValue("uid")+" not found")
		return
	}
	sim.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) listTransactions(w http.ResponseWriter, r *http.Request) {
	exp, err := parseExpand(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, err.Error())
		return
	}
	s.mu.Lock()
	env := paginate(r, "/v1/transactions", s.txOrder, func(uid string) wireTransaction {
		return s.render(s.transactions[uid], exp)
	})
	s.mu.Unlock()
	sim.WriteJSON(w, http.StatusOK, env)
}

// Transaction returns a transaction's current state with every object
// expanded, as a test would look at it.
func (s *Server) Transaction(uid string) (*client.Transaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.transactions[uid]
	if !ok {
		return nil, false
	}
	tx := s.render(t, expansion{order: true, customer: true, statuses: true, escrow: true}).Transaction
	return &tx, true
}

// wireTransaction is a transaction as OPP sends it. The outer fields are
// written instead of the embedded ones: livemode, completed (null until
// then), metadata, statuses, order and escrow always, as [] and {} when
// empty or not expanded (the model's omitzero would leave them out).
type wireTransaction struct {
	gen.Transaction
	Livemode  bool          `json:"livemode"`
	Completed gen.Timestamp `json:"completed"` // null until completed
	Metadata  gen.Metadata  `json:"metadata"`  // a list of {key, value} pairs, [] when none
	Statuses  []gen.Status  `json:"statuses"`
	Order     wireOrder     `json:"order"`
	Escrow    gen.Escrow    `json:"escrow"`
}

// wireOrder is an order as OPP sends it, with customer always there ({}
// when not expanded; an empty gen.Customer encodes as {}).
type wireOrder struct {
	gen.Order
	Customer gen.Customer `json:"customer"`
}

func wire(o gen.Order) wireOrder { return wireOrder{Order: o, Customer: o.Customer.Value} }

// render builds the API's view of t; s.mu must be held.
func (s *Server) render(t *transaction, exp expansion) wireTransaction {
	tx := gen.Transaction{
		UID: t.uid, Object: "transaction",
		Created: ts(t.created), Updated: ts(t.updated), Completed: ts(t.completed),
		MerchantUID: t.merchantUID, ProfileUID: t.profileUID, Checkout: t.checkout,
		PaymentMethod: t.paymentMethod, PaymentFlow: t.paymentFlow, PaymentDetails: flex.ObjectOrList("[]"),
		Amount: t.amount, ReturnURL: t.returnURL, RedirectURL: t.redirectURL, NotifyURL: t.notifyURL,
		Status:   t.status,
		Statuses: []gen.Status{}, // unexpanded: [], as in the document
	}
	if exp.statuses {
		tx.Statuses = slices.Clone(t.statuses)
	}
	if o, ok := s.orders[t.orderUID]; ok && exp.order {
		tx.Order.Value = *o
		if !exp.customer {
			tx.Order.Value.Customer = flex.Object[gen.Customer]{}
		}
	}
	if e := t.escrow; e != nil && exp.escrow {
		tx.Escrow.Value = gen.Escrow{UID: e.uid, Object: "escrow", Start: ts(e.start), End: ts(e.end), Period: flex.Int(e.periodDays)}
	}
	tx.Metadata = pairs(t.metadata)
	return wireTransaction{Transaction: tx, Completed: tx.Completed, Metadata: tx.Metadata, Statuses: tx.Statuses, Order: wire(tx.Order.Value), Escrow: tx.Escrow.Value}
}

// pairs renders metadata as OPP returns it: {key, value} pairs in key
// order, [] when there are none.
func pairs(m flex.Metadata) gen.Metadata {
	out := make(gen.Metadata, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, flex.KeyValue{Key: flex.String(k), Value: flex.String(m[k])})
	}
	return out
}

// setStatus moves t to status and records it in the history; s.mu must be
// held. It reports whether the status changed.
func setStatus(t *transaction, status gen.TransactionStatus, now time.Time) bool {
	if t.status == status {
		return false
	}
	t.rec.Status(t.uid, string(t.status), string(status), "")
	t.status, t.updated = status, now
	t.statuses = append(t.statuses, gen.Status{
		UID: "sta_" + sim.NewID(6), Object: "status",
		Created: ts(now), Updated: ts(now), Status: status,
	})
	return true
}

// Delivery is one notification the sandbox posted.
type Delivery struct {
	URL          string
	Notification client.Notification
	// StatusCode is the receiver's answer (0 when it could not be reached).
	StatusCode int
	// Err is set when the receiver was unreachable or answered other than 2xx.
	Err error
}

// Webhooks is the simulator's courier: make it deliver twice, or hold
// notifications until released.
func (s *Server) Webhooks() *sim.Courier { return s.courier }

// Renotify posts a transaction's status-changed notification again, as a
// late or repeated delivery would. OPP's notification names only the
// transaction, so the status asked for is not in it: the shop reads the
// current state anyway.
func (s *Server) Renotify(ctx context.Context, uid, _ string) error {
	s.mu.Lock()
	t, ok := s.transactions[uid]
	var note *pending
	if ok {
		note = s.changed(t, time.Now().UTC())
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("transaction %s not found", uid)
	}
	return s.deliver(ctx, []*pending{note})
}

// Deliveries returns every notification posted so far, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// pending is a notification to post once the lock is released.
type pending struct {
	url  string
	note gen.Notification
}

// changed builds the transaction.status.changed notification for t; s.mu
// must be held. It is nil when t has no notify_url and none is configured.
func (s *Server) changed(t *transaction, now time.Time) *pending {
	target := cmp.Or(t.notifyURL, s.cfg.NotifyURL)
	if target == "" {
		return nil
	}
	return &pending{url: target, note: gen.Notification{
		UID:        "not_" + sim.NewID(6),
		Type:       client.NotificationTransactionStatusChanged,
		Created:    ts(now),
		ObjectUID:  t.uid,
		ObjectType: client.ObjectTypeTransaction,
		ObjectURL:  t.apiBase + "/transactions/" + t.uid,
	}}
}

// deliver posts notifications synchronously, in order, so the shop has them
// before the customer is back. It returns the first failure; every attempt
// is recorded in Deliveries.
func (s *Server) deliver(ctx context.Context, notes []*pending) error {
	var first error
	for _, p := range notes {
		if p == nil {
			continue
		}
		body, err := json.Marshal(p.note)
		if err != nil {
			return err
		}
		// A bank account's notification goes on its merchant's timeline.
		timeline := cmp.Or(p.note.ParentUID, p.note.ObjectUID)
		status, err := s.courier.Send(ctx, sim.Message{Payment: timeline, URL: p.url, Body: body})
		if err == nil && status/100 != 2 {
			err = fmt.Errorf("answered HTTP %d", status)
		}
		if err != nil {
			err = fmt.Errorf("notification %s about %s to %s: %w", p.note.UID, p.note.ObjectUID, p.url, err)
			if first == nil {
				first = err
			}
		}
		s.mu.Lock()
		s.deliveries = append(s.deliveries, Delivery{URL: p.url, Notification: p.note, StatusCode: status, Err: err})
		s.mu.Unlock()
	}
	return first
}

// ErrFinal is returned (wrapped) when the buyer's part of a transaction is
// over: it is no longer created or pending.
var ErrFinal = errors.New("transaction is no longer open for payment")

// ErrNotFound is returned (wrapped) for an unknown transaction.
var ErrNotFound = errors.New("transaction not found")

// open moves a created transaction to pending, as the buyer opening the
// checkout does; s.mu must be held.
func (s *Server) open(t *transaction, now time.Time) *pending {
	if t.status == client.TransactionStatusCreated && setStatus(t, client.TransactionStatusPending, now) {
		return s.changed(t, now)
	}
	return nil
}

// transition applies the customer's choice and returns the notifications to
// post: created → pending → completed (reserved with escrow) / cancelled /
// failed / expired.
func (s *Server) transition(uid string, choice sim.Choice, bank sim.Bank) (*transaction, []*pending, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.transactions[uid]
	if !ok {
		return nil, nil, fmt.Errorf("%w: %s", ErrNotFound, uid)
	}
	if t.status != client.TransactionStatusCreated && t.status != client.TransactionStatusPending {
		return t, nil, fmt.Errorf("%w: %s is %s", ErrFinal, uid, t.status)
	}
	now := time.Now().UTC()
	notes := []*pending{s.open(t, now)}
	switch choice {
	case sim.Pay:
		if t.paymentMethod == "" {
			t.paymentMethod = string(gen.PaymentMethodIdeal) // the checkout's first choice
		}
		if bank.ID != "" && t.paymentMethod == string(gen.PaymentMethodIdeal) {
			t.bank = bank
		}
		if t.escrow != nil {
			setStatus(t, client.TransactionStatusReserved, now)
			t.escrow.start = now
			t.escrow.end = t.escrow.until
			if t.escrow.periodDays > 0 {
				t.escrow.end = now.AddDate(0, 0, t.escrow.periodDays)
			}
		} else {
			setStatus(t, client.TransactionStatusCompleted, now)
			t.completed = now
		}
	case sim.Cancel:
		setStatus(t, client.TransactionStatusCancelled, now)
	case sim.Fail:
		setStatus(t, client.TransactionStatusFailed, now)
	case sim.Expire:
		// The buyer walked away: OPP ends the transaction as expired once
		// its time is up (Expire does the same without the checkout).
		setStatus(t, client.TransactionStatusExpired, now)
	default:
		return t, nil, fmt.Errorf("unknown choice %q", choice)
	}
	notes = append(notes, s.changed(t, now))
	return t, notes, nil
}

// Complete applies the customer's choice to a transaction, as the payment
// page does, and posts the notifications. The transaction changes even when
// a notification fails; the error then says which.
func (s *Server) Complete(ctx context.Context, uid string, choice sim.Choice) (*client.Transaction, error) {
	_, notes, err := s.transition(uid, choice, sim.Bank{})
	if err != nil {
		return nil, err
	}
	err = s.deliver(ctx, notes)
	tx, _ := s.Transaction(uid)
	return tx, err
}

// Expire ends a created or pending transaction as expired, as OPP does when
// the buyer does not finish in time.
func (s *Server) Expire(ctx context.Context, uid string) (*client.Transaction, error) {
	return s.move(ctx, uid, client.TransactionStatusExpired, client.TransactionStatusCreated, client.TransactionStatusPending)
}

// ReleaseEscrow completes a reserved (escrow) transaction.
func (s *Server) ReleaseEscrow(ctx context.Context, uid string) (*client.Transaction, error) {
	return s.move(ctx, uid, client.TransactionStatusCompleted, client.TransactionStatusReserved)
}

func (s *Server) move(ctx context.Context, uid string, to gen.TransactionStatus, from ...gen.TransactionStatus) (*client.Transaction, error) {
	s.mu.Lock()
	t, ok := s.transactions[uid]
	if !ok {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: %s", ErrNotFound, uid)
	}
	if !slices.Contains(from, t.status) {
		s.mu.Unlock()
		return nil, fmt.Errorf("transaction %s is %s, not %v", uid, t.status, from)
	}
	now := time.Now().UTC()
	setStatus(t, to, now)
	if to == client.TransactionStatusCompleted {
		t.completed = now
	}
	note := s.changed(t, now)
	s.mu.Unlock()
	err := s.deliver(ctx, []*pending{note})
	tx, _ := s.Transaction(uid)
	return tx, err
}

// paymentPage is the checkout at a transaction's redirect_url; opening it
// moves a created transaction to pending ("awaiting user action").
func (s *Server) paymentPage(w http.ResponseWriter, r *http.Request) {
	uid := r.URL.Query().Get("trx")
	s.mu.Lock()
	t, ok := s.transactions[uid]
	var data sim.PageData
	var note *pending
	if ok {
		note = s.open(t, time.Now().UTC())
		data = s.pageData(t)
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "unknown transaction", http.StatusNotFound)
		return
	}
	// A failed delivery is in Deliveries; the buyer still sees the checkout.
	_ = s.deliver(r.Context(), []*pending{note})
	sim.RenderPage(w, data)
}

// choose applies the buyer's choice, posts the notifications and sends the
// buyer to return_url. A failed notification does not keep the buyer on the
// page (OPP's delivery is its own business); it is in Deliveries.
func (s *Server) choose(w http.ResponseWriter, r *http.Request) {
	uid := r.URL.Query().Get("trx")
	choice, bank, err := sim.PageChoice(r, s.offeredBanks(uid))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.rec.Action(uid, sim.ChoiceNote(choice, bank))
	t, notes, err := s.transition(uid, choice, bank)
	switch {
	case errors.Is(err, ErrNotFound):
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	_ = s.deliver(r.Context(), notes)
	s.mu.Lock()
	target := t.returnURL
	s.mu.Unlock()
	// OPP documents no parameters on the return; the shop's URL is used as given.
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// writeError answers in OPP's error envelope {"error":{"code","message"}}.
func writeError(w http.ResponseWriter, status, code int, message string) {
	var env errorEnvelope
	env.Error.Code, env.Error.Message = code, message
	sim.WriteJSON(w, status, env)
}

// errorEnvelope is gen.ErrorResponse with the code as a JSON number, as the
// document shows it (flex.String would write a string).
type errorEnvelope struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// ts is a timestamp field: unix seconds, left out for the zero time.
func ts(t time.Time) gen.Timestamp { return gen.Timestamp{Time: t} }
