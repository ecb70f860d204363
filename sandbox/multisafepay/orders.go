package multisafepay

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	client "github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/flex"
	gen "github.com/betaalkit/betaalkit/gen/multisafepay"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/sandbox/sim"
	"github.com/betaalkit/betaalkit/signing"
)

// ErrNotification means a status changed but its notification was not
// accepted by the merchant (no answer, or not 2xx).
var ErrNotification = errors.New("notification not delivered")

// order is the sandbox's state of one order. data holds what GET
// /orders/{id} shows except the numeric ids, which wire adds. Slices in
// data are replaced, never written through, so shallow copies taken under
// the lock stay valid after it is released.
type order struct {
	data    gen.Order
	rawID   json.RawMessage // order_id as the request sent it: MultiSafepay answers it in that JSON type
	txID    int64
	token   string // names the payment page
	bank    string // the iDEAL issuer's name on a direct iDEAL order's page
	options paymentOptions
	refunds []refund
	// offerBanks: the payment page asks for the iDEAL bank (a redirect
	// order that names none).
	offerBanks bool
	// model and reference store the customer's payment details as a token
	// when the order completes (an order with a recurring model).
	model, reference string
}

// orderIn is an order request as the sandbox reads it: every form the spec
// accepts, not only the plain ones our client sends ("amount": "1000",
// "manual": "false", "quantity": "3", "issuer_id": 21). The objects an
// answer echoes are read into the answer's tolerant types.
type orderIn struct {
	Type           gen.OrderType      `json:"type"`
	Gateway        string             `json:"gateway"`
	OrderID        json.RawMessage    `json:"order_id"`
	RecurringID    flex.String        `json:"recurring_id"`
	RecurringModel gen.RecurringModel `json:"recurring_model"`
	Currency       string             `json:"currency"`
	Amount         money.Cents        `json:"amount"`
	Description    string             `json:"description"`
	Var1           string             `json:"var1"`
	Var2           string             `json:"var2"`
	Var3           string             `json:"var3"`
	Items          string             `json:"items"`
	PaymentOptions paymentOptions     `json:"payment_options"`
	GatewayInfo    struct {
		IssuerID flex.String `json:"issuer_id"`
	} `json:"gateway_info"`
	Customer        gen.OrderCustomer        `json:"customer"`
	CustomInfo      gen.OrderCustomInfo      `json:"custom_info"`
	ShoppingCart    gen.OrderShoppingCart    `json:"shopping_cart"`
	CheckoutOptions gen.OrderCheckoutOptions `json:"checkout_options"`
}

// paymentOptions is what the sandbox uses of an order's payment_options.
type paymentOptions struct {
	NotificationURL    string                 `json:"notification_url"`
	NotificationMethod gen.NotificationMethod `json:"notification_method"`
	RedirectURL        string                 `json:"redirect_url"`
	CancelURL          string                 `json:"cancel_url"`
}

type refund struct {
	id                             int64
	amount                         money.Cents
	currency, description, created string
}

func (o *order) id() string          { return o.data.OrderID.String() }
func (o *order) status() string      { return o.data.Status }
func (o *order) amount() money.Cents { return o.data.Amount.Cents }

// wireOrder is an order as MultiSafepay writes it: transaction ids are JSON
// numbers (the shallower fields win over the generated, textual ones).
type wireOrder struct {
	gen.Order
	OrderID             json.RawMessage `json:"order_id"`
	TransactionID       int64           `json:"transaction_id"`
	AmountRefunded      money.Cents     `json:"amount_refunded"` // sent as 0 too, as MultiSafepay does
	RelatedTransactions []wireRelated   `json:"related_transactions,omitempty"`
}

type wireRelated struct {
	gen.RelatedTransaction
	TransactionID int64 `json:"transaction_id"`
}

func (o *order) wire() wireOrder {
	w := wireOrder{Order: o.data, OrderID: o.rawID, TransactionID: o.txID, AmountRefunded: o.data.AmountRefunded.Cents}
	for _, r := range o.refunds {
		w.RelatedTransactions = append(w.RelatedTransactions, wireRelated{
			RelatedTransaction: gen.RelatedTransaction{
				Amount:      money.BlankCents{Cents: r.amount},
				Currency:    r.currency,
				Description: r.description,
				Status:      client.StatusCompleted,
				Created:     r.created,
				Modified:    r.created,
			},
			TransactionID: r.id,
		})
	}
	return w
}

// notification is a notification to deliver once the lock is released.
type notification struct {
	orderID, target string
	post            bool
	body            []byte // the order as GET /orders/{id} returns it
}

// notificationFor prepares the notification of o's current state. Call it
// with the lock held.
func (s *Server) notificationFor(o *order) notification {
	body, _ := json.Marshal(o.wire())
	// MultiSafepay's default method is GET, which carries no order and no signature.
	post := o.options.NotificationMethod == gen.NotificationMethodPOST
	return notification{orderID: o.id(), target: s.notificationURL(o), post: post, body: body}
}

// notificationURL is where o's notifications go; s.mu must be held.
func (s *Server) notificationURL(o *order) string {
	return cmp.Or(o.options.NotificationURL, s.cfg.NotificationURL)
}

// Webhooks is the simulator's courier: make it deliver twice, or hold
// notifications until released.
func (s *Server) Webhooks() *sim.Courier { return s.courier }

// Renotify delivers an order's notification again, freshly signed, as it
// read when the order had the given status (e.g. "initialized" after it was
// completed): a late delivery of an earlier state. status "" sends the
// current state again.
func (s *Server) Renotify(ctx context.Context, orderID, status string) error {
	s.mu.Lock()
	o, ok := s.orders[orderID]
	var n notification
	if ok {
		n = s.notificationFor(o)
		if status != "" {
			w := o.wire()
			w.Status = status
			n.body, _ = json.Marshal(w)
		}
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("order %s not found", orderID)
	}
	return s.deliver(ctx, n)
}

// deliver sends a notification as MultiSafepay does: to the notification
// URL with ?transactionid=<order_id>&timestamp=<unix>, and for the POST
// method with the order as body and the Auth header. A retry carries a new
// timestamp (and so a new signature), as MultiSafepay's do.
func (s *Server) deliver(ctx context.Context, n notification) error {
	if n.target == "" {
		return nil
	}
	m := sim.Message{Payment: n.orderID, Method: http.MethodGet, Sign: func() (string, http.Header, error) {
		now := s.cfg.Now()
		target := sim.WithQuery(n.target, url.Values{"transactionid": {n.orderID}, "timestamp": {strconv.FormatInt(now.Unix(), 10)}})
		if !n.post {
			return target, nil, nil
		}
		return target, http.Header{signing.MultiSafepayNotificationHeader: {signing.SignMultiSafepayNotification(s.cfg.APIKey, n.body, now)}}, nil
	}}
	m.URL, _, _ = m.Sign()
	if n.post {
		m.Method, m.Body = http.MethodPost, n.body
	}
	status, err := s.courier.Send(ctx, m)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotification, err)
	}
	if status/100 != 2 {
		return fmt.Errorf("%w: the notification URL answered %d", ErrNotification, status)
	}
	return nil
}

func (s *Server) timestamp() string { return s.cfg.Now().In(s.zone).Format("2006-01-02T15:04:05") }

// newID returns the next transaction or refund id. Call it with the lock held.
func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	var in orderIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, client.CodeUnknown, "body: "+err.Error())
		return
	}
	var orderID flex.String // the spec has checked it is text or a number
	_ = json.Unmarshal(in.OrderID, &orderID)
	id := orderID.String()
	typ := gen.OrderTypeRedirect
	if in.Type != "" {
		typ = in.Type
	}
	// A direct order with a stored token as recurring_id charges it at
	// once, with the token's payment method.
	charge, _ := s.findToken(in.Customer.Reference.String(), in.RecurringID.String())
	if charge != nil && typ == gen.OrderTypeDirect && in.Gateway == "" {
		in.Gateway = charge.Code
	}
	if in.Amount <= 0 {
		writeError(w, http.StatusBadRequest, client.CodeInvalidAmount, "Invalid amount: amount must be a positive number of cents")
		return
	}
	if strings.TrimSpace(in.Description) == "" {
		writeError(w, http.StatusBadRequest, client.CodeInvalidDescription, "Invalid description: description is empty")
		return
	}
	var gw gateway
	if name := in.Gateway; name != "" {
		var ok bool
		if gw, ok = findGateway(name); !ok {
			writeError(w, http.StatusBadRequest, client.CodeUnknown, "Unknown gateway "+name+": the payment method is not available for this website")
			return
		}
		if !gw.accepts("", in.Currency, 0) {
			writeError(w, http.StatusBadRequest, client.CodeInvalidCurrency, "Invalid currency: "+gw.description+" does not accept "+in.Currency)
			return
		}
	}
	var bank issuerJSON
	if typ == gen.OrderTypeDirect {
		switch {
		case gw.id == "":
			writeError(w, http.StatusBadRequest, client.CodeMissingData, "Missing data: gateway is required for a direct order")
			return
		case gw.id == "IDEAL" && in.RecurringID == "":
			var ok bool
			if in.GatewayInfo.IssuerID == "" {
				writeError(w, http.StatusBadRequest, client.CodeInvalidIdealIssuer, "Invalid iDEAL issuer: gateway_info.issuer_id is required for a direct iDEAL order")
				return
			}
			if bank, ok = idealIssuer(in.GatewayInfo.IssuerID.String()); !ok {
				writeError(w, http.StatusBadRequest, client.CodeInvalidIdealIssuer, "Invalid iDEAL issuer: "+strconv.Quote(in.GatewayInfo.IssuerID.String()))
				return
			}
		}
	}

	base := sim.Origin(r)
	s.mu.Lock()
	if _, dup := s.orders[id]; dup {
		s.mu.Unlock()
		writeError(w, http.StatusConflict, client.CodeInvalidOrderID, "Invalid order ID: "+id+" is already used")
		return
	}
	now := s.timestamp()
	o := &order{txID: s.newID(), rawID: in.OrderID, token: sim.NewID(16), bank: bank.Description, options: in.PaymentOptions,
		model: string(in.RecurringModel), reference: in.Customer.Reference.String()}
	o.data = gen.Order{
		OrderID:         orderID,
		Created:         now,
		Modified:        now,
		Currency:        in.Currency,
		Amount:          money.BlankCents{Cents: in.Amount},
		Description:     flex.String(in.Description),
		Var1:            flex.String(in.Var1),
		Var2:            flex.String(in.Var2),
		Var3:            flex.String(in.Var3),
		Items:           flex.String(in.Items),
		Status:          client.StatusInitialized,
		FinancialStatus: client.StatusInitialized,
		Fastcheckout:    "NO",
		Customer:        in.Customer,
		CustomInfo:      in.CustomInfo,
		ShoppingCart:    in.ShoppingCart,
		CheckoutOptions: in.CheckoutOptions,
		Costs:           []gen.Cost{},
	}
	if gw.id != "" {
		o.data.Gateway = gw.id
		o.data.PaymentDetails = gen.PaymentDetails{Type: gw.id}
	}
	switch {
	case typ == gen.OrderTypeDirect && charge != nil:
		// No page: the stored details are charged below.
		o.data.PaymentDetails.RecurringID = flex.String(charge.Token)
		o.data.PaymentDetails.RecurringModel = flex.String(charge.Model)
	case typ == gen.OrderTypeDirect && gw.id == client.GatewayBankTransfer:
		// No page: the customer transfers the money; Complete stands in for its arrival.
		o.data.GatewayInfo = gen.OrderGatewayInfo{
			Reference:                strconv.FormatInt(o.txID, 10) + sim.NewID(2),
			DestinationHolderName:    "MultiSafepay",
			DestinationHolderCity:    "Amsterdam",
			DestinationHolderCountry: "NL",
			DestinationHolderIban:    "NL21DEUT0265155096",
			DestinationHolderSwift:   "DEUTNL2N",
		}
	case typ == gen.OrderTypeDirect && gw.id == client.GatewayIDEAL && bank.Code != "":
		// A direct iDEAL order goes straight to the customer's bank.
		trx := fmt.Sprintf("%016d", o.txID)
		o.data.PaymentDetails.IssuerID = flex.String(bank.Code)
		o.data.PaymentDetails.ExternalTransactionID = flex.String(trx)
		o.data.PaymentURL = base + "/ideal/" + o.token + "/?trxid=" + trx
	default:
		// The checkout asks an iDEAL customer (the page's first choice) for the bank.
		o.offerBanks = gw.id == "" || gw.id == client.GatewayIDEAL
		lang := "nl_NL"
		if in.Customer.Locale != "" {
			lang = in.Customer.Locale.String()
		}
		o.data.PaymentURL = base + "/connect/" + o.token + "/?lang=" + url.QueryEscape(lang)
	}
	s.orders[id] = o
	s.pages[o.token] = id
	full := o.wire()
	s.mu.Unlock()
	sim.Attach(r.Context(), id)
	s.rec.Status(id, "", full.Status, "order created")

	if typ == gen.OrderTypeDirect {
		if charge != nil {
			s.rec.Action(id, "token "+charge.Token+" charged")
			// The charge stands even if the shop misses the notification.
			_, _ = s.transition(r.Context(), id, client.StatusCompleted)
			s.mu.Lock()
			full = o.wire()
			s.mu.Unlock()
		}
		writeData(w, http.StatusOK, full)
		return
	}
	// A redirect (checkout, payment link) order answers only these.
	writeData(w, http.StatusOK, struct {
		OrderID    json.RawMessage `json:"order_id"`
		PaymentURL string          `json:"payment_url"`
		SessionID  string          `json:"session_id"`
	}{in.OrderID, full.PaymentURL, o.token})
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	o, ok := s.orders[r.PathValue("order_id")]
	var out wireOrder
	if ok {
		out = o.wire()
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, client.CodeInvalidOrderID, "Invalid transaction ID")
		return
	}
	writeData(w, http.StatusOK, out)
}

// Order returns an order's current state as our client decodes it.
func (s *Server) Order(orderID string) (*client.Order, bool) {
	s.mu.Lock()
	o, ok := s.orders[orderID]
	var w wireOrder
	if ok {
		w = o.wire()
	}
	s.mu.Unlock()
	if !ok {
		return nil, false
	}
	return decode(w), true
}

// decode turns the wire form into the client's model (a deep copy, too).
func decode(w wireOrder) *client.Order {
	body, _ := json.Marshal(w)
	var out client.Order
	_ = json.Unmarshal(body, &out)
	return &out
}

func (s *Server) updateOrder(w http.ResponseWriter, r *http.Request) {
	var in gen.OrderUpdate
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, client.CodeUnknown, "body: "+err.Error())
		return
	}
	id := r.PathValue("order_id")
	s.mu.Lock()
	o, ok := s.orders[id]
	if !ok {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, client.CodeInvalidOrderID, "Invalid transaction ID")
		return
	}
	var n *notification
	if in.Status != "" {
		from, to := o.status(), string(in.Status)
		var financial string
		switch {
		case to == client.StatusShipped && (from == client.StatusCompleted || from == client.StatusPartialRefunded):
			financial = o.data.FinancialStatus
		case to == client.StatusCompleted && (from == client.StatusInitialized || from == client.StatusUncleared):
			// The merchant accepts the payment (e.g. a bank transfer arrived).
			s.settle(o)
			financial = client.StatusCompleted
		case to == client.StatusVoid && (from == client.StatusInitialized || from == client.StatusUncleared):
			financial = client.StatusVoid
		case to == from:
		default:
			s.mu.Unlock()
			writeError(w, http.StatusConflict, client.CodeUnknown, fmt.Sprintf("Order %s is %s and cannot be set to %s", id, from, to))
			return
		}
		if to != from {
			o.data.Status, o.data.FinancialStatus, o.data.Modified = to, financial, s.timestamp()
			nn := s.notificationFor(o)
			n = &nn
			s.rec.Status(id, from, to, "API: PATCH status")
		}
	}
	// tracktrace_code, carrier, ship_date, reason and invoice_id are
	// accepted; the order status JSON has no field that shows them.
	s.mu.Unlock()
	if n != nil {
		// The update stands even if the shop misses this; MultiSafepay would retry.
		_ = s.deliver(r.Context(), *n)
	}
	writeData(w, http.StatusOK, struct{}{})
}

// page shows the payment page (MultiSafepay's, or the bank's for a direct
// iDEAL order). Visiting it does not change the order.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	s.mu.Lock()
	o, ok := s.orders[s.pages[token]]
	var data sim.PageData
	if ok {
		data = s.pageData(o, strings.TrimSuffix(r.URL.Path, "/")+"/")
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	sim.RenderPage(w, data)
}

// choose applies the customer's choice and sends the customer back to the
// shop: redirect_url, or cancel_url on cancel or expire, with
// ?transactionid=<order_id>.
func (s *Server) choose(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	id, ok := s.pages[r.PathValue("token")]
	var offered []sim.Bank
	if ok && s.orders[id].offerBanks {
		offered = banks
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	choice, bank, err := sim.PageChoice(r, offered)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.rec.Action(id, sim.ChoiceNote(choice, bank))
	if bank.ID != "" {
		s.chooseBank(id, bank)
	}
	order, err := s.Complete(r.Context(), id, choice)
	switch {
	case errors.Is(err, ErrNotification):
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	s.mu.Lock()
	options := s.orders[id].options
	s.mu.Unlock()
	back := options.RedirectURL
	// cancel_url is "where we will direct a customer from our payment pages
	// after a cancelled or unsuccessful transaction" (MultiSafepay JSON API,
	// payment_options); an expired one is unsuccessful.
	if (choice == sim.Cancel || choice == sim.Expire) && options.CancelURL != "" {
		back = options.CancelURL
	}
	if back == "" {
		http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, sim.WithQuery(back, url.Values{"transactionid": {order.OrderID.String()}}), http.StatusSeeOther)
}

// Complete applies the customer's choice to an initialized order, as the
// payment page does: pay → completed, cancel → canceled, fail → declined,
// expire → expired (as Expire).
// It then delivers the notification; if the shop does not accept it, the
// order keeps its new status and the error wraps ErrNotification.
func (s *Server) Complete(ctx context.Context, orderID string, choice sim.Choice) (*client.Order, error) {
	switch choice {
	case sim.Pay:
		return s.transition(ctx, orderID, client.StatusCompleted)
	case sim.Cancel:
		return s.transition(ctx, orderID, client.StatusCanceled)
	case sim.Fail:
		return s.transition(ctx, orderID, client.StatusDeclined)
	case sim.Expire:
		return s.Expire(ctx, orderID)
	}
	return nil, fmt.Errorf("unknown choice %q", choice)
}

// Expire lets an initialized order expire, as MultiSafepay does when the
// customer never finishes, and delivers the notification.
func (s *Server) Expire(ctx context.Context, orderID string) (*client.Order, error) {
	return s.transition(ctx, orderID, client.StatusExpired)
}

func (s *Server) transition(ctx context.Context, orderID, to string) (*client.Order, error) {
	s.mu.Lock()
	o, ok := s.orders[orderID]
	if !ok {
		s.mu.Unlock()
		return nil, fmt.Errorf("order %s not found", orderID)
	}
	if from := o.status(); from != client.StatusInitialized && from != client.StatusUncleared {
		s.mu.Unlock()
		return nil, fmt.Errorf("order %s is already %s", orderID, from)
	}
	if to == client.StatusCompleted {
		s.settle(o)
	} else {
		o.data.PaymentMethods = []gen.PaymentMethod{s.paymentMethod(o, to)}
	}
	from := o.status()
	o.data.Status, o.data.FinancialStatus, o.data.Modified = to, to, s.timestamp()
	n := s.notificationFor(o)
	out := decode(o.wire())
	s.mu.Unlock()
	s.rec.Status(orderID, from, to, "")
	if err := s.deliver(ctx, n); err != nil {
		return out, fmt.Errorf("order %s is %s, but: %w", orderID, to, err)
	}
	return out, nil
}

// settle fills in how a completed order was paid, and stores the payment
// details as a token when the order asked for it (a recurring model and a
// customer reference). Call it with the lock held.
func (s *Server) settle(o *order) {
	gw := o.data.Gateway
	if gw == "" {
		gw = client.GatewayIDEAL // what the sandbox's customer picks on the payment page
		o.data.Gateway = gw
	}
	was := o.data.PaymentDetails
	details := gen.PaymentDetails{
		Type:                  gw,
		AccountHolderName:     "Sandbox Customer",
		IssuerID:              was.IssuerID,
		ExternalTransactionID: was.ExternalTransactionID,
		RecurringID:           was.RecurringID,
		RecurringModel:        was.RecurringModel,
	}
	if isCard(gw) {
		details.Last4, details.CardExpiryDate = sandboxCard.last4, sandboxCard.expiry
	} else {
		details.AccountIban = "NL87ABNA0000000001"
	}
	if details.ExternalTransactionID == "" {
		details.ExternalTransactionID = flex.String(fmt.Sprintf("%016d", o.txID))
	}
	if details.RecurringID == "" && o.model != "" && o.reference != "" && tokenizable(gw) {
		t := s.storeToken(o, details)
		details.RecurringID, details.RecurringModel = flex.String(t.Token), flex.String(t.Model)
	}
	o.data.PaymentDetails = details
	o.data.Reason = "Successful approval/completion"
	o.data.Completed = s.timestamp()
	o.data.PaymentMethods = []gen.PaymentMethod{s.paymentMethod(o, client.StatusCompleted)}
	if gw == client.GatewayIDEAL {
		o.data.Costs = []gen.Cost{{Description: "0.49 For iDEAL Transactions", Type: "SYSTEM", Amount: money.BlankDecimal{Decimal: money.MustDecimal("0.49")}}}
	}
}

func (s *Server) paymentMethod(o *order, status string) gen.PaymentMethod {
	gw := o.data.Gateway
	name := gw
	if g, ok := findGateway(gw); ok {
		name = g.description
	}
	return gen.PaymentMethod{
		Type: gw, PaymentDescription: name, Status: status,
		Amount: o.data.Amount, Currency: o.data.Currency, Description: o.data.Description.String(),
	}
}
