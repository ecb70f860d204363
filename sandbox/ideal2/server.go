// Package ideal2 simulates iDEAL 2.0 payment initiation through the
// Worldline routing service for offline tests and the demo: the signed
// access-token request, bearer tokens, requests verified (Digest and
// Signature) against the configured merchant certificate, responses and
// notifications signed with a sandbox key whose certificate it exposes,
// payments with a hosted "bank" page, and the test-amount rules.
//
// Test amounts decide the outcome when the customer finishes the payment
// page (or Complete is called), whatever the customer chooses: 1.00 →
// SettlementCompleted, 2.00 → Cancelled, 3.00 → Expired, 4.00 → Open (the
// payment stays open until it expires), 5.00 → Error. Until then a payment
// is Open, so a status poll sees what the real service shows while the
// customer is at the bank. Other amounts follow the customer's choice: pay →
// SettlementCompleted, cancel → Cancelled, fail → Error, expire → Expired
// (the customer walked away: the payment ends as it does when its time
// runs out). An open payment expires four hours after creation.
//
// iDEAL 2.0 has no refunds; neither has the sandbox.
package ideal2

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"time"

	client "github.com/betaalkit/betaalkit/clients/ideal2"
	gen "github.com/betaalkit/betaalkit/gen/ideal2"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/sandbox/sim"
	"github.com/betaalkit/betaalkit/signing"
)

// The routing service's paths: the PIS base path and the token endpoint.
const (
	PISBasePath = "/xs2a/routingservice/services/ob/pis/v3"
	TokenPath   = "/xs2a/routingservice/services/authorize/token"
)

// PaymentLifetime is how long a payment stays open (the seed's examples
// expire four hours after creation).
const PaymentLifetime = 4 * time.Hour

// The sandbox's customer, reported as debtor of a settled payment.
const (
	DebtorName = "Sandbox Customer"
	DebtorBIC  = "ABNANL2AXXX"
	DebtorIBAN = "NL91ABNA0417164300"
	// AspspID is the id of the customer's bank in status answers.
	AspspID = "10002"
)

// FastCheckoutContact and FastCheckoutAddress are what a settled Fast
// Checkout payment reports of the sandbox's customer: the contact details
// and the address (as both shipping and billing address) its request asked
// for, and nothing it did not ask for.
var (
	FastCheckoutContact = client.DebtorContactDetails{FirstName: "Sandbox", LastName: "Customer", PhoneNumber: "+31612345678", Email: "customer@sandbox.example"}
	FastCheckoutAddress = client.AddressData{
		FirstName: "Sandbox", LastName: "Customer", StreetName: "Damrak", BuildingNumber: "1", Floor: "A",
		PostCode: "1012LG", TownName: "Amsterdam", Country: "Netherlands",
	}
)

// ErrUnknownPayment is returned for a PaymentId the sandbox never issued.
var ErrUnknownPayment = errors.New("ideal2 sandbox: unknown payment")

// ErrFinal is returned when a final payment is completed again.
var ErrFinal = errors.New("ideal2 sandbox: payment is already final")

// ErrNotification wraps a notification that could not be delivered (or
// that the receiver refused). The status has changed all the same.
var ErrNotification = errors.New("ideal2 sandbox: notification not delivered")

// Config configures a simulator.
type Config struct {
	// Merchant is the only merchant accepted (Id, Client and certificate).
	// Nil: New generates one (NewMerchant); Server.Merchant returns it.
	Merchant *Merchant
	// SigningKey signs responses and notifications. Nil: New generates
	// one. Tests may share one to save key generation.
	SigningKey *rsa.PrivateKey
	// TokenLifetime is how long an access token lives (default 60 minutes).
	TokenLifetime time.Duration
	// MaxClockSkew is how far a request's Date or MessageCreateDateTime
	// may be from the sandbox's clock (default 5 minutes).
	MaxClockSkew time.Duration
	// IgnoreCertificateValidity accepts a merchant certificate outside its
	// validity period, e.g. Worldline's expired published test certificate.
	IgnoreCertificateValidity bool
	// NotificationURL receives notifications for payments that name none.
	NotificationURL string
	// HTTPClient delivers notifications. Default: a client with a 5 s timeout.
	HTTPClient *http.Client
	// Clock decides token expiry, freshness, payment expiry and the signed
	// times (nil: time.Now).
	Clock func() time.Time
}

// Server is the simulator, an http.Handler. It is safe for concurrent use.
type Server struct {
	cfg           Config
	validator     *sim.Validator
	mux           *http.ServeMux
	key           *rsa.PrivateKey
	cert          *x509.Certificate
	pisVerifier   *signing.IDEAL2Verifier
	tokenVerifier *signing.IDEAL2Verifier

	mu       sync.Mutex
	tokens   map[string]tokenInfo
	payments map[string]*payment
	seq      int
	courier  *sim.Courier
	rec      *sim.Recorder
	dash     *sim.Dashboard
	handler  http.Handler
}

type payment struct {
	id, aspspPaymentID     string
	amount                 money.DecimalString
	cents                  money.Cents
	description, reference string
	status                 client.PaymentStatus
	created, expiry        time.Time
	returnURL, notifyURL   string
	settled                bool
	bank                   sim.Bank // chosen on the iDEAL page
	pageURL                string   // the iDEAL page (the redirect link)
	// fastCheckout is what a Fast Checkout payment asked for (nil: a
	// standard payment).
	fastCheckout *gen.ExpectedCheckoutData
}

// New returns a simulator.
func New(cfg Config) (*Server, error) {
	// Both keys are generated side by side: RSA generation is most of the start-up time.
	generated := cfg.Merchant == nil
	var merchantErr error
	var wg sync.WaitGroup
	if generated {
		wg.Go(func() { cfg.Merchant, merchantErr = NewMerchant() })
	}
	s := &Server{tokens: map[string]tokenInfo{}, payments: map[string]*payment{}}
	var err error
	if cfg.SigningKey != nil {
		s.key = cfg.SigningKey
		s.cert, err = selfSigned("betaalkit iDEAL 2.0 sandbox routing service", s.key)
	} else {
		s.key, s.cert, err = newKeyPair("betaalkit iDEAL 2.0 sandbox routing service")
	}
	wg.Wait()
	if err = errors.Join(err, merchantErr); err != nil {
		return nil, err
	}
	m := cfg.Merchant
	if m.ID == "" || m.ClientName == "" || m.Certificate == nil {
		return nil, errors.New("ideal2 sandbox: Merchant needs ID, ClientName and Certificate")
	}
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = time.Hour
	}
	if cfg.MaxClockSkew <= 0 {
		cfg.MaxClockSkew = 5 * time.Minute
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	s.cfg = cfg
	s.courier = sim.NewCourier(cfg.HTTPClient)
	s.rec = sim.NewRecorder()
	s.courier.SetRecorder(s.rec)
	s.courier.SetSchedule(WebhookRetries)
	if s.validator, err = sim.NewValidator("ideal2"); err != nil {
		return nil, err
	}
	// Two verifiers: only PIS requests carry MessageCreateDateTime.
	for _, v := range []**signing.IDEAL2Verifier{&s.pisVerifier, &s.tokenVerifier} {
		if *v, err = signing.NewIDEAL2Verifier(m.Certificate); err != nil {
			return nil, fmt.Errorf("ideal2 sandbox: merchant certificate: %w", err)
		}
		(*v).Clock = s.now
		(*v).IgnoreValidity = cfg.IgnoreCertificateValidity
	}
	s.pisVerifier.MaxAge = cfg.MaxClockSkew

	mux := http.NewServeMux()
	mux.HandleFunc("POST "+TokenPath, s.token)
	mux.HandleFunc("POST "+PISBasePath+"/payments", s.api(s.createPayment))
	mux.HandleFunc("GET "+PISBasePath+"/payments/{id}/status", s.api(s.getStatus))
	mux.HandleFunc(PISBasePath+"/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, fail(http.StatusNotFound, CodeNotFound, "no endpoint %s %s", r.Method, r.URL.Path))
	})
	mux.HandleFunc("GET /pay/{id}", s.page)
	mux.HandleFunc("POST /pay/{id}", s.choose)
	mux.HandleFunc("GET /sandbox/errors/{code}", errorHelp)
	mux.HandleFunc("GET /sandbox/server-cert.pem", pemHandler(certificatePEM(s.cert)))
	mux.HandleFunc("GET /sandbox/merchant-cert.pem", pemHandler(m.CertificatePEM()))
	if generated {
		// Only a key the sandbox made itself is handed out: CLI users have no other.
		keyPEM, err := m.KeyPEM()
		if err != nil {
			return nil, err
		}
		mux.HandleFunc("GET /sandbox/merchant-key.pem", pemHandler(keyPEM))
	}
	s.dash = sim.NewDashboard("/sandbox/", s)
	mux.Handle("/sandbox/", s.dash)
	s.mux = mux
	s.handler = sim.Observe(s.rec, "/xs2a/", mux, "id")
	return s, nil
}

// NewTestServer starts a simulator on a loopback port and returns it with a
// client of ours already pointed at it (verifying responses with the
// sandbox's certificate, polling every 10 ms). The merchant must have a Key.
// Close the server when done. configure may change the client's Config
// first (e.g. set its Logger).
func NewTestServer(cfg Config, configure ...func(*client.Config)) (*httptest.Server, *Server, *client.Client, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	if s.cfg.Merchant.Key == nil {
		return nil, nil, nil, errors.New("ideal2 sandbox: NewTestServer needs a merchant with a Key")
	}
	ts := httptest.NewServer(s)
	ccfg := s.ClientConfig(ts.URL)
	for _, f := range configure {
		f(&ccfg)
	}
	c, err := client.New(ccfg)
	if err != nil {
		ts.Close()
		return nil, nil, nil, err
	}
	return ts, s, c, nil
}

// ClientConfig returns our client's configuration for the sandbox's
// merchant against the sandbox at sandboxURL (scheme and host).
func (s *Server) ClientConfig(sandboxURL string) client.Config {
	cfg := s.cfg.Merchant.ClientConfig(sandboxURL, s.cert)
	cfg.PollBackoff = func(int) time.Duration { return 10 * time.Millisecond }
	if s.cfg.Clock != nil {
		cfg.Clock = s.cfg.Clock // the signed times must agree with the sandbox's clock
	}
	return cfg
}

// Certificate is the sandbox's response-signing certificate (the client's
// Config.ServerCertificate).
func (s *Server) Certificate() *x509.Certificate { return s.cert }

// Merchant is the merchant the sandbox accepts.
func (s *Server) Merchant() *Merchant { return s.cfg.Merchant }

// ServeHTTP serves the token endpoint, the PIS API, the payment pages and
// the certificates under /sandbox/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// ExpireTokens ends every access token issued so far, as if their hour
// had passed; the next PIS request with one is refused with 017.
func (s *Server) ExpireTokens() {
	now := s.now()
	s.mu.Lock()
	for t, info := range s.tokens {
		info.expires = now
		s.tokens[t] = info
	}
	s.mu.Unlock()
}

func (s *Server) now() time.Time {
	if s.cfg.Clock != nil {
		return s.cfg.Clock()
	}
	return time.Now()
}

// api wraps a PIS handler with authentication and then spec validation, as
// the routing service does both before anything else.
func (s *Server) api(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, status, err := sim.ReadBody(w, r)
		if err != nil {
			s.writeError(w, r, fail(status, CodeInvalidRequest, "%v", err))
			return
		}
		if e := s.authenticate(r, body); e != nil {
			s.writeError(w, r, e)
			return
		}
		if _, _, err := s.validator.Check(r); err != nil {
			s.writeError(w, r, fail(http.StatusBadRequest, CodeInvalidRequest, "%s", err))
			return
		}
		h(w, r)
	}
}

// testAmounts are the routing service's test-environment outcomes by amount.
var testAmounts = map[money.Cents]client.PaymentStatus{
	100: client.PaymentStatusSettlementCompleted,
	200: client.PaymentStatusCancelled,
	300: client.PaymentStatusExpired,
	400: client.PaymentStatusOpen,
	500: client.PaymentStatusError,
}

// final reports whether a status will not change any more.
func final(status client.PaymentStatus) bool { return client.NormalizeStatus(string(status)).IsFinal() }

func (s *Server) createPayment(w http.ResponseWriter, r *http.Request) {
	var in gen.PaymentInitiationRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.writeError(w, r, fail(http.StatusBadRequest, CodeInvalidRequest, "body: %v", err))
		return
	}
	amount := in.CommonPaymentData.Amount
	cents, err := amount.Amount.Cents()
	if err != nil || cents <= 0 {
		s.writeError(w, r, fail(http.StatusBadRequest, CodeInvalidRequest, "CommonPaymentData.Amount.Amount: %s is not a positive whole number of cents", amount.Amount))
		return
	}
	if amount.Currency != "" && amount.Currency != "EUR" {
		s.writeError(w, r, fail(http.StatusBadRequest, CodeInvalidRequest, "CommonPaymentData.Amount.Currency: iDEAL pays in EUR, not %s", amount.Currency))
		return
	}
	returnURL, notifyURL := r.Header.Get("InitiatingPartyReturnURL"), r.Header.Get("InitiatingPartyNotificationURL")
	for name, u := range map[string]string{"InitiatingPartyReturnURL": returnURL, "InitiatingPartyNotificationURL": notifyURL} {
		if p, err := url.Parse(u); u != "" && (err != nil || p.Scheme == "" || p.Host == "") {
			s.writeError(w, r, fail(http.StatusBadRequest, CodeInvalidRequest, "%s: %q is not an absolute URL", name, u))
			return
		}
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	p := &payment{
		amount: amount.Amount, cents: cents, status: client.PaymentStatusOpen,
		created: now, expiry: now.Add(PaymentLifetime),
		returnURL: returnURL, notifyURL: notifyURL,
		description: in.CommonPaymentData.RemittanceInformation,
		reference:   in.CommonPaymentData.RemittanceInformationStructured.Reference,
	}
	if in.IDEALPayments.FlowType == "FastCheckout" {
		p.fastCheckout = &in.IDEALPayments.ExpectedCheckoutData
	}
	s.mu.Lock()
	s.seq++
	p.id = strconv.Itoa(100000 + s.seq)
	p.aspspPaymentID = fmt.Sprintf("0001%012d", s.seq)
	p.pageURL = sim.Origin(r) + "/pay/" + p.id
	s.payments[p.id] = p
	s.mu.Unlock()
	sim.Attach(r.Context(), p.id)
	s.rec.Status(p.id, "", string(p.status), "payment created")

	base := sim.Origin(r)
	s.writeSigned(w, http.StatusCreated, gen.PaymentInitiationResponse{
		CommonPaymentData: gen.CreatedPaymentData{
			ExpiryDateTimestamp: p.expiry,
			PaymentStatus:       client.PaymentStatusOpen,
			PaymentID:           p.id,
			AspspPaymentID:      p.aspspPaymentID,
		},
		Links: gen.PaymentLinks{
			RedirectURL:      gen.Link{Href: base + "/pay/" + p.id},
			GetPaymentStatus: gen.Link{Href: base + PISBasePath + "/payments/" + p.id + "/status"},
		},
	})
}

func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) {
	st, ok := s.PaymentStatus(r.Context(), r.PathValue("id"))
	if !ok {
		s.writeError(w, r, fail(http.StatusNotFound, CodeNotFound, "paymentId: no payment %s", r.PathValue("id")))
		return
	}
	s.writeSigned(w, http.StatusOK, st)
}

// PaymentStatus returns a payment's current status, as GET …/status
// answers it. An open payment past its expiry becomes Expired here (and the
// notification is sent).
func (s *Server) PaymentStatus(ctx context.Context, id string) (*client.PaymentStatusResponse, bool) {
	_ = s.expireIfDue(ctx, id)
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[id]
	if !ok {
		return nil, false
	}
	return p.statusResponse(), true
}

// expireIfDue moves an open payment past its expiry to Expired and
// notifies the merchant.
func (s *Server) expireIfDue(ctx context.Context, id string) error {
	s.mu.Lock()
	p, ok := s.payments[id]
	if !ok || p.status != client.PaymentStatusOpen || s.now().Before(p.expiry) {
		s.mu.Unlock()
		return nil
	}
	st, target := s.move(p, client.PaymentStatusExpired)
	s.mu.Unlock()
	return s.notify(ctx, id, target, st)
}

// move gives an open payment its next status and returns the status answer
// to notify and where; s.mu must be held. Expiry by time and every choice
// on the page (expire included) end a payment through here.
func (s *Server) move(p *payment, next client.PaymentStatus) (*client.PaymentStatusResponse, string) {
	s.rec.Status(p.id, string(p.status), string(next), "")
	p.status = next
	p.settled = next == client.PaymentStatusSettlementCompleted
	return p.statusResponse(), s.notifyTarget(p)
}

func (p *payment) statusResponse() *client.PaymentStatusResponse {
	st := &client.PaymentStatusResponse{
		PaymentProductUsed: string(client.PaymentProductIDEAL),
		CommonPaymentData: client.PaymentStatusData{
			PaymentStatus:  p.status,
			PaymentID:      p.id,
			AspspPaymentID: p.aspspPaymentID,
		},
	}
	if final(p.status) {
		st.CommonPaymentData.AspspID = AspspID
	}
	if p.settled {
		st.CommonPaymentData.GuaranteedAmount = p.amount
		agent := DebtorBIC
		if len(p.bank.ID) == 8 {
			agent = p.bank.ID + "XXX" // the bank the customer chose, as an 11-character BIC
		}
		st.CommonPaymentData.DebtorInformation = client.DebtorInformationResponse{
			Name:    DebtorName,
			Agent:   agent,
			Account: client.DebtorAccount{SchemeName: "IBAN", Identification: DebtorIBAN},
		}
		p.fastCheckoutData(&st.CommonPaymentData.DebtorInformation)
	}
	if p.status == client.PaymentStatusOpen {
		st.CommonPaymentData.ExpiryDateTimestamp = p.expiry
		st.Links.RedirectURL = gen.Link{Href: p.pageURL}
	}
	return st
}

// fastCheckoutData adds to d what a Fast Checkout payment asked for.
func (p *payment) fastCheckoutData(d *client.DebtorInformationResponse) {
	asked := p.fastCheckout
	if asked == nil {
		return
	}
	want := asked.DebtorContactDetails
	c := FastCheckoutContact
	d.ContactDetails = client.DebtorContactDetails{
		FirstName: pick(want.FirstName, c.FirstName), LastName: pick(want.LastName, c.LastName),
		PhoneNumber: pick(want.PhoneNumber, c.PhoneNumber), Email: pick(want.Email, c.Email),
	}
	if asked.ShippingAddress {
		d.ShippingAddress = FastCheckoutAddress
	}
	if asked.BillingAddress {
		d.BillingAddress = FastCheckoutAddress
	}
}

func pick(asked bool, value string) string {
	if asked {
		return value
	}
	return ""
}

func (s *Server) notifyTarget(p *payment) string {
	if p.notifyURL != "" {
		return p.notifyURL
	}
	return s.cfg.NotificationURL
}

// Webhooks is the simulator's courier: make it deliver twice, or hold
// notifications until released.
func (s *Server) Webhooks() *sim.Courier { return s.courier }

// Renotify delivers a payment's status notification again, freshly signed,
// as it read when the payment had the given status (e.g. "Open" after it
// settled): a late delivery of an earlier state. status "" sends the
// current state.
func (s *Server) Renotify(ctx context.Context, id, status string) error {
	s.mu.Lock()
	p, ok := s.payments[id]
	var st *client.PaymentStatusResponse
	var target string
	if ok {
		st, target = p.statusResponse(), s.notifyTarget(p)
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("payment %s not found", id)
	}
	if status != "" {
		st.CommonPaymentData.PaymentStatus = client.PaymentStatus(status)
	}
	return s.notify(ctx, id, target, st)
}

// notify POSTs the status body to the merchant, signed like a response.
// Delivery is synchronous so the shop knows before its customer returns.
// Every attempt is signed anew (a new X-Request-ID and time).
func (s *Server) notify(ctx context.Context, id, target string, st *client.PaymentStatusResponse) error {
	if target == "" {
		return nil
	}
	body, err := json.Marshal(st)
	if err != nil {
		return err
	}
	sign := func() (string, http.Header, error) {
		h := http.Header{"Content-Type": {"application/json;charset=UTF-8"}}
		return target, h, s.sign(h, body)
	}
	if _, _, err := sign(); err != nil {
		return err
	}
	code, err := s.courier.Send(ctx, sim.Message{Payment: id, URL: target, Body: body, Sign: sign})
	switch {
	case err != nil:
		return fmt.Errorf("%w: %s: %v", ErrNotification, target, err)
	case code/100 != 2:
		return fmt.Errorf("%w: %s answered HTTP %d", ErrNotification, target, code)
	}
	return nil
}

// Complete applies the customer's choice at the bank to a payment, as the
// payment page does: a test amount decides the outcome whatever the
// choice. A final status is notified to the merchant. It fails for an
// unknown or final payment; a failed notification (ErrNotification) leaves
// the new status in place.
func (s *Server) Complete(ctx context.Context, id string, choice sim.Choice) (*client.PaymentStatusResponse, error) {
	st, _, err := s.complete(ctx, id, choice)
	return st, err
}

func (s *Server) complete(ctx context.Context, id string, choice sim.Choice) (*client.PaymentStatusResponse, string, error) {
	_ = s.expireIfDue(ctx, id)
	s.mu.Lock()
	p, ok := s.payments[id]
	if !ok {
		s.mu.Unlock()
		return nil, "", fmt.Errorf("%w: %s", ErrUnknownPayment, id)
	}
	if final(p.status) {
		status, ret := p.status, p.returnURL
		s.mu.Unlock()
		return nil, ret, fmt.Errorf("%w: %s is %s", ErrFinal, id, status)
	}
	next, ok := testAmounts[p.cents]
	if !ok {
		switch choice {
		case sim.Pay:
			next = client.PaymentStatusSettlementCompleted
		case sim.Cancel:
			next = client.PaymentStatusCancelled
		case sim.Expire:
			// As if the payment's time had run out (expireIfDue).
			next = client.PaymentStatusExpired
		default:
			next = client.PaymentStatusError
		}
	}
	st, target := s.move(p, next)
	ret := p.returnURL
	s.mu.Unlock()
	if !final(next) {
		return st, ret, nil // 4.00: the bank leaves it open; nothing to notify
	}
	if err := s.notify(ctx, id, target, st); err != nil {
		return st, ret, fmt.Errorf("payment %s is %s, but: %w", id, next, err)
	}
	return st, ret, nil
}

// page is the "bank": the customer chooses pay, cancel, fail or expire.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_ = s.expireIfDue(r.Context(), id)
	s.mu.Lock()
	p, ok := s.payments[id]
	var data sim.PageData
	if ok {
		data = s.pageData(p)
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	sim.RenderPage(w, data)
}

// choose takes the customer's choice, notifies the merchant and sends the
// customer to InitiatingPartyReturnURL (back to the page without one).
func (s *Server) choose(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	choice, bank, err := sim.PageChoice(r, s.offeredBanks(id))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.rec.Action(id, sim.ChoiceNote(choice, bank))
	if bank.ID != "" {
		s.chooseBank(id, bank)
	}
	_, ret, err := s.complete(r.Context(), id, choice)
	switch {
	case errors.Is(err, ErrUnknownPayment):
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	case errors.Is(err, ErrNotification):
		// The customer goes back all the same; the shop polls.
	case err != nil:
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	target := "/pay/" + id
	if ret != "" {
		target = ret
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func pemHandler(data []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(data)
	}
}
