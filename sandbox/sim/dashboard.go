package sim

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/money"
)

// Source is one simulator as the dashboard sees it: its payments, the
// actions each offers, and its courier (whose Recorder holds the
// timeline). Every simulator's Server implements it.
type Source interface {
	// Provider names the simulator: an id for URLs ("kassacompleet") and
	// the provider's name ("Kassa Compleet").
	Provider() Provider
	// Payments lists every payment, in any order.
	Payments() []Payment
	// Act carries out one of a payment's Actions (Action.Name). form holds
	// the action's inputs (a refund's "amount", in euros: "5.00"; empty
	// for all that is left).
	Act(ctx context.Context, id, action string, form url.Values) error
	// Webhooks is the simulator's courier.
	Webhooks() *Courier
}

// Provider names a simulator.
type Provider struct {
	ID   string // "kassacompleet"
	Name string // "Kassa Compleet"
}

// Payment is one payment as the dashboard lists it. Nothing in it may be a
// secret or a full IBAN.
type Payment struct {
	ID          string
	Reference   string // the shop's own reference ("" when it gave none)
	Amount      string // "12.50"
	Currency    string
	Method      string // "iDEAL"; "" while the customer has not chosen
	Bank        string // the iDEAL bank, when known
	Description string
	// Status is the provider's own value; Normalized is betaalkit's (paid,
	// open, failed, …, as the client's NormalizeStatus reads it).
	Status, Normalized string
	Created            time.Time
	Refunded           string // what has been refunded ("" nothing)
	PaymentURL         string // the hosted payment page, if any
	WebhookURL         string // where its webhooks go ("" none)
	// Actions are the buttons the dashboard offers, in order.
	Actions []Action
}

// Action is a button on a payment's dashboard page.
type Action struct {
	Name  string // what Act receives: "pay", "cancel", "refund", "resend", …
	Label string // the button's text: "Mark paid (completed)"
	// Amount asks for an amount (a refund).
	Amount bool
}

// The actions every simulator names alike.
const (
	ActionResend = "resend"
	ActionRefund = "refund"
	// ActionRenotify delivers the webhook again as it read in an earlier
	// status (the form's "status"): a late, out-of-order delivery.
	ActionRenotify = "renotify"
)

// ChoiceActions are the dashboard's buttons for the customer's four
// choices, labelled with the status each leads to at this provider:
// pay, cancel, fail and expire as a customer (or the bank) would.
func ChoiceActions(paid, cancelled, failed, expired string) []Action {
	return []Action{
		{Name: string(Pay), Label: "Mark paid (" + paid + ")"},
		{Name: string(Cancel), Label: "Cancel (" + cancelled + ")"},
		{Name: string(Fail), Label: "Fail (" + failed + ")"},
		{Name: string(Expire), Label: "Expire (" + expired + ")"},
	}
}

// ErrUnknownAction is returned by Act for an action the payment does not offer.
var ErrUnknownAction = errors.New("unknown action")

// ChoiceAction reads an action Act has no case of its own for: one of the
// customer's choices (ChoiceActions' buttons); anything else is
// ErrUnknownAction.
func ChoiceAction(action string) (Choice, error) {
	c, err := ParseChoice(action)
	if err != nil {
		return "", fmt.Errorf("%w %q", ErrUnknownAction, action)
	}
	return c, nil
}

// Dashboard serves the overview of one or more simulators' payments and
// each payment's page with its timeline and buttons, under Prefix. It
// answers only requests from loopback addresses unless AllowRemote is
// set, and refuses a button pressed from another site's page.
type Dashboard struct {
	// Prefix is where it is served, with a trailing slash ("/sandbox/").
	Prefix string
	// AllowRemote serves clients on other hosts too.
	AllowRemote bool

	sources []Source
	mux     *http.ServeMux
}

// NewDashboard serves sources' payments under prefix ("/sandbox/").
func NewDashboard(prefix string, sources ...Source) *Dashboard {
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	d := &Dashboard{Prefix: prefix, sources: sources, mux: http.NewServeMux()}
	d.mux.HandleFunc("GET "+prefix+"{$}", d.overview)
	d.mux.HandleFunc("GET "+prefix+"payments/{provider}/{id}", d.payment)
	d.mux.HandleFunc("POST "+prefix+"payments/{provider}/{id}", d.act)
	d.mux.HandleFunc("POST "+prefix+"webhooks/{provider}", d.delivery)
	return d
}

// renotifier is a simulator that can deliver a payment's webhook again as
// it read in an earlier status (every simulator's Renotify).
type renotifier interface {
	Renotify(ctx context.Context, id, status string) error
}

// The delivery modes the overview's buttons set (sim.Courier's).
const (
	deliverTwice    = "twice"
	deliverOnce     = "once"
	deliverHold     = "hold"
	deliverRelease  = "release"
	deliverReversed = "release-reversed"
)

// delivery sets how a simulator's courier delivers: twice or once, held,
// or releasing what it held, in order or newest first. It is how a shop
// provokes duplicate, late and out-of-order webhooks by hand.
func (d *Dashboard) delivery(w http.ResponseWriter, r *http.Request) {
	s, ok := d.pressed(w, r)
	if !ok {
		return
	}
	c := s.Webhooks()
	mode := r.PostFormValue("mode")
	switch mode {
	case deliverTwice, deliverOnce:
		c.Duplicate(mode == deliverTwice)
	case deliverHold:
		c.Hold()
	case deliverRelease, deliverReversed:
		if err := c.Release(r.Context(), mode == deliverReversed); err != nil {
			http.Error(w, "released, but "+err.Error(), http.StatusBadGateway)
			return
		}
	default:
		http.Error(w, fmt.Sprintf("%q is not a delivery mode", mode), http.StatusBadRequest)
		return
	}
	c.Recorder().Action("", "dashboard: webhooks "+mode)
	http.Redirect(w, r, d.Prefix+"#delivery", http.StatusSeeOther)
}

// PaymentPath is the dashboard's page of a payment.
func (d *Dashboard) PaymentPath(provider, id string) string {
	return d.Prefix + "payments/" + url.PathEscape(provider) + "/" + url.PathEscape(id)
}

// ServeHTTP serves the dashboard.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := d.mux.Handler(r); pattern == "" {
		http.NotFound(w, r)
		return
	}
	if !d.AllowRemote && !loopback(r.RemoteAddr) {
		http.Error(w, "the sandbox dashboard answers loopback clients only", http.StatusForbidden)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	d.mux.ServeHTTP(w, r)
}

// loopback reports whether a RemoteAddr is on this machine ("" and
// addresses that do not parse are trusted: an in-process request).
func loopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return true
	}
	ip := net.ParseIP(host)
	return ip == nil || ip.IsLoopback()
}

// pressed is the simulator a button posts to, once the post is known to
// come from the dashboard itself; otherwise it has answered 403 or 404.
func (d *Dashboard) pressed(w http.ResponseWriter, r *http.Request) (Source, bool) {
	if !sameOrigin(r) {
		http.Error(w, "a dashboard button may only be pressed from the dashboard", http.StatusForbidden)
		return nil, false
	}
	s, ok := d.source(r.PathValue("provider"))
	if !ok {
		http.NotFound(w, r)
	}
	return s, ok
}

func (d *Dashboard) source(id string) (Source, bool) {
	for _, s := range d.sources {
		if s.Provider().ID == id {
			return s, true
		}
	}
	return nil, false
}

// row is one payment in the overview.
type row struct {
	Provider Provider
	Payment
	Link    string
	Webhook *Event // the latest webhook attempt
}

type overviewData struct {
	Title     string
	Refresh   int
	Prefix    string
	Rows      []row
	Providers []providerSummary
	Requests  []requestRow
	Multi     bool
}

type providerSummary struct {
	Provider
	Payments int
	Schedule Schedule
	// The courier's mode, for the delivery buttons.
	Twice, Holding bool
	Held           int
}

type requestRow struct {
	Provider Provider
	Event
	Link string
}

func (d *Dashboard) overview(w http.ResponseWriter, r *http.Request) {
	data := overviewData{Prefix: d.Prefix, Refresh: refresh(r), Multi: len(d.sources) > 1}
	for _, s := range d.sources {
		p, rec := s.Provider(), s.Webhooks().Recorder()
		payments := s.Payments()
		twice, holding := s.Webhooks().Mode()
		data.Providers = append(data.Providers, providerSummary{Provider: p, Payments: len(payments), Schedule: s.Webhooks().Schedule(),
			Twice: twice, Holding: holding, Held: s.Webhooks().Held()})
		for _, pay := range payments {
			rw := row{Provider: p, Payment: shown(pay), Link: d.PaymentPath(p.ID, pay.ID)}
			if e, ok := rec.LastWebhook(pay.ID); ok {
				rw.Webhook = &e
			}
			data.Rows = append(data.Rows, rw)
		}
		for _, e := range rec.Requests(50) {
			rr := requestRow{Provider: p, Event: e}
			if e.Payment != "" {
				rr.Link = d.PaymentPath(p.ID, e.Payment)
			}
			data.Requests = append(data.Requests, rr)
		}
	}
	slices.SortStableFunc(data.Rows, func(a, b row) int { return b.Created.Compare(a.Created) })
	slices.SortStableFunc(data.Requests, func(a, b requestRow) int { return b.Time.Compare(a.Time) })
	data.Requests = data.Requests[:min(len(data.Requests), 50)]
	data.Title = "Sandbox payments"
	if len(d.sources) == 1 {
		data.Title = d.sources[0].Provider().Name + " sandbox payments"
	}
	render(w, http.StatusOK, "overview", data)
}

type paymentData struct {
	Title    string
	Refresh  int
	Prefix   string
	Provider Provider
	Payment  Payment
	Events   []Event
	Webhook  *Event
	Schedule Schedule
	Message  string
	Error    string
	Self     string
	// Renotify: the simulator can deliver the webhook as an earlier status.
	Renotify bool
}

func (d *Dashboard) payment(w http.ResponseWriter, r *http.Request) {
	d.renderPayment(w, r, http.StatusOK, r.URL.Query().Get("done"), "")
}

func (d *Dashboard) renderPayment(w http.ResponseWriter, r *http.Request, status int, message, problem string) {
	s, ok := d.source(r.PathValue("provider"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	id := r.PathValue("id")
	p, ok := findPayment(s, id)
	if !ok {
		http.Error(w, "no payment "+id+" at "+s.Provider().Name, http.StatusNotFound)
		return
	}
	rec := s.Webhooks().Recorder()
	data := paymentData{Title: s.Provider().Name + " payment " + id, Refresh: refresh(r), Prefix: d.Prefix,
		Provider: s.Provider(), Payment: shown(p), Events: rec.Events(id), Schedule: s.Webhooks().Schedule(),
		Message: message, Error: problem, Self: d.PaymentPath(s.Provider().ID, id)}
	_, data.Renotify = s.(renotifier)
	if e, ok := rec.LastWebhook(id); ok {
		data.Webhook = &e
	}
	slices.Reverse(data.Events) // newest first
	render(w, status, "payment", data)
}

// shown redacts what a simulator's payment shows that a shop wrote (a
// description with an IBAN in it, a webhook URL with a token).
func shown(p Payment) Payment {
	for _, f := range []*string{&p.Reference, &p.Description, &p.WebhookURL, &p.PaymentURL} {
		*f = betaalkit.Redact(*f)
	}
	return p
}

func findPayment(s Source, id string) (Payment, bool) {
	for _, p := range s.Payments() {
		if p.ID == id {
			return p, true
		}
	}
	return Payment{}, false
}

// act presses a button: the action runs, and the browser goes back to the
// payment's page (303), which shows what happened.
func (d *Dashboard) act(w http.ResponseWriter, r *http.Request) {
	s, ok := d.pressed(w, r)
	if !ok {
		return
	}
	id, action := r.PathValue("id"), r.PostFormValue("action")
	p, ok := findPayment(s, id)
	if !ok {
		http.Error(w, "no payment "+id, http.StatusNotFound)
		return
	}
	rec := s.Webhooks().Recorder()
	var label string
	var err error
	if rn, ok := s.(renotifier); ok && action == ActionRenotify {
		status := strings.TrimSpace(r.PostFormValue("status"))
		label = "Deliver the webhook as " + cmp.Or(status, "now")
		rec.Action(id, "dashboard: "+label)
		err = rn.Renotify(r.Context(), id, status)
	} else {
		for _, a := range p.Actions {
			if a.Name == action {
				label = a.Label
			}
		}
		if label == "" {
			d.renderPayment(w, r, http.StatusBadRequest, "", fmt.Sprintf("%s: %q is not an action this payment offers now", ErrUnknownAction, action))
			return
		}
		note := "dashboard: " + label
		if a := strings.TrimSpace(r.PostFormValue("amount")); a != "" {
			note += " " + a
		}
		rec.Action(id, note)
		err = s.Act(r.Context(), id, action, r.PostForm)
	}
	if err != nil {
		d.renderPayment(w, r, http.StatusConflict, "", label+": "+err.Error())
		return
	}
	http.Redirect(w, r, d.PaymentPath(s.Provider().ID, id)+"?done="+url.QueryEscape(label), http.StatusSeeOther)
}

// sameOrigin refuses a form another site's page posts to the dashboard
// (the browser names the page's origin; a client that names none, like
// curl, is a person at this machine).
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return origin == ""
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

func refresh(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("refresh"))
	if err != nil || n < 1 {
		return 0
	}
	return min(n, 3600)
}

//go:embed templates/*.html
var templateFiles embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"clock": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Local().Format("15:04:05.000")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Local().Format("2006-01-02 15:04:05")
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) },
	"ms": func(d time.Duration) string {
		if d < time.Millisecond {
			return fmt.Sprintf("%d µs", d.Microseconds())
		}
		return fmt.Sprintf("%d ms", d.Milliseconds())
	},
	"in": func(t time.Time) string {
		d := time.Until(t).Round(time.Second)
		if d <= 0 {
			return "now"
		}
		return "in " + d.String()
	},
	"state":  webhookState,
	"tone":   tone,
	"concat": func(parts ...string) string { return strings.Join(parts, "") },
	"orDash": func(s string) string { return cmp.Or(s, "—") },
}).ParseFS(templateFiles, "templates/*.html"))

// webhookState words a payment's latest webhook attempt: delivered,
// failed (retrying), held, or none.
func webhookState(e *Event) string {
	switch {
	case e == nil:
		return "none sent"
	case e.Held:
		return "held back"
	case e.Delivered:
		return fmt.Sprintf("delivered (HTTP %d)", e.Status)
	case !e.NextRetry.IsZero():
		return "failed, retrying"
	default:
		return "failed"
	}
}

// tone is the colour class of a normalized status.
func tone(normalized string) string {
	switch normalized {
	case "paid", "authorized":
		return "good"
	case "failed", "canceled", "expired", "charged_back":
		return "bad"
	case "refunded", "partially_refunded":
		return "info"
	}
	return "wait"
}

func render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := templates.ExecuteTemplate(w, name, data); err != nil {
		fmt.Fprintf(w, "<p>template %s: %s</p>", name, template.HTMLEscapeString(err.Error()))
	}
}

// RefundAmount reads a refund button's amount in euros ("5.00", "5,00",
// "5") as cents; an empty field means all that is left.
func RefundAmount(form url.Values, left money.Cents) (money.Cents, error) {
	s := strings.ReplaceAll(strings.TrimSpace(form.Get("amount")), ",", ".")
	if s == "" {
		if left <= 0 {
			return 0, errors.New("nothing is left to refund")
		}
		return left, nil
	}
	d, err := money.ParseDecimal(s)
	if err != nil {
		return 0, fmt.Errorf("amount %q: not an amount in euros", s)
	}
	c, err := d.Cents()
	if err != nil || c <= 0 {
		return 0, fmt.Errorf("amount %q: not a positive amount in whole cents", s)
	}
	return c, nil
}
