package opp

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"time"

	client "github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/flex"
	gen "github.com/betaalkit/betaalkit/gen/opp"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// Merchants and their bank accounts follow OPP's onboarding: a new merchant
// is pending with one compliance requirement, a bank account. Adding one
// makes the requirement its verification; the merchant verifies it on the
// page at verification_url (the sandbox's page offers approve and
// disapprove, standing in for the merchant's payment and OPP's review), and
// an approved default account meets the requirement: the merchant goes
// live. Each status change posts merchant.status.changed or
// bank_account.status.changed. A partner may suspend or terminate a
// merchant; neither can then receive transactions, and a terminated one
// never changes again. Contacts, UBOs and the other checks of OPP's
// reference are not simulated.

// merchant is the sandbox's state of one merchant; the API renders it.
type merchant struct {
	uid, kind, status     string
	created, updated      time.Time
	country, email, phone string
	name, cocNr           string
	notifyURL, returnURL  string
	metadata              flex.Metadata
	apiBase, origin       string
	banks                 []string // bank account uids, oldest first
	defaultBank           string
}

// bankAccount is the sandbox's state of one bank account of a merchant.
type bankAccount struct {
	uid, merchantUID           string
	created, updated, verified time.Time
	status                     gen.BankAccountStatus
	iban, bic                  string // masked, known once verified
	reference                  string
	returnURL, notifyURL       string
	verificationURL            string
	disapprovals               []string
}

// inactive reports whether a merchant in this status can receive no transactions.
func inactive(status string) bool {
	switch gen.MerchantStatus(status) {
	case client.MerchantStatusSuspended, client.MerchantStatusTerminated, client.MerchantStatusBlocked, client.MerchantStatusDeleted:
		return true
	}
	return false
}

func (s *Server) createMerchant(w http.ResponseWriter, r *http.Request) {
	// Metadata values may be numbers on the wire, as for transactions.
	var body struct {
		gen.MerchantCreate
		Metadata flex.Metadata `json:"metadata"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, "body: "+err.Error())
		return
	}
	in := body.MerchantCreate
	kind := cmp.Or(string(in.Type), string(client.MerchantTypeConsumer))
	if kind == string(client.MerchantTypeBusiness) && in.CocNr == "" {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, "Missing required coc_nr (type business)")
		return
	}
	now := time.Now().UTC()
	origin := sim.Origin(r)
	m := &merchant{
		kind: kind, created: now, updated: now,
		country: in.Country, email: in.Emailaddress, phone: in.Phone, cocNr: in.CocNr,
		name:      joinName(in.NameFirst, in.NameLast),
		notifyURL: in.NotifyURL, returnURL: in.ReturnURL, metadata: body.Metadata,
		apiBase: origin + "/v1", origin: origin,
	}
	s.mu.Lock()
	m.uid = newUID("mer", s.merchants)
	s.merchants[m.uid] = m
	s.merchantOrder = append(s.merchantOrder, m.uid)
	s.setMerchantStatus(m, client.MerchantStatusPending, now)
	out := s.renderMerchant(m)
	s.mu.Unlock()
	sim.Attach(r.Context(), m.uid)
	sim.WriteJSON(w, http.StatusOK, out)
}

func joinName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}

func (s *Server) getMerchant(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m, ok := s.merchants[r.PathValue("uid")]
	var out wireMerchant
	if ok {
		out = s.renderMerchant(m)
	}
	s.mu.Unlock()
	if !ok {
		merchantNotFound(w, r.PathValue("uid"))
		return
	}
	sim.WriteJSON(w, http.StatusOK, out)
}

func merchantNotFound(w http.ResponseWriter, uid string) {
	writeError(w, http.StatusNotFound, CodeNotFound, "merchant "+uid+" not found")
}

func (s *Server) listMerchants(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	env := paginate(r, "/v1/merchants", s.merchantOrder, func(uid string) wireMerchant { return s.renderMerchant(s.merchants[uid]) })
	s.mu.Unlock()
	sim.WriteJSON(w, http.StatusOK, env)
}

// updateMerchant changes the fields sent. A partner may suspend a merchant
// or terminate it; a terminated merchant changes no more.
func (s *Server) updateMerchant(w http.ResponseWriter, r *http.Request) {
	var body struct {
		gen.MerchantUpdate
		Metadata flex.Metadata `json:"metadata"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, "body: "+err.Error())
		return
	}
	in := body.MerchantUpdate
	uid := r.PathValue("uid")
	s.mu.Lock()
	m, ok := s.merchants[uid]
	if !ok {
		s.mu.Unlock()
		merchantNotFound(w, uid)
		return
	}
	if m.status == string(client.MerchantStatusTerminated) {
		s.mu.Unlock()
		writeError(w, http.StatusPaymentRequired, CodeMerchantInactive, "merchant "+uid+" is terminated and cannot change")
		return
	}
	now := time.Now().UTC()
	set(&m.email, in.Emailaddress)
	set(&m.notifyURL, in.NotifyURL)
	set(&m.returnURL, in.ReturnURL)
	if len(body.Metadata) > 0 {
		if m.metadata == nil {
			m.metadata = flex.Metadata{}
		}
		maps.Copy(m.metadata, body.Metadata)
	}
	m.updated = now
	var notes []*pending
	if in.Status != "" {
		notes = append(notes, s.setMerchantStatus(m, gen.MerchantStatus(in.Status), now))
	}
	out := s.renderMerchant(m)
	s.mu.Unlock()
	_ = s.deliver(r.Context(), notes)
	sim.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) createBankAccount(w http.ResponseWriter, r *http.Request) {
	var in gen.BankAccountCreate
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, "body: "+err.Error())
		return
	}
	uid := r.PathValue("uid")
	now := time.Now().UTC()
	s.mu.Lock()
	m, ok := s.merchants[uid]
	if !ok {
		s.mu.Unlock()
		merchantNotFound(w, uid)
		return
	}
	if m.status == string(client.MerchantStatusTerminated) {
		s.mu.Unlock()
		writeError(w, http.StatusPaymentRequired, CodeMerchantInactive, "merchant "+uid+" is terminated")
		return
	}
	b := &bankAccount{
		merchantUID: uid, created: now, updated: now, status: client.BankAccountStatusNew,
		reference: in.Reference, returnURL: in.ReturnURL, notifyURL: in.NotifyURL,
	}
	b.uid = newUID("bnk", s.bankAccounts)
	b.verificationURL = m.origin + verificationPath(uid, b.uid)
	s.bankAccounts[b.uid] = b
	m.banks = append(m.banks, b.uid)
	if in.IsDefault || m.defaultBank == "" {
		m.defaultBank = b.uid
	}
	m.updated = now
	out := s.renderBankAccount(b)
	s.mu.Unlock()
	sim.WriteJSON(w, http.StatusOK, out)
}

func verificationPath(merchantUID, bankUID string) string {
	return "/nl/sandbox/merchants/" + merchantUID + "/verificatie/bankgegevens/" + bankUID
}

func (s *Server) listBankAccounts(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	s.mu.Lock()
	m, ok := s.merchants[uid]
	var env list[wireBankAccount]
	if ok {
		env = paginate(r, "/v1/merchants/"+uid+"/bank_accounts", m.banks, func(b string) wireBankAccount { return s.renderBankAccount(s.bankAccounts[b]) })
	}
	s.mu.Unlock()
	if !ok {
		merchantNotFound(w, uid)
		return
	}
	sim.WriteJSON(w, http.StatusOK, env)
}

func (s *Server) getBankAccount(w http.ResponseWriter, r *http.Request) {
	uid, bank := r.PathValue("uid"), r.PathValue("bank")
	s.mu.Lock()
	b, ok := s.bankAccounts[bank]
	ok = ok && b.merchantUID == uid
	var out wireBankAccount
	if ok {
		out = s.renderBankAccount(b)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, CodeNotFound, "bank account "+bank+" of merchant "+uid+" not found")
		return
	}
	sim.WriteJSON(w, http.StatusOK, out)
}

// apiStatus answers GET /status, outside /v1.
func (s *Server) apiStatus(w http.ResponseWriter, _ *http.Request) {
	sim.WriteJSON(w, http.StatusOK, gen.APIStatus{Status: "online", Date: ts(time.Now().UTC())})
}

// ErrNotVerifiable is returned (wrapped) when a bank account is not new or
// pending, or its merchant is terminated.
var ErrNotVerifiable = errors.New("bank account cannot be verified")

// VerifyBankAccount does what the page at a bank account's verification_url
// does: the merchant verifies the account (new → pending) and OPP approves
// it (→ approved, and the merchant goes live when nothing else is
// outstanding) or disapproves it. It posts the notifications and returns
// the account as the API shows it.
func (s *Server) VerifyBankAccount(ctx context.Context, bankUID string, approve bool) (*client.BankAccount, error) {
	now := time.Now().UTC()
	s.mu.Lock()
	b, ok := s.bankAccounts[bankUID]
	if !ok {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: bank account %s not found", ErrNotFound, bankUID)
	}
	m := s.merchants[b.merchantUID]
	if m.status == string(client.MerchantStatusTerminated) || (b.status != client.BankAccountStatusNew && b.status != client.BankAccountStatusPending) {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: %s is %s, its merchant %s", ErrNotVerifiable, bankUID, b.status, m.status)
	}
	// The merchant's verification tells OPP the account; its number is
	// shown masked, as OPP does (no real IBAN is made up).
	b.iban, b.bic = "NL00***********"+b.uid[len(b.uid)-3:], "SNDBNL2A"
	notes := []*pending{s.setBankStatus(b, client.BankAccountStatusPending, now)}
	if approve {
		b.verified = now
		notes = append(notes, s.setBankStatus(b, client.BankAccountStatusApproved, now))
	} else {
		b.disapprovals = []string{"The sandbox was asked to disapprove this bank account."}
		notes = append(notes, s.setBankStatus(b, client.BankAccountStatusDisapproved, now))
	}
	if m.status == string(client.MerchantStatusPending) && len(s.requirements(m)) == 0 {
		notes = append(notes, s.setMerchantStatus(m, client.MerchantStatusLive, now))
	}
	wb := s.renderBankAccount(b)
	s.mu.Unlock()
	err := s.deliver(ctx, notes)
	out := wb.BankAccount
	return &out, err
}

// Merchant returns a merchant's current state as the API shows it.
func (s *Server) Merchant(uid string) (*client.Merchant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.merchants[uid]
	if !ok {
		return nil, false
	}
	out := s.renderMerchant(m).Merchant
	return &out, true
}

// setMerchantStatus moves m to status and returns the notification to post
// (nil when nothing changed or nobody listens); s.mu must be held.
func (s *Server) setMerchantStatus(m *merchant, status gen.MerchantStatus, now time.Time) *pending {
	if m.status == string(status) {
		return nil
	}
	s.rec.Status(m.uid, m.status, string(status), "merchant")
	first := m.status == ""
	m.status, m.updated = string(status), now
	target := cmp.Or(m.notifyURL, s.cfg.NotifyURL)
	if first || target == "" {
		return nil
	}
	return &pending{url: target, note: gen.Notification{
		UID: "not_" + sim.NewID(6), Type: client.NotificationMerchantStatusChanged, Created: ts(now),
		ObjectUID: m.uid, ObjectType: client.ObjectTypeMerchant, ObjectURL: m.apiBase + "/merchants/" + m.uid,
	}}
}

// setBankStatus moves b to status and returns the notification to post;
// s.mu must be held. The notification names the merchant as the parent.
func (s *Server) setBankStatus(b *bankAccount, status gen.BankAccountStatus, now time.Time) *pending {
	if b.status == status {
		return nil
	}
	m := s.merchants[b.merchantUID]
	s.rec.Status(m.uid, string(b.status), string(status), "bank account "+b.uid)
	b.status, b.updated, m.updated = status, now, now
	target := cmp.Or(b.notifyURL, m.notifyURL, s.cfg.NotifyURL)
	if target == "" {
		return nil
	}
	merchantURL := m.apiBase + "/merchants/" + m.uid
	return &pending{url: target, note: gen.Notification{
		UID: "not_" + sim.NewID(6), Type: client.NotificationBankAccountStatusChanged, Created: ts(now),
		ObjectUID: b.uid, ObjectType: client.ObjectTypeBankAccount, ObjectURL: merchantURL + "/bank_accounts/" + b.uid,
		ParentUID: m.uid, ParentType: client.ObjectTypeMerchant, ParentURL: merchantURL,
	}}
}

// requirements lists what m has yet to meet: a default bank account, then
// its verification; s.mu must be held.
func (s *Server) requirements(m *merchant) []gen.Requirement {
	accounts := m.apiBase + "/merchants/" + m.uid + "/bank_accounts"
	b, ok := s.bankAccounts[m.defaultBank]
	if !ok {
		return []gen.Requirement{{Type: "bank_account.required", Status: "unverified", ObjectType: client.ObjectTypeBankAccount, ObjectURL: accounts}}
	}
	status := "unverified"
	switch b.status {
	case client.BankAccountStatusApproved:
		return []gen.Requirement{}
	case client.BankAccountStatusPending:
		status = "pending"
	case client.BankAccountStatusDisapproved:
		status = "disapproved"
	}
	return []gen.Requirement{{
		Type: "bank_account.verification.required", Status: status, ObjectUID: b.uid,
		ObjectType: client.ObjectTypeBankAccount, ObjectURL: accounts + "/" + b.uid, ObjectRedirectURL: b.verificationURL,
	}}
}

// wireMerchant is a merchant as OPP sends it: livemode, the lists and
// metadata always, [] when empty (the model's omitzero would leave them out).
type wireMerchant struct {
	gen.Merchant
	Livemode       bool           `json:"livemode"`
	Compliance     wireCompliance `json:"compliance"`
	Addresses      []any          `json:"addresses"`
	TradingNames   []any          `json:"trading_names"`
	Contacts       []any          `json:"contacts"`
	Profiles       []any          `json:"profiles"`
	PaymentMethods []any          `json:"payment_methods"`
	Metadata       gen.Metadata   `json:"metadata"`
}

type wireCompliance struct {
	gen.Compliance
	Requirements []gen.Requirement `json:"requirements"`
}

// renderMerchant builds the API's view of m; s.mu must be held.
func (s *Server) renderMerchant(m *merchant) wireMerchant {
	reqs := s.requirements(m)
	c := gen.Compliance{Level: 100, Status: "verified", OverviewURL: m.origin + "/nl/sandbox/merchants/" + m.uid + "/verificatie", Requirements: reqs}
	if m.kind == string(client.MerchantTypeBusiness) {
		c.Level = 400 // as OPP's answers show a new business
	}
	for _, r := range reqs {
		c.Status = "unverified"
		if r.Status == "pending" {
			c.Status = "pending"
		}
	}
	out := gen.Merchant{
		UID: m.uid, Object: "merchant", Created: ts(m.created), Updated: ts(m.updated),
		Status: gen.MerchantStatus(m.status), Compliance: c, Type: m.kind,
		CocNr: gen.Text(m.cocNr), Name: m.name, Emailaddress: m.email, Phone: gen.Text(m.phone),
		Country: m.country, NotifyURL: m.notifyURL, ReturnURL: m.returnURL, Metadata: pairs(m.metadata),
	}
	empty := []any{}
	return wireMerchant{Merchant: out, Compliance: wireCompliance{Compliance: c, Requirements: reqs},
		Addresses: empty, TradingNames: empty, Contacts: empty, Profiles: empty, PaymentMethods: empty, Metadata: out.Metadata}
}

// wireBankAccount is a bank account as OPP sends it: verified, the
// account's IBAN and BIC null until known, disapprovals [] when none.
type wireBankAccount struct {
	gen.BankAccount
	Livemode     bool          `json:"livemode"`
	Verified     gen.Timestamp `json:"verified"`
	Account      wireAccount   `json:"account"`
	Bank         wireBank      `json:"bank"`
	IsDefault    bool          `json:"is_default"`
	Disapprovals []any         `json:"disapprovals"`
}

type wireAccount struct {
	IBAN *string `json:"account_iban"`
}

type wireBank struct {
	BIC *string `json:"bic"`
}

// renderBankAccount builds the API's view of b; s.mu must be held.
func (s *Server) renderBankAccount(b *bankAccount) wireBankAccount {
	out := gen.BankAccount{
		UID: b.uid, Object: "bank_account", Created: ts(b.created), Updated: ts(b.updated), Verified: ts(b.verified),
		VerificationURL: b.verificationURL, Status: b.status,
		Account: gen.AccountDetails{AccountIban: b.iban}, Bank: gen.BankDetails{Bic: b.bic},
		Reference: b.reference, ReturnURL: b.returnURL, NotifyURL: b.notifyURL,
		IsDefault: s.merchants[b.merchantUID].defaultBank == b.uid,
	}
	disapprovals := []any{}
	for _, d := range b.disapprovals {
		disapprovals = append(disapprovals, d)
	}
	out.Disapprovals = disapprovals
	return wireBankAccount{BankAccount: out, Verified: out.Verified, Account: wireAccount{orNull(b.iban)}, Bank: wireBank{orNull(b.bic)},
		IsDefault: out.IsDefault, Disapprovals: disapprovals}
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// verificationPage is OPP's page at a bank account's verification_url (and
// the merchant's overview_url, which lists its accounts).
var verificationPage = template.Must(template.New("verify").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OPP sandbox: verify a bank account</title></head>
<body><h1>Merchant {{.Merchant}} ({{.Status}})</h1>
{{range .Accounts}}<section><h2>Bank account {{.UID}}: {{.Status}}</h2>
{{if .Open}}<form method="post" action="{{.Action}}">
<button name="outcome" value="approved">Verify: OPP approves it</button>
<button name="outcome" value="disapproved">Verify: OPP disapproves it</button>
</form>{{end}}</section>
{{else}}<p>No bank account yet: add one through the API.</p>{{end}}
</body></html>
`))

type verifyAccount struct {
	UID, Status, Action string
	Open                bool
}

// verificationForm shows a merchant's bank accounts (all, or the one in
// the path) with the verification buttons.
func (s *Server) verificationForm(w http.ResponseWriter, r *http.Request) {
	uid, bank := r.PathValue("uid"), r.PathValue("bank")
	s.mu.Lock()
	m, ok := s.merchants[uid]
	var data struct {
		Merchant, Status string
		Accounts         []verifyAccount
	}
	if ok {
		data.Merchant, data.Status = m.uid, m.status
		for _, b := range m.banks {
			if bank != "" && b != bank {
				continue
			}
			a := s.bankAccounts[b]
			open := a.status == client.BankAccountStatusNew || a.status == client.BankAccountStatusPending
			data.Accounts = append(data.Accounts, verifyAccount{UID: a.uid, Status: string(a.status), Action: verificationPath(uid, a.uid), Open: open})
		}
	}
	s.mu.Unlock()
	if !ok || (bank != "" && len(data.Accounts) == 0) {
		http.Error(w, "unknown merchant or bank account", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = verificationPage.Execute(w, data)
}

// verify applies the merchant's verification and OPP's review, then sends
// the merchant to the bank account's return_url.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	uid, bank := r.PathValue("uid"), r.PathValue("bank")
	outcome := r.FormValue("outcome")
	if outcome != "approved" && outcome != "disapproved" {
		http.Error(w, "outcome must be approved or disapproved", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	b, ok := s.bankAccounts[bank]
	ok = ok && b.merchantUID == uid
	var target string
	if ok {
		target = b.returnURL
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "unknown merchant or bank account", http.StatusNotFound)
		return
	}
	s.rec.Action(uid, "verified bank account "+bank+": "+outcome)
	if _, err := s.VerifyBankAccount(r.Context(), bank, outcome == "approved"); err != nil && !isDelivery(err) {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	if target == "" {
		target = verificationPath(uid, bank)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// isDelivery reports whether err is only a failed notification (the change
// itself stands; the failure is in Deliveries).
func isDelivery(err error) bool {
	return !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrNotVerifiable)
}

// refusesTransactions says why a transaction for merchantUID is refused: a
// sandbox merchant that is suspended, terminated, blocked or deleted
// receives none. A merchant_uid the sandbox does not know (the default
// one, say) is taken as given. s.mu must be held.
func (s *Server) refusesTransactions(merchantUID string) (string, bool) {
	m, ok := s.merchants[merchantUID]
	if !ok || !inactive(m.status) {
		return "", false
	}
	return fmt.Sprintf("merchant %s is %s and cannot receive transactions", merchantUID, m.status), true
}
