// Package buckaroo simulates Buckaroo's JSON Transaction API for offline
// tests and the demo: every request must carry a valid, fresh HMAC header
// for the configured website key, bodies are validated against the spec,
// PayInInstallments (iDEAL In3) and Pay transactions wait on a payment page,
// the customer's choice is pushed to the shop signed like Buckaroo signs it,
// and refunds (full or partial) are checked against what remains.
package buckaroo

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	client "github.com/betaalkit/betaalkit/clients/buckaroo"
	gen "github.com/betaalkit/betaalkit/gen/buckaroo"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/sandbox/sim"
	"github.com/betaalkit/betaalkit/signing"
)

// The credentials the sandbox accepts unless told otherwise.
const (
	DefaultWebsiteKey = "SANDBOXWEBSITE"
	DefaultSecretKey  = "sandbox-buckaroo-secret"
)

// Config configures a simulator.
type Config struct {
	// WebsiteKey and SecretKey are the only credentials accepted; every
	// request must be signed with them. Defaults DefaultWebsiteKey, DefaultSecretKey.
	WebsiteKey, SecretKey string
	// PushURL receives pushes for transactions that name none (Buckaroo's
	// per-website push setting).
	PushURL string
	// Tolerance is how far a request's timestamp may be from the sandbox's
	// clock. Default signing.DefaultBuckarooTolerance.
	Tolerance time.Duration
	// Clock is the sandbox's time (freshness checks, push signatures,
	// Status.DateTime). Default time.Now.
	Clock func() time.Time
	// HTTPClient delivers pushes. Default: a client with a 5 s timeout.
	HTTPClient *http.Client
	// FormPush sends pushes as Buckaroo's classic HTTP push, which a
	// website set to "HTTP post" receives: an
	// application/x-www-form-urlencoded form of brq_ fields signed with
	// brq_signature (buckaroo.FormSignature), instead of the JSON push.
	FormPush bool
}

// Server is the simulator, an http.Handler. It is safe for concurrent use.
type Server struct {
	cfg       Config
	verifier  *signing.BuckarooVerifier
	validator *sim.Validator
	mux       *http.ServeMux
	zone      *time.Location

	mu  sync.Mutex
	txs map[string]*record
	// byRedirect maps a payment page id (the r= of the redirect URL) to a key.
	byRedirect map[string]string
	courier    *sim.Courier
	rec        *sim.Recorder
	dash       *sim.Dashboard
	handler    http.Handler
}

// record is a transaction and what the sandbox needs to move it on.
type record struct {
	tx       gen.Transaction
	service  string
	action   string
	amount   money.Decimal // AmountDebit of a payment
	refunded *big.Rat
	redirect string
	desc     string // the request's Description, for the payment page
	urls     callbackURLs
	created  time.Time
	bank     sim.Bank // the iDEAL issuer, named in the request or chosen on the page
	// refunds are the keys of the refunds of a payment.
	refunds []string
}

// remaining is what is left to refund of a payment.
func (r *record) remaining() *big.Rat { return new(big.Rat).Sub(r.amount.Rat(), r.refunded) }

// callbackURLs are the request's push and return URLs.
type callbackURLs struct {
	push, pushFailure        string
	ret, retCancel, retError string
}

// New returns a simulator.
func New(cfg Config) (*Server, error) {
	if cfg.WebsiteKey == "" {
		cfg.WebsiteKey = DefaultWebsiteKey
	}
	if cfg.SecretKey == "" {
		cfg.SecretKey = DefaultSecretKey
	}
	if cfg.Tolerance <= 0 {
		cfg.Tolerance = signing.DefaultBuckarooTolerance
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	verifier, err := signing.NewBuckarooVerifier(cfg.WebsiteKey, cfg.SecretKey,
		signing.BuckarooClock(cfg.Clock), signing.BuckarooTolerance(cfg.Tolerance), signing.BuckarooRejectReplays())
	if err != nil {
		return nil, err
	}
	v, err := sim.NewValidator("buckaroo")
	if err != nil {
		return nil, err
	}
	// Status.DateTime is Dutch local time; without tzdata, CET is close enough.
	zone, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		zone = time.FixedZone("CET", 3600)
	}
	s := &Server{cfg: cfg, verifier: verifier, validator: v, zone: zone,
		txs: map[string]*record{}, byRedirect: map[string]string{}, courier: sim.NewCourier(cfg.HTTPClient), rec: sim.NewRecorder()}
	s.courier.SetRecorder(s.rec)
	s.courier.SetSchedule(WebhookRetries)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /json/Transaction", s.api(s.createTransaction))
	mux.HandleFunc("GET /json/Transaction/Status/{key}", s.api(s.getStatus))
	mux.HandleFunc("GET /json/Transaction/Specification/{service}", s.api(s.getSpecification))
	mux.HandleFunc("GET /json/Transaction/RefundInfo/{key}", s.api(s.getRefundInfo))
	mux.HandleFunc("GET /html/redirect.ashx", s.page)
	mux.HandleFunc("POST /html/redirect.ashx", s.choose)
	s.dash = sim.NewDashboard("/sandbox/", s)
	mux.Handle("/sandbox/", s.dash)
	s.mux = mux
	s.handler = sim.Observe(s.rec, "/json/", mux, "key")
	return s, nil
}

// NewTestServer starts a simulator on a loopback port and returns it with a
// client of ours already pointed at it (sharing the sandbox's clock). Close
// the server when done.
//
// opts are applied after the sandbox's own (e.g. client.WithLogger).
func NewTestServer(cfg Config, opts ...client.Option) (*httptest.Server, *Server, *client.Client, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	ts := httptest.NewServer(s)
	c, err := client.New(s.cfg.WebsiteKey, s.cfg.SecretKey, append([]client.Option{client.WithBaseURL(ts.URL),
		client.WithSigningOptions(signing.BuckarooClock(s.cfg.Clock), signing.BuckarooTolerance(s.cfg.Tolerance))}, opts...)...)
	if err != nil {
		ts.Close()
		return nil, nil, nil, err
	}
	return ts, s, c, nil
}

// ServeHTTP serves the JSON API and the payment pages.
// The dashboard is under /sandbox/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// api wraps an API handler with Buckaroo's HMAC check and then spec
// validation, in that order, as Buckaroo authenticates before reading.
func (s *Server) api(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// The body first: the signature covers it.
		if _, status, err := sim.ReadBody(w, r); err != nil {
			writeMessage(w, status, err.Error())
			return
		}
		if msg := s.authenticate(r); msg != "" {
			writeMessage(w, http.StatusUnauthorized, "Authorization has been denied for this request. "+msg)
			return
		}
		if _, _, err := s.validator.Check(r); err != nil {
			writeInvalid(w, err.Error())
			return
		}
		h(w, r)
	}
}

// authenticate verifies the Authorization header (website key, HMAC over
// method, URL and body, freshness) and refuses a nonce seen before within
// the tolerance. It returns why a request is refused, or "".
func (s *Server) authenticate(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return "No hmac Authorization header."
	}
	if h, err := signing.ParseBuckarooHeader(auth); err != nil {
		return "The Authorization header is not \"hmac websiteKey:signature:nonce:timestamp\"."
	} else if h.WebsiteKey != s.cfg.WebsiteKey {
		return "Unknown website key."
	}
	_, err := s.verifier.VerifyRequest(r)
	switch {
	case errors.Is(err, signing.ErrReplay):
		return "The nonce was used before."
	case errors.Is(err, signing.ErrStale):
		return fmt.Sprintf("The request timestamp is more than %s from the server time.", s.cfg.Tolerance)
	case err != nil:
		// The verifier's message names the signed method and uri, which is
		// what an integrator needs to find a mismatch; it holds no secret.
		return "The hmac signature does not match (" + strings.TrimPrefix(err.Error(), "signing: ") + ")."
	}
	return ""
}

func (s *Server) createTransaction(w http.ResponseWriter, r *http.Request) {
	var in gen.TransactionRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeInvalid(w, "body: "+err.Error())
		return
	}
	if len(in.Services.ServiceList) == 0 {
		writeTransaction(w, r, s.refusal(in, "", "", requestError{kind: serviceErrors, err: "ServiceMissing", msg: "No service given in Services.ServiceList."}))
		return
	}
	if len(in.Services.ServiceList) > 1 {
		writeTransaction(w, r, s.refusal(in, "", "", requestError{kind: serviceErrors, err: "ServiceNotSupported", msg: "The sandbox handles one service per transaction."}))
		return
	}
	svc := in.Services.ServiceList[0]
	switch svc.Action {
	case client.ActionPayInInstallments, actionPay:
		tx := s.startPayment(r, in, svc)
		if tx.Key != "" {
			sim.Attach(r.Context(), tx.Key)
		}
		writeTransaction(w, r, tx)
	case client.ActionRefund:
		sim.Attach(r.Context(), in.OriginalTransactionKey)
		writeTransaction(w, r, s.refund(r.Context(), in, svc))
	default:
		writeTransaction(w, r, s.refusal(in, svc.Name, svc.Action, requestError{kind: actionErrors,
			err: "ActionNotSupported", msg: fmt.Sprintf("Action '%s' is not supported by service '%s' in the sandbox.", svc.Action, svc.Name)}))
	}
}

// startPayment creates a payment that waits for the customer on the payment page.
func (s *Server) startPayment(r *http.Request, in gen.TransactionRequest, svc gen.RequestService) *gen.Transaction {
	if errs := checkPayment(in, svc); len(errs) > 0 {
		return s.refusal(in, svc.Name, svc.Action, errs...)
	}
	key, redirect := newKey(), newKey()
	tx := gen.Transaction{
		Key:             key,
		Invoice:         in.Invoice,
		Order:           in.Order,
		ServiceCode:     svc.Name,
		IsTest:          true,
		Currency:        in.Currency,
		AmountDebit:     in.AmountDebit,
		MutationType:    2,
		PaymentKey:      newKey(),
		TransactionType: transactionType(svc.Name, svc.Action),
		RequiredAction: gen.RequiredAction{
			RedirectURL: sim.Origin(r) + "/html/redirect.ashx?r=" + redirect,
			Name:        "Redirect",
		},
		Services: []gen.ResponseService{{Name: svc.Name}},
	}
	if svc.Name == client.ServiceCapayable {
		tx.Services[0].Parameters = []gen.ResponseParameter{{Name: "CapayableTransactionKey", Value: strings.ToLower(newKey())}}
	}
	if svc.Action == client.ActionPayInInstallments {
		s.setStatus(&tx, client.StatusPendingProcessing, gen.StatusSubCode{Code: "S002", Description: "An additional action is required: Pay first installment via Capayable"})
	} else {
		s.setStatus(&tx, client.StatusAwaitingConsumer, gen.StatusSubCode{Code: "S002", Description: "An additional action is required: complete the payment on the payment page"})
	}
	rec := &record{tx: tx, service: svc.Name, action: svc.Action, amount: in.AmountDebit, refunded: new(big.Rat), redirect: redirect, desc: in.Description, urls: callbackURLs{
		push: in.PushURL, pushFailure: in.PushURLFailure,
		ret: in.ReturnURL, retCancel: in.ReturnURLCancel, retError: in.ReturnURLError,
	}, created: s.cfg.Clock(), bank: requestedBank(svc)}
	s.mu.Lock()
	s.txs[key] = rec
	s.byRedirect[redirect] = key
	out := clone(&rec.tx)
	s.mu.Unlock()
	s.rec.Status(key, "", client.StatusCodeOf(out).String(), "transaction created")
	return out
}

// refund credits (part of) a successful payment. The check of what remains
// and the booking happen under one lock, so concurrent refunds never exceed it.
func (s *Server) refund(ctx context.Context, in gen.TransactionRequest, svc gen.RequestService) *gen.Transaction {
	if errs := checkRefund(in, svc); len(errs) > 0 {
		return s.refusal(in, svc.Name, svc.Action, errs...)
	}
	amount := in.AmountCredit
	fail := func(e requestError) *gen.Transaction { return s.refusal(in, svc.Name, svc.Action, e) }

	s.mu.Lock()
	orig, ok := s.txs[in.OriginalTransactionKey]
	switch {
	case !ok || orig.action == client.ActionRefund:
		s.mu.Unlock()
		return fail(paramError(svc, "OriginalTransactionKey", "ParameterInvalid", fmt.Sprintf("No payment with key '%s' found.", in.OriginalTransactionKey)))
	case orig.service != svc.Name:
		s.mu.Unlock()
		return fail(requestError{kind: serviceErrors, service: svc.Name, action: svc.Action, err: "ServiceInvalid",
			msg: fmt.Sprintf("Transaction '%s' was made with service '%s', not '%s'.", in.OriginalTransactionKey, orig.service, svc.Name)})
	case client.StatusCodeOf(&orig.tx) != client.StatusSuccess:
		s.mu.Unlock()
		return fail(paramError(svc, "OriginalTransactionKey", "ParameterInvalid", fmt.Sprintf("Transaction '%s' has status %s and cannot be refunded.", in.OriginalTransactionKey, client.StatusCodeOf(&orig.tx))))
	case orig.tx.Currency != in.Currency:
		s.mu.Unlock()
		return fail(paramError(svc, "Currency", "ParameterInvalid", fmt.Sprintf("The refund's currency %s differs from the payment's %s.", in.Currency, orig.tx.Currency)))
	}
	remaining := orig.remaining()
	if amount.Rat().Cmp(remaining) > 0 {
		s.mu.Unlock()
		return fail(paramError(svc, "AmountCredit", "ParameterInvalid", fmt.Sprintf("AmountCredit %s exceeds the refundable amount %s.", amount, remaining.FloatString(2))))
	}
	orig.refunded.Add(orig.refunded, amount.Rat())
	key := newKey()
	cents, _ := amount.Cents() // checkRefund made sure it is whole cents
	tx := gen.Transaction{
		Key:                 key,
		Invoice:             in.Invoice,
		Order:               in.Order,
		ServiceCode:         svc.Name,
		IsTest:              true,
		Currency:            in.Currency,
		AmountCredit:        amount,
		MutationType:        2,
		TransactionType:     transactionType(svc.Name, svc.Action),
		RelatedTransactions: []gen.RelatedTransaction{{RelationType: "refund", RelatedTransactionKey: orig.tx.Key}},
		// The document's refund answer reports the credited amount in cents.
		Services: []gen.ResponseService{{Name: svc.Name, Parameters: []gen.ResponseParameter{{Name: "Amount credited", Value: fmt.Sprint(int64(cents))}}}},
	}
	s.setStatus(&tx, client.StatusSuccess, gen.StatusSubCode{Code: "S990", Description: "The request was successful."})
	orig.tx.RelatedTransactions = append(slices.Clone(orig.tx.RelatedTransactions), gen.RelatedTransaction{RelationType: "refund", RelatedTransactionKey: key})
	rec := &record{tx: tx, service: svc.Name, action: svc.Action, refunded: new(big.Rat), urls: callbackURLs{push: cmp.Or(in.PushURL, orig.urls.push)}, created: s.cfg.Clock()}
	s.txs[key] = rec
	orig.refunds = append(orig.refunds, key)
	out := clone(&rec.tx)
	target := s.pushTarget(rec)
	s.mu.Unlock()
	s.rec.Action(in.OriginalTransactionKey, fmt.Sprintf("refunded %s %s as transaction %s (%s)", in.Currency, amount, key, client.StatusCodeOf(out)))

	// A push that fails does not undo the refund; Buckaroo retries it.
	_ = s.push(ctx, in.OriginalTransactionKey, target, out)
	return out
}

func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) {
	tx, ok := s.Transaction(r.PathValue("key"))
	if !ok {
		writeMessage(w, http.StatusNotFound, "Transaction '"+r.PathValue("key")+"' not found.")
		return
	}
	s.mu.Lock()
	if rec, ok := s.txs[tx.Key]; ok && rec.action == client.ActionRefund && len(tx.RelatedTransactions) > 0 {
		sim.Attach(r.Context(), tx.RelatedTransactions[0].RelatedTransactionKey) // a refund's look-up: the payment's timeline
	}
	s.mu.Unlock()
	writeTransaction(w, r, tx)
}

// Transaction returns a copy of a transaction's current state.
func (s *Server) Transaction(key string) (*gen.Transaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.txs[key]
	if !ok {
		return nil, false
	}
	return clone(&rec.tx), true
}

// page shows the payment page behind a RequiredAction.RedirectURL.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("r")
	s.mu.Lock()
	rec, ok := s.txs[s.byRedirect[id]]
	var data sim.PageData
	if ok {
		data = s.pageData(rec, "/html/redirect.ashx?r="+url.QueryEscape(id))
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	sim.RenderPage(w, data)
}

func (s *Server) choose(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("r")
	s.mu.Lock()
	key := s.byRedirect[id]
	var offered []sim.Bank
	if rec, ok := s.txs[key]; ok {
		offered = banksFor(rec)
	}
	s.mu.Unlock()
	if key == "" {
		http.NotFound(w, r)
		return
	}
	choice, bank, err := sim.PageChoice(r, offered)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.rec.Action(key, sim.ChoiceNote(choice, bank))
	if bank.ID != "" {
		s.chooseBank(key, bank)
	}
	tx, target, err := s.complete(r.Context(), key, choice)
	if tx == nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	if err != nil {
		// The payment is settled, but the shop did not take the push:
		// say so loudly rather than hide it behind the redirect.
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if target == "" {
		target = "/html/redirect.ashx?r=" + url.QueryEscape(id)
	} else {
		// Real Buckaroo returns the customer with more brq_ fields and a
		// brq_signature; shops must trust the push or a status call instead.
		target = sim.WithQuery(target, url.Values{"brq_transactions": {key}, "brq_statuscode": {fmt.Sprint(tx.Status.Code.Code)}})
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// Complete applies the customer's choice to a pending payment, as the
// payment page does: pay → 190, cancel → 890, fail → 490, expire → 890
// (Buckaroo has no expired code; see complete). It sends the
// signed push before returning. It fails for an unknown or final
// transaction; when only the push fails, the transaction is returned with
// the error.
func (s *Server) Complete(ctx context.Context, key string, choice sim.Choice) (*gen.Transaction, error) {
	tx, _, err := s.complete(ctx, key, choice)
	return tx, err
}

// complete also returns where the customer goes next.
func (s *Server) complete(ctx context.Context, key string, choice sim.Choice) (*gen.Transaction, string, error) {
	s.mu.Lock()
	rec, ok := s.txs[key]
	if !ok || rec.action == client.ActionRefund {
		s.mu.Unlock()
		return nil, "", fmt.Errorf("no payment with key %s", key)
	}
	from := client.StatusCodeOf(&rec.tx)
	if from.IsFinal() {
		s.mu.Unlock()
		return nil, "", fmt.Errorf("transaction %s is already %s", key, from)
	}
	var next string
	switch choice {
	case sim.Pay:
		s.setStatus(&rec.tx, client.StatusSuccess, gen.StatusSubCode{Code: "S990", Description: "De verwerking is geslaagd."})
		rec.tx.IsCancelable = false
		next = rec.urls.ret
	case sim.Cancel, sim.Expire:
		// Buckaroo has no "expired" status code. A payment the customer
		// abandons ends when its lifetime runs out (iDEAL: 15 minutes,
		// "the payment status will be retrieved from the acquirer as soon
		// as the 15 minute lifespan is expired and the merchant webshop is
		// updated via a push response", docs.buckaroo.io/docs/en/requests,
		// iDEAL Pay), and the status overview (docs.buckaroo.io/docs/
		// integration-status) has one definitive unpaid code for the
		// customer's side: 890 "Cancelled by User" (490 is "failed" and
		// 690 "rejected by the payment provider", neither the customer's
		// doing). Neither page names the code outright; we follow the
		// status overview: an expired payment ends as a cancelled one
		// does, 890, the same push, back to ReturnURLCancel.
		s.setStatus(&rec.tx, client.StatusCancelledByUser, gen.StatusSubCode{})
		next = cmp.Or(rec.urls.retCancel, rec.urls.ret)
	case sim.Fail:
		s.setStatus(&rec.tx, client.StatusFailed, gen.StatusSubCode{})
		next = cmp.Or(rec.urls.retError, rec.urls.ret)
	case reject:
		// Rejected by the payment provider (690), as the status overview
		// names it: not the customer's doing.
		s.setStatus(&rec.tx, client.StatusRejected, gen.StatusSubCode{})
		next = cmp.Or(rec.urls.retError, rec.urls.ret)
	default:
		s.mu.Unlock()
		return nil, "", fmt.Errorf("unknown choice %q", choice)
	}
	// The customer has acted; there is nothing left to do on the page.
	rec.tx.RequiredAction = gen.RequiredAction{}
	out := clone(&rec.tx)
	target := s.pushTarget(rec)
	s.mu.Unlock()
	s.rec.Status(key, from.String(), client.StatusCodeOf(out).String(), string(choice))

	if err := s.push(ctx, key, target, out); err != nil {
		return out, next, fmt.Errorf("transaction %s is %s, but the push failed: %w", key, client.StatusCodeOf(out), err)
	}
	return out, next, nil
}

// pushTarget picks the push URL: PushURLFailure for an unsuccessful
// outcome when given, else PushURL, else the website's push URL.
func (s *Server) pushTarget(rec *record) string {
	if client.StatusCodeOf(&rec.tx) != client.StatusSuccess && rec.urls.pushFailure != "" {
		return rec.urls.pushFailure
	}
	return cmp.Or(rec.urls.push, s.cfg.PushURL)
}

// Webhooks is the simulator's courier: make it deliver twice, or hold
// pushes until released.
func (s *Server) Webhooks() *sim.Courier { return s.courier }

// Renotify pushes a transaction again, freshly signed (a new nonce), as it
// read when it had the given status code (e.g. "791" after it succeeded):
// a late delivery of an earlier state. status "" pushes the current state.
func (s *Server) Renotify(ctx context.Context, key, status string) error {
	s.mu.Lock()
	rec, ok := s.txs[key]
	var tx *gen.Transaction
	var target string
	if ok {
		tx, target = clone(&rec.tx), s.pushTarget(rec)
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("transaction %s not found", key)
	}
	if status != "" {
		code, err := strconv.Atoi(status)
		if err != nil {
			return fmt.Errorf("status %q is not a Buckaroo status code", status)
		}
		s.setStatus(tx, client.StatusCode(code), gen.StatusSubCode{})
	}
	return s.push(ctx, key, target, tx)
}

// push POSTs {"Transaction": …} signed as Buckaroo signs pushes: the same
// HMAC header as a request, over method POST and the push URL; or, with
// Config.FormPush, the classic form push signed with brq_signature.
//
// Every attempt of a JSON push, a retry included, is signed anew (a new
// nonce and time), and filed under payment on the timeline.
func (s *Server) push(ctx context.Context, payment, target string, tx *gen.Transaction) error {
	if target == "" {
		return nil
	}
	msg := sim.Message{Payment: payment, URL: target}
	if s.cfg.FormPush {
		msg.Body = formPush(tx, s.cfg.WebsiteKey, s.cfg.SecretKey)
		msg.Header = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	} else {
		// The push does not repeat the answer's RequiredAction or RequestErrors.
		p := gen.Push{Transaction: *tx}
		p.Transaction.RequiredAction, p.Transaction.RequestErrors = gen.RequiredAction{}, gen.RequestErrors{}
		body, err := json.Marshal(p)
		if err != nil {
			return err
		}
		msg.Body = body
		msg.Sign = func() (string, http.Header, error) {
			auth, err := signing.BuckarooAuthorization(s.cfg.WebsiteKey, s.cfg.SecretKey, http.MethodPost, target, sim.NewID(8), s.cfg.Clock().Unix(), body)
			return target, http.Header{"Authorization": {auth}}, err
		}
		if _, _, err := msg.Sign(); err != nil {
			return err
		}
	}
	status, err := s.courier.Send(ctx, msg)
	if err != nil {
		return err
	}
	if status/100 != 2 {
		return fmt.Errorf("push to %s answered HTTP %d", target, status)
	}
	return nil
}

// setStatus sets the status and its time, in Dutch local time as Buckaroo does.
func (s *Server) setStatus(tx *gen.Transaction, code client.StatusCode, sub gen.StatusSubCode) {
	tx.Status = gen.Status{
		Code:     gen.StatusCodeInfo{Code: int(code), Description: statusDescription(code)},
		SubCode:  sub,
		DateTime: s.cfg.Clock().In(s.zone).Format("2006-01-02T15:04:05"),
	}
}

// refusal is Buckaroo's answer to a request it will not carry out: HTTP 200,
// status 491 and the reasons in RequestErrors. Nothing is stored.
func (s *Server) refusal(in gen.TransactionRequest, service, action string, errs ...requestError) *gen.Transaction {
	tx := &gen.Transaction{
		Invoice:       in.Invoice,
		Order:         in.Order,
		Currency:      in.Currency,
		AmountDebit:   in.AmountDebit,
		AmountCredit:  in.AmountCredit,
		IsTest:        true,
		ServiceCode:   service,
		RequestErrors: toRequestErrors(errs),
	}
	s.setStatus(tx, client.StatusValidationFailure, gen.StatusSubCode{})
	return tx
}

func statusDescription(code client.StatusCode) string {
	name := strings.TrimPrefix(code.String(), fmt.Sprint(int(code))+" ")
	return strings.ToUpper(name[:1]) + name[1:]
}

// transactionType is Buckaroo's code for the document's In3 transactions.
func transactionType(service, action string) string {
	switch {
	case service != client.ServiceCapayable:
		return ""
	case action == client.ActionRefund:
		return "V405"
	default:
		return "V406"
	}
}

func writeTransaction(w http.ResponseWriter, r *http.Request, tx *gen.Transaction) {
	if client.StatusCodeOf(tx) == client.StatusValidationFailure {
		sim.Refuse(r.Context(), "491 "+refusalReason(tx.RequestErrors))
	}
	sim.WriteJSON(w, http.StatusOK, tx)
}

// writeMessage answers a non-2xx in Buckaroo's error body, {"Message": …},
// which our client turns into *buckaroo.Error with Message set.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	sim.WriteJSON(w, status, gen.ErrorResponse{Message: msg})
}

// writeInvalid answers 400 for a body the spec refuses: the Message names
// every field, and RequestErrors.ParameterErrors lists them one by one.
func writeInvalid(w http.ResponseWriter, problems string) {
	var errs []requestError
	for _, p := range strings.Split(problems, "; ") {
		field, reason, ok := strings.Cut(p, ": ")
		if !ok {
			field, reason = "", p
		}
		errs = append(errs, requestError{kind: parameterErrors, name: field, err: "ParameterInvalid", msg: reason})
	}
	msg := "The request is invalid: " + problems
	sim.WriteJSON(w, http.StatusBadRequest, gen.ErrorResponse{Message: msg,
		AdditionalProperties: map[string]any{"RequestErrors": toRequestErrors(errs)}})
}

// clone deep-copies a transaction so callers never share state with the store.
func clone(tx *gen.Transaction) *gen.Transaction {
	b, err := json.Marshal(tx)
	if err != nil {
		panic(err) // a Transaction always encodes
	}
	var out gen.Transaction
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return &out
}

// newKey returns a key in Buckaroo's style: 32 upper-case hex characters.
func newKey() string { return strings.ToUpper(sim.NewID(16)) }
