package checkout

import (
	"slices"
	"sync"
	"time"

	"github.com/betaalkit/betaalkit"
)

// A payment only moves forward. Webhooks arrive twice, late or out of
// order, and the customer's return page races them; applying each blindly
// moves a paid order back to pending or fulfils it twice. Decide says
// which events to apply, and Tracker keeps the last applied state for a
// shop that has no store of its own.
//
// The order of the statuses: open → pending → authorized → paid →
// partially refunded → refunded, with charged back after paid or a partial
// refund; failed, canceled and expired end an unpaid payment. The moves
// allowed:
//
//	open, pending, authorized   → any later of them, paid, failed, canceled, expired
//	failed, canceled, expired   → paid (money that arrives late, e.g. a bank transfer, counts)
//	paid                        → partially refunded, refunded, charged back
//	partially refunded          → refunded, charged back
//	refunded, charged back      → nothing
//
// Nothing moves a payment back: paid never becomes pending, failed or
// open. A status the provider sent that the mapping does not know
// (StatusUnknown) is never applied.
var next = map[betaalkit.Status][]betaalkit.Status{
	betaalkit.StatusOpen:              {betaalkit.StatusPending, betaalkit.StatusAuthorized, betaalkit.StatusPaid, betaalkit.StatusFailed, betaalkit.StatusCanceled, betaalkit.StatusExpired},
	betaalkit.StatusPending:           {betaalkit.StatusAuthorized, betaalkit.StatusPaid, betaalkit.StatusFailed, betaalkit.StatusCanceled, betaalkit.StatusExpired},
	betaalkit.StatusAuthorized:        {betaalkit.StatusPaid, betaalkit.StatusFailed, betaalkit.StatusCanceled, betaalkit.StatusExpired},
	betaalkit.StatusFailed:            {betaalkit.StatusPaid},
	betaalkit.StatusCanceled:          {betaalkit.StatusPaid},
	betaalkit.StatusExpired:           {betaalkit.StatusPaid},
	betaalkit.StatusPaid:              {betaalkit.StatusPartiallyRefunded, betaalkit.StatusRefunded, betaalkit.StatusChargedBack},
	betaalkit.StatusPartiallyRefunded: {betaalkit.StatusRefunded, betaalkit.StatusChargedBack},
}

// CanMove reports whether a payment may go from one status to the other
// (see the table above). Staying put is not a move.
func CanMove(from, to betaalkit.Status) bool { return slices.Contains(next[from], to) }

// Decision is what to do with an event, given what the shop knows.
type Decision int

const (
	// Apply: the event moves the payment forward; record it (and fulfil
	// the order when it became paid).
	Apply Decision = iota + 1
	// Stale: the event would move the payment back (a pending delivered
	// after paid), is older than what the shop knows, or carries a status
	// the mapping does not know. Ignore it.
	Stale
	// Duplicate: the shop knows this status already. Ignore it.
	Duplicate
)

func (d Decision) String() string {
	switch d {
	case Apply:
		return "apply"
	case Stale:
		return "stale"
	case Duplicate:
		return "duplicate"
	}
	return "unknown decision"
}

// Known is the state the shop last recorded for a payment.
type Known struct {
	Status betaalkit.Status
	// At is the provider's time of that state (Payment.UpdatedAt); zero
	// when the provider gives none.
	At time.Time
}

// Decide says whether the shop should apply a payment's new state. It
// uses what each provider offers to order events: the status order above,
// and the provider's own timestamp where it sends one (an event older than
// the known state is stale even if its status could follow).
func Decide(known Known, p *Payment) Decision {
	to := p.Status.Status
	switch {
	case to == betaalkit.StatusUnknown || to == "":
		return Stale
	case known.Status == "":
		return Apply
	case to == known.Status:
		return Duplicate
	case !CanMove(known.Status, to):
		return Stale
	case !known.At.IsZero() && !p.UpdatedAt.IsZero() && p.UpdatedAt.Before(known.At):
		return Stale
	}
	return Apply
}

// Tracker remembers the last applied state of every payment in memory and
// calls OnPaid exactly once per payment, the first time it is paid,
// whichever of webhook or return page brings the news first. A shop with
// several instances keeps this state in its own database instead, with
// Decide. Tracker is safe for concurrent use.
type Tracker struct {
	// OnPaid fulfils the order; it runs once per payment, under the
	// tracker's lock for that call so it cannot run twice concurrently.
	OnPaid func(p *Payment)

	mu    sync.Mutex
	known map[string]Known
}

// Observe decides on p's state, records it when applied, and fulfils the
// order when the payment became paid for the first time.
func (t *Tracker) Observe(p *Payment) Decision {
	key := p.Provider + "/" + p.ID
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.known == nil {
		t.known = map[string]Known{}
	}
	before, seen := t.known[key]
	d := Decide(before, p)
	if d != Apply {
		return d
	}
	t.known[key] = Known{Status: p.Status.Status, At: p.UpdatedAt}
	wasPaid := seen && (before.Status.IsPaid() || before.Status == betaalkit.StatusRefunded || before.Status == betaalkit.StatusChargedBack)
	if p.Status.IsPaid() && !wasPaid && t.OnPaid != nil {
		t.OnPaid(p)
	}
	return d
}

// Status is the last applied state of a payment ("" when none).
func (t *Tracker) Status(provider, id string) betaalkit.Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.known[provider+"/"+id].Status
}
