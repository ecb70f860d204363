package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	stdhtml "html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// PageData is what the hosted payment page shows: what a customer sees at
// the provider, and the buttons for every outcome the provider has.
type PageData struct {
	// Provider is the brand at the top ("Kassa Compleet", "iDEAL · ING").
	Provider string
	// Merchant is the shop the customer pays ("Sandbox shop" when empty).
	Merchant    string
	Reference   string
	Amount      string
	Currency    string
	Description string
	// Method is the payment method ("iDEAL", "iDEAL In3", "Credit card").
	Method string
	// Bank is the customer's bank when the order names one.
	Bank string
	// Banks are offered when the order names none (an iDEAL payment whose
	// bank the customer picks here). Pay needs one; the others do not.
	Banks  []Bank
	Status string
	// Outcomes are the buttons; nil: Pay, Cancel, Fail and Let it expire.
	Outcomes []Outcome
	// Note is shown above the buttons (a test amount's fixed outcome).
	Note string
	// Final says the payment is over (the buttons stay: the provider
	// refuses another choice, as a test may want to see).
	Final bool
	// Action is where the form posts the customer's choice.
	Action string
	// Dashboard links to the payment's page on the sandbox dashboard.
	Dashboard string
}

// Bank is an iDEAL bank the customer can pick.
type Bank struct{ ID, Name string }

// IDEALBanks are the banks iDEAL lists, by BIC.
var IDEALBanks = []Bank{
	{"ABNANL2A", "ABN AMRO"}, {"ASNBNL21", "ASN Bank"}, {"BUNQNL2A", "bunq"}, {"INGBNL2A", "ING"},
	{"KNABNL2H", "Knab"}, {"RABONL2U", "Rabobank"}, {"RBRBNL21", "RegioBank"}, {"REVOLT21", "Revolut"},
	{"SNSBNL2A", "SNS"}, {"TRIONL2U", "Triodos Bank"}, {"FVLBNL22", "Van Lanschot Kempen"},
}

// BankName is the name of a bank in banks by its id ("" when unknown).
func BankName(banks []Bank, id string) string {
	for _, b := range banks {
		if strings.EqualFold(b.ID, id) {
			return b.Name
		}
	}
	return ""
}

// Outcome is one button of the payment page.
type Outcome struct {
	Choice Choice
	Label  string
	// Result is what it leads to at this provider ("completed").
	Result string
}

// Outcomes labels the four choices with the provider's status each
// leads to.
func Outcomes(paid, cancelled, failed, expired string) []Outcome {
	return []Outcome{
		{Pay, "Pay", paid}, {Cancel, "Cancel", cancelled}, {Fail, "Fail", failed}, {Expire, "Let it expire", expired},
	}
}

// RenderPage writes the hosted payment page.
func RenderPage(w http.ResponseWriter, data PageData) {
	if data.Outcomes == nil {
		data.Outcomes = Outcomes("", "", "", "")
	}
	if data.Merchant == "" {
		data.Merchant = "Sandbox shop"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if err := templates.ExecuteTemplate(w, "pay", data); err != nil {
		fmt.Fprintf(w, "<p>payment page: %s</p>", stdhtml.EscapeString(err.Error()))
	}
}

// ErrNoBank is the answer to Pay on a page that offered banks when none
// was picked.
var ErrNoBank = errors.New("choose your bank first")

// PageChoice reads the customer's choice and bank from the page's form.
// Pay needs a bank when the page offered some (offered non-nil); the bank
// must be one of them.
func PageChoice(r *http.Request, offered []Bank) (Choice, Bank, error) {
	choice, err := ParseChoice(r.FormValue("choice"))
	if err != nil {
		return "", Bank{}, err
	}
	id := r.FormValue("bank")
	if id == "" {
		if choice == Pay && offered != nil {
			return "", Bank{}, ErrNoBank
		}
		return choice, Bank{}, nil
	}
	name := BankName(offered, id)
	if name == "" {
		return "", Bank{}, fmt.Errorf("unknown bank %q", id)
	}
	return choice, Bank{ID: id, Name: name}, nil
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	firstBank  = regexp.MustCompile(`name="bank"[^>]*\svalue="([^"]+)"`)
)

// PayAsCustomer opens a payment page like a browser, submits the choice
// (with the first bank, when the page asks for one) and returns where the
// provider redirects the customer (the shop's return URL).
func PayAsCustomer(ctx context.Context, paymentURL string, choice Choice) (string, error) {
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	get, err := http.NewRequestWithContext(ctx, http.MethodGet, paymentURL, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(get)
	if err != nil {
		return "", fmt.Errorf("open payment page: %w", err)
	}
	html, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("payment page answered %d: %s", resp.StatusCode, bytes.TrimSpace(html))
	}
	m := formAction.FindSubmatch(html)
	if m == nil {
		return "", errors.New("payment page has no form")
	}
	action, err := resp.Request.URL.Parse(stdhtml.UnescapeString(string(m[1])))
	if err != nil {
		return "", err
	}
	form := url.Values{"choice": {string(choice)}}
	if b := firstBank.FindSubmatch(html); b != nil {
		form.Set("bank", stdhtml.UnescapeString(string(b[1])))
	}
	post, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = client.Do(post)
	if err != nil {
		return "", fmt.Errorf("submit payment page: %w", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 3 {
		return "", fmt.Errorf("payment page answered %d to the choice: %s", resp.StatusCode, bytes.TrimSpace(body))
	}
	return resp.Header.Get("Location"), nil
}

// ChoiceNote is how the timeline records a choice on the payment page:
// "payment page: pay, bank ING".
func ChoiceNote(c Choice, b Bank) string {
	note := "payment page: " + string(c)
	if b.Name != "" {
		note += ", bank " + b.Name
	}
	return note
}
