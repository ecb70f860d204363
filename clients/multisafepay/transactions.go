package multisafepay

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/multisafepay"
	"github.com/betaalkit/betaalkit/internal/apiclient"
)

// ErrPageIgnored is yielded when MultiSafepay answers a request for the
// next page (a cursor or an offset) with a page already seen: the list
// could not be walked to its end, and going on would repeat it.
var ErrPageIgnored = errors.New("multisafepay: the provider ignored the page cursor or offset")

// TransactionFilter narrows ListTransactions and Transactions; the zero
// value lists every transaction of the account, newest first, 100 a page.
// The statuses and types are MultiSafepay's words ("completed",
// "refund", …); a zero time leaves its filter out.
type TransactionFilter struct {
	Status          string   // order status, e.g. "completed", "refunded"
	FinancialStatus string   // transaction status, e.g. "completed", "uncleared"
	Type            string   // e.g. "payment", "refund", "chargeback"
	DebitCredit     string   // "C" (money in) or "D" (money out)
	PaymentMethods  []string // gateway ids, e.g. GatewayIDEAL
	Currency        string   // ISO 4217
	SiteID          int64    // one website of the account; 0 for all

	CreatedFrom, CreatedUntil     time.Time // created in [from, until)
	CompletedFrom, CompletedUntil time.Time // completed in [from, until)

	Limit int    // transactions per page, 1 to 1000; 0 for MultiSafepay's 100
	After string // the cursor to continue after (a page's Pager.Cursor.After); "" from the start
}

// ListTransactions returns one page of the account's transactions
// (GET /transactions): Data holds them, Pager.Cursor.After the cursor of
// the next page ("" on the last). Transactions walks every page.
func (c *Client) ListTransactions(ctx context.Context, f TransactionFilter) (*TransactionListEnvelope, error) {
	call := apiclient.Call{Provider: provider, Op: "list transactions"}
	params, err := f.params()
	if err != nil {
		return nil, call.Wrap(err)
	}
	return expect[gen.TransactionListEnvelope](call.Read(c.api.ListTransactions(ctx, params)))
}

// Transactions iterates over every transaction that f selects, page after
// page from f.After, fetching a page only when the loop gets to it:
//
//	for tx, err := range c.Transactions(ctx, multisafepay.TransactionFilter{Status: "completed"}) {
//		if err != nil { return err }
//		...
//	}
//
// An error is yielded once and ends the walk. A provider that answers the
// next page's cursor with the page already seen ends it with
// ErrPageIgnored rather than repeating that page or stopping quietly.
func (c *Client) Transactions(ctx context.Context, f TransactionFilter) iter.Seq2[Transaction, error] {
	return func(yield func(Transaction, error) bool) {
		var previous string // the first transaction of the previous page
		for first := true; ; first = false {
			page, err := c.ListTransactions(ctx, f)
			if err != nil {
				yield(Transaction{}, err)
				return
			}
			next := page.Pager.Cursor.After.String()
			if !first && len(page.Data) > 0 && (next == f.After || page.Data[0].TransactionID.String() == previous) {
				yield(Transaction{}, fmt.Errorf("%w: the cursor %q answered the previous page again", ErrPageIgnored, f.After))
				return
			}
			for _, tx := range page.Data {
				if !yield(tx, nil) {
					return
				}
			}
			if next == "" || len(page.Data) == 0 {
				return
			}
			previous, f.After = page.Data[0].TransactionID.String(), next
		}
	}
}

// params turns the filter into the query, refusing what MultiSafepay
// would refuse.
func (f TransactionFilter) params() (*gen.ListTransactionsParams, error) {
	field := func(name, format string, a ...any) error {
		return &betaalkit.FieldError{Field: name, Reason: fmt.Sprintf(format, a...)}
	}
	status := gen.ListTransactionsParamsStatus(f.Status)
	financial := gen.ListTransactionsParamsFinancialStatus(f.FinancialStatus)
	typ := gen.ListTransactionsParamsType(f.Type)
	dc := gen.ListTransactionsParamsDebitCredit(f.DebitCredit)
	switch {
	case f.Limit < 0 || f.Limit > 1000:
		return nil, field("limit", "%d is not 1 to 1000 (0 for the default)", f.Limit)
	case status != "" && !status.Valid():
		return nil, field("status", "%q is not an order status MultiSafepay filters on", f.Status)
	case financial != "" && !financial.Valid():
		return nil, field("financial_status", "%q is not a transaction status MultiSafepay filters on", f.FinancialStatus)
	case typ != "" && !typ.Valid():
		return nil, field("type", "%q is not a transaction type MultiSafepay filters on", f.Type)
	case dc != "" && !dc.Valid():
		return nil, field("debit_credit", "%q is not C or D", f.DebitCredit)
	}
	return &gen.ListTransactionsParams{
		After: f.After, Currency: f.Currency, PaymentMethod: f.PaymentMethods,
		CreatedFrom: unixTime(f.CreatedFrom), CreatedUntil: unixTime(f.CreatedUntil),
		CompletedFrom: unixTime(f.CompletedFrom), CompletedUntil: unixTime(f.CompletedUntil),
		Limit: f.Limit, SiteID: f.SiteID, Status: status, FinancialStatus: financial, Type: typ, DebitCredit: dc,
	}, nil
}

// unixTime writes a time filter as unix seconds, the one form without a
// time zone question; "" (not sent) for the zero time.
func unixTime(t time.Time) gen.TimeFilter {
	if t.IsZero() {
		return ""
	}
	return gen.TimeFilter(strconv.FormatInt(t.Unix(), 10))
}
