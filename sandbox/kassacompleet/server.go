// Package kassacompleet simulates the Kassa Compleet API for offline tests
// and the demo: Basic auth with the configured key, requests validated
// against the spec, orders that move through their statuses, a payment page
// per order, the status webhook, and what Ginger's reference adds to the
// document: refunds (each an order of its own), captures of accepted
// transactions, order updates and cancellation.
package kassacompleet

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"time"

	client "github.com/betaalkit/betaalkit/clients/kassacompleet"
	"github.com/betaalkit/betaalkit/flex"
	gen "github.com/betaalkit/betaalkit/gen/kassacompleet"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// DefaultAPIKey is the key the sandbox accepts unless told otherwise.
const DefaultAPIKey = "sandbox-kassacompleet-key"

// ProjectID is the sandbox project every order belongs to.
const ProjectID = "5a4f4a9e-0000-4000-8000-000000000001"

// Config configures a simulator.
type Config struct {
	// APIKey is the only key accepted (Basic auth username). Default DefaultAPIKey.
	APIKey string
	// WebhookURL receives status webhooks for orders that name none.
	WebhookURL string
	// HTTPClient delivers webhooks. Default: a client with a 5 s timeout.
	HTTPClient *http.Client
}

// Server is the simulator, an http.Handler. It is safe for concurrent use.
type Server struct {
	cfg       Config
	validator *sim.Validator
	mux       *http.ServeMux

	mu     sync.Mutex
	orders map[string]*gen.Order
	// refunded is what has been refunded of each order, in cents.
	refunded map[string]money.Cents
	// byTransaction maps a transaction id to its order id (payment URLs name transactions).
	byTransaction map[string]string
	webhooks      map[string]string // order id → webhook URL
	courier       *sim.Courier
	rec           *sim.Recorder
	dash          *sim.Dashboard
	handler       http.Handler
}

// New returns a simulator.
func New(cfg Config) (*Server, error) {
	if cfg.APIKey == "" {
		cfg.APIKey = DefaultAPIKey
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	v, err := sim.NewValidator("kassacompleet")
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, validator: v, orders: map[string]*gen.Order{}, refunded: map[string]money.Cents{},
		byTransaction: map[string]string{}, webhooks: map[string]string{},
		courier: sim.NewCourier(cfg.HTTPClient), rec: sim.NewRecorder()}
	s.courier.SetRecorder(s.rec)
	s.courier.SetSchedule(WebhookRetries)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/ideal/issuers/", s.api(s.listIssuers))
	mux.HandleFunc("POST /v1/orders/", s.api(s.createOrder))
	mux.HandleFunc("GET /v1/orders/{id}/", s.api(s.getOrder))
	mux.HandleFunc("PUT /v1/orders/{id}/", s.api(s.updateOrder))
	mux.HandleFunc("DELETE /v1/orders/{id}/", s.api(s.cancelOrder))
	mux.HandleFunc("POST /v1/orders/{id}/refunds/", s.api(s.createRefund))
	mux.HandleFunc("POST /v1/orders/{id}/transactions/{tx}/captures/", s.api(s.capture))
	mux.HandleFunc("GET /redirect/{tx}/to/payment/", s.transactionPage)
	mux.HandleFunc("GET /pay/{id}/", s.orderPage)
	mux.HandleFunc("POST /pay/{id}/", s.choose)
	s.dash = sim.NewDashboard("/sandbox/", s)
	mux.Handle("/sandbox/", s.dash)
	s.mux = mux
	s.handler = sim.Observe(s.rec, "/v1/", mux, "id")
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

// ServeHTTP serves the API under /v1, the payment pages, and the
// dashboard under /sandbox/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// api wraps an API handler with authentication and spec validation, as the
// provider does both before anything else.
func (s *Server) api(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.cfg.APIKey+":"))
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != want {
			writeError(w, http.StatusUnauthorized, "AuthorizationError", "Unauthorized: unknown or missing API key")
			return
		}
		if _, status, err := sim.ReadBody(w, r); err != nil {
			writeError(w, status, "ValidationError", err.Error())
			return
		}
		if _, _, err := s.validator.Check(r); err != nil {
			writeError(w, http.StatusBadRequest, "ValidationError", err.Error())
			return
		}
		h(w, r)
	}
}

func (s *Server) listIssuers(w http.ResponseWriter, _ *http.Request) {
	out := make([]gen.Issuer, 0, len(issuers))
	for _, b := range issuers {
		out = append(out, gen.Issuer{ID: b.ID, ListType: "Nederland", Name: b.Name})
	}
	sim.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	var in gen.OrderCreate
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "ValidationError", "body: "+err.Error())
		return
	}
	now := time.Now().UTC()
	order := &gen.Order{
		ID:               sim.NewUUID(),
		Created:          now,
		Modified:         now,
		Currency:         in.Currency,
		Amount:           in.Amount,
		ReturnURL:        in.ReturnURL,
		WebhookURL:       in.WebhookURL,
		Description:      in.Description,
		MerchantOrderID:  in.MerchantOrderID,
		ExpirationPeriod: in.ExpirationPeriod,
		Customer:         in.Customer,
		OrderLines:       in.OrderLines,
		Status:           client.OrderStatusNew,
		ProjectID:        ProjectID,
		// Every sandbox order is a test order, as one made with a test key.
		Flags: []string{client.FlagIsTest},
	}
	base := sim.Origin(r)
	for _, t := range in.Transactions {
		tx := gen.Transaction{
			ID:            sim.NewUUID(),
			OrderID:       order.ID,
			ProjectID:     ProjectID,
			Created:       now,
			Modified:      now,
			Currency:      in.Currency,
			Amount:        in.Amount,
			Description:   in.Description,
			Balance:       "test",
			CreditDebit:   "credit",
			Status:        client.TransactionStatusNew,
			PaymentMethod: string(t.PaymentMethod),
		}
		tx.PaymentMethodDetails.Value.IssuerID = t.PaymentMethodDetails.IssuerID
		if t.PaymentMethod == gen.PaymentMethodBankTransfer {
			tx.PaymentMethodDetails.Value.Reference = sim.NewID(8)
			tx.Status = client.TransactionStatusPending
			order.Status = client.OrderStatusProcessing
		} else {
			tx.PaymentURL = base + "/redirect/" + tx.ID + "/to/payment/"
		}
		order.Transactions = append(order.Transactions, tx)
	}
	s.mu.Lock()
	s.orders[order.ID] = order
	for _, tx := range order.Transactions {
		s.byTransaction[tx.ID] = order.ID
	}
	if in.WebhookURL != "" {
		s.webhooks[order.ID] = in.WebhookURL
	}
	out := cloneOrder(order)
	s.mu.Unlock()
	sim.Attach(r.Context(), order.ID)
	s.rec.Status(order.ID, "", order.Status, "order created")
	sim.WriteJSON(w, http.StatusCreated, out)
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	order, ok := s.Order(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "NotFound", "order "+r.PathValue("id")+" not found")
		return
	}
	sim.WriteJSON(w, http.StatusOK, order)
}

// Order returns a copy of an order's current state.
func (s *Server) Order(id string) (*gen.Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return nil, false
	}
	return cloneOrder(o), true
}

func (s *Server) transactionPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	orderID, ok := s.byTransaction[r.PathValue("tx")]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.renderPage(w, r, orderID)
}

func (s *Server) orderPage(w http.ResponseWriter, r *http.Request) {
	s.renderPage(w, r, r.PathValue("id"))
}

// renderPage shows the payment page; visiting it moves a new order to
// processing, as the document says.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, orderID string) {
	s.mu.Lock()
	o, ok := s.orders[orderID]
	opened := ok && o.Status == client.OrderStatusNew
	if opened {
		setStatus(o, client.OrderStatusProcessing, client.TransactionStatusPending)
	}
	var data sim.PageData
	if ok {
		data = s.pageData(o)
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if opened {
		s.rec.Status(orderID, client.OrderStatusNew, client.OrderStatusProcessing, "payment page opened")
	}
	sim.RenderPage(w, data)
}

func (s *Server) choose(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	choice, bank, err := sim.PageChoice(r, s.offeredBanks(id))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if bank.ID != "" {
		s.chooseBank(id, bank)
	}
	s.rec.Action(id, sim.ChoiceNote(choice, bank))
	order, err := s.Complete(r.Context(), id, choice)
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	target := "/pay/" + order.ID + "/"
	if order.ReturnURL != "" {
		target = sim.WithQuery(order.ReturnURL, url.Values{"order_id": {order.ID}, "project_id": {ProjectID}})
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// Complete applies the customer's choice to an order, as the payment page
// does, and delivers the status webhook. It fails for an order that is
// already final.
func (s *Server) Complete(ctx context.Context, orderID string, choice sim.Choice) (*gen.Order, error) {
	s.mu.Lock()
	o, ok := s.orders[orderID]
	if !ok {
		s.mu.Unlock()
		return nil, fmt.Errorf("order %s not found", orderID)
	}
	if client.NormalizeStatus(o.Status).IsFinal() || isRefund(o) {
		s.mu.Unlock()
		return nil, fmt.Errorf("order %s is already %s", orderID, o.Status)
	}
	from := o.Status
	switch choice {
	case sim.Pay:
		setStatus(o, client.OrderStatusCompleted, client.TransactionStatusCompleted)
		o.Completed = time.Now().UTC()
	case sim.Cancel:
		setStatus(o, client.OrderStatusCancelled, client.TransactionStatusCancelled)
	case sim.Fail:
		setStatus(o, client.OrderStatusError, client.TransactionStatusError)
	case sim.Expire:
		// An abandoned order's transaction expires, and the order with it.
		setStatus(o, client.OrderStatusExpired, client.TransactionStatusExpired)
	}
	out := cloneOrder(o)
	s.mu.Unlock()
	s.rec.Status(out.ID, from, out.Status, string(choice))
	if err := s.notify(ctx, out.ID); err != nil {
		return out, fmt.Errorf("order %s is %s, but the webhook failed: %w", out.ID, out.Status, err)
	}
	return out, nil
}

// notify delivers the status_changed webhook of an order (it carries no
// status: the shop reads the order).
func (s *Server) notify(ctx context.Context, orderID string) error {
	s.mu.Lock()
	hook := s.webhookURL(orderID)
	s.mu.Unlock()
	body, _ := json.Marshal(gen.WebhookEvent{Event: "status_changed", OrderID: orderID, ProjectID: ProjectID})
	_, err := s.courier.Send(ctx, sim.Message{Payment: orderID, URL: hook, Body: body})
	return err
}

// Webhooks is the simulator's courier: make it deliver twice, or hold
// deliveries until released.
func (s *Server) Webhooks() *sim.Courier { return s.courier }

// Renotify delivers an order's webhook again, as a late or repeated
// delivery would. Kassa Compleet's webhook names only the order, so the
// status asked for is not in it: the shop reads the current state anyway.
func (s *Server) Renotify(ctx context.Context, orderID, _ string) error {
	s.mu.Lock()
	_, ok := s.orders[orderID]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("order %s not found", orderID)
	}
	return s.notify(ctx, orderID)
}

func setStatus(o *gen.Order, order, tx string) {
	now := time.Now().UTC()
	o.Status, o.Modified = order, now
	for i := range o.Transactions {
		o.Transactions[i].Status = tx
		o.Transactions[i].Modified = now
	}
}

// cloneOrder copies an order deep enough that the copy does not change
// with the original (its flags and transactions are appended to and
// changed in place).
func cloneOrder(o *gen.Order) *gen.Order {
	c := *o
	c.Flags = slices.Clone(o.Flags)
	c.Transactions = slices.Clone(o.Transactions)
	for i := range c.Transactions {
		c.Transactions[i].Flags = slices.Clone(c.Transactions[i].Flags)
	}
	return &c
}

// writeError answers in Kassa Compleet's error envelope.
func writeError(w http.ResponseWriter, status int, typ, value string) {
	var env gen.ErrorResponse
	env.Error.Type, env.Error.Value = typ, value
	env.Error.Status = flex.String(fmt.Sprint(status))
	sim.WriteJSON(w, status, env)
}
