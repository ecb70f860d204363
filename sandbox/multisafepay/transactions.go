package multisafepay

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	client "github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/flex"
	gen "github.com/betaalkit/betaalkit/gen/multisafepay"
	"github.com/betaalkit/betaalkit/money"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// SiteID is the sandbox website's site id, as GET /transactions reports it.
const SiteID = 12345

// wireTransaction is a transaction as MultiSafepay lists it: ids are numbers.
type wireTransaction struct {
	gen.Transaction
	TransactionID int64 `json:"transaction_id"`
	SiteID        int64 `json:"site_id"`
}

// transactions lists every order's payment and each of its refunds,
// newest first. Call it with the lock held.
func (s *Server) transactions() []wireTransaction {
	var out []wireTransaction
	for _, o := range s.orders {
		d := o.data
		base := gen.Transaction{
			OrderID: d.OrderID, Currency: d.Currency, Description: d.Description, PaymentMethod: d.Gateway,
			Var1: d.Var1, Var2: d.Var2, Var3: d.Var3,
			Customer: gen.TransactionCustomer{Email: d.Customer.Email, FirstName: d.Customer.FirstName, LastName: d.Customer.LastName},
		}
		pay := base
		pay.Type, pay.DebitCredit = "payment", "C"
		pay.Amount, pay.Status, pay.FinancialStatus = d.Amount, d.Status, d.FinancialStatus
		pay.Created, pay.Completed, pay.Updated = d.Created, d.Completed, d.Modified
		net := d.Amount.Cents
		pay.Costs = []gen.TransactionCost{}
		for _, c := range d.Costs {
			cents, _ := c.Amount.Cents() // the sandbox's own fees are whole cents
			pay.Costs = append(pay.Costs, gen.TransactionCost{Amount: money.BlankCents{Cents: cents}, Description: c.Description})
			net -= cents
		}
		pay.Net = money.BlankCents{Cents: net}
		out = append(out, wireTransaction{pay, o.txID, SiteID})
		for _, r := range o.refunds {
			ref := base
			ref.Type, ref.DebitCredit, ref.Description = "refund", "D", flex.String(r.description)
			ref.Amount, ref.Net = money.BlankCents{Cents: r.amount}, money.BlankCents{Cents: r.amount}
			ref.Status, ref.FinancialStatus = client.StatusCompleted, client.StatusCompleted
			ref.Created, ref.Completed, ref.Updated = r.created, r.created, r.created
			out = append(out, wireTransaction{ref, r.id, SiteID})
		}
	}
	slices.SortFunc(out, func(a, b wireTransaction) int { return int(b.TransactionID - a.TransactionID) })
	return out
}

// listTransactions answers GET /transactions: the filters, then a page of
// limit after (or before) a cursor, with the pager MultiSafepay sends.
// A cursor is a transaction id, in base 36 so that it looks as opaque as
// MultiSafepay's.
func (s *Server) listTransactions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query() // the spec has checked every value
	s.mu.Lock()
	all := s.transactions()
	s.mu.Unlock()
	var list []wireTransaction
	for _, t := range all {
		if s.selects(q, t) {
			list = append(list, t)
		}
	}
	limit := 100
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	// list is newest first: "after" a cursor is older, "before" newer.
	start, end := 0, min(limit, len(list))
	if c := q.Get("after"); c != "" {
		id, _ := strconv.ParseInt(c, 36, 64)
		start = len(list)
		if i := slices.IndexFunc(list, func(t wireTransaction) bool { return t.TransactionID < id }); i >= 0 {
			start = i
		}
		end = min(start+limit, len(list))
	} else if c := q.Get("before"); c != "" {
		id, _ := strconv.ParseInt(c, 36, 64)
		end = 0
		if i := slices.IndexFunc(list, func(t wireTransaction) bool { return t.TransactionID <= id }); i >= 0 {
			end = i
		} else {
			end = len(list)
		}
		start = max(end-limit, 0)
	}
	page := list[start:end]
	pager := gen.Pager{Limit: flex.Int(limit)}
	link := func(name, cursor string) string {
		v := url.Values{name: {cursor}, "limit": {strconv.Itoa(limit)}}
		return sim.Origin(r) + BasePath + "/transactions?" + v.Encode()
	}
	if end < len(list) && len(page) > 0 {
		c := strconv.FormatInt(page[len(page)-1].TransactionID, 36)
		pager.Cursor.After, pager.After = flex.String(c), link("after", c)
	}
	if start > 0 && len(page) > 0 {
		c := strconv.FormatInt(page[0].TransactionID, 36)
		pager.Cursor.Before, pager.Before = flex.String(c), link("before", c)
	}
	sim.WriteJSON(w, http.StatusOK, struct {
		Success bool              `json:"success"`
		Data    []wireTransaction `json:"data"`
		Pager   gen.Pager         `json:"pager"`
	}{true, append([]wireTransaction{}, page...), pager})
}

// selects reports whether the query's filters keep t.
func (s *Server) selects(q url.Values, t wireTransaction) bool {
	// The filters spell two statuses as MultiSafepay's current docs do.
	status := map[string]string{client.StatusCanceled: "cancelled", client.StatusChargedback: "chargeback"}[t.Status]
	if status == "" {
		status = t.Status
	}
	for name, value := range map[string]string{
		"status": status, "financial_status": t.FinancialStatus, "type": t.Type, "debit_credit": t.DebitCredit,
		"currency": t.Currency, "site_id": strconv.Itoa(SiteID),
	} {
		if want := q.Get(name); want != "" && want != value {
			return false
		}
	}
	if methods := q["payment_method"]; len(methods) > 0 && !slices.Contains(methods, t.PaymentMethod) {
		return false
	}
	within := func(at, from, until string) bool {
		if from == "" && until == "" {
			return true
		}
		when, err := time.ParseInLocation("2006-01-02T15:04:05", at, s.zone)
		if err != nil {
			return false // not completed (yet)
		}
		return (from == "" || !when.Before(s.moment(from))) && (until == "" || when.Before(s.moment(until)))
	}
	return within(t.Created, q.Get("created_from"), q.Get("created_until")) &&
		within(t.Completed, q.Get("completed_from"), q.Get("completed_until"))
}

// moment reads a time filter: unix seconds, a local date and time, or a
// local date.
func (s *Server) moment(v string) time.Time {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0)
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, s.zone); err == nil {
			return t
		}
	}
	return time.Time{}
}
