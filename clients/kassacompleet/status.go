package kassacompleet

import (
	"errors"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/money"
)

// Order statuses (Order.Status). The set is open: a value the provider adds
// later decodes as it is, and NormalizeStatus maps it to StatusUnknown.
const (
	OrderStatusNew             = "new"
	OrderStatusProcessing      = "processing"
	OrderStatusError           = "error"
	OrderStatusCompleted       = "completed"
	OrderStatusCancelled       = "cancelled"
	OrderStatusExpired         = "expired"
	OrderStatusSeeTransactions = "see-transactions"
	OrderStatusDeclined        = "declined"
)

// Transaction statuses (Transaction.Status), an open set like the order's.
const (
	TransactionStatusNew        = "new"
	TransactionStatusPending    = "pending"
	TransactionStatusProcessing = "processing"
	TransactionStatusError      = "error"
	TransactionStatusCompleted  = "completed"
	TransactionStatusCancelled  = "cancelled"
	TransactionStatusExpired    = "expired"
	TransactionStatusAccepted   = "accepted"
	TransactionStatusCaptured   = "captured"
	TransactionStatusDeclined   = "declined"
)

// normalized is NormalizeStatus's table.
var normalized = map[string]betaalkit.Status{
	"new":        betaalkit.StatusOpen,
	"processing": betaalkit.StatusPending,
	"pending":    betaalkit.StatusPending,
	"accepted":   betaalkit.StatusAuthorized,
	"completed":  betaalkit.StatusPaid,
	"captured":   betaalkit.StatusPaid,
	"error":      betaalkit.StatusFailed,
	"declined":   betaalkit.StatusFailed,
	"cancelled":  betaalkit.StatusCanceled,
	"expired":    betaalkit.StatusExpired,
}

// NormalizeStatus maps a Kassa Compleet status onto betaalkit's statuses.
// Orders and transactions share most values, so it takes either:
//
//	raw               order  transaction  normalized
//	new               yes    yes          open
//	processing        yes    yes          pending (the customer visited the payment link, or a bank transfer awaits the money)
//	pending                  yes          pending
//	accepted                 yes          authorized (reserved, still to be captured)
//	completed         yes    yes          paid
//	captured                 yes          paid
//	error             yes    yes          failed
//	declined          yes    yes          failed
//	cancelled         yes    yes          canceled
//	expired           yes    yes          expired
//	see-transactions  yes                 unknown: the order's state is its transactions' (StatusOf reads them)
//	anything else                         unknown
func NormalizeStatus(raw string) betaalkit.Status {
	if s, ok := normalized[raw]; ok {
		return s
	}
	return betaalkit.StatusUnknown
}

// StatusOf returns the order's status, normalized, next to the order's own
// value (Raw). An order whose status is see-transactions is as far as its
// furthest transaction: paid if one is completed or captured, else
// authorized, pending, open; only when every transaction failed does it
// take the first one's failure. Raw stays "see-transactions".
//
// Kassa Compleet has no refunded status: a refunded order stays completed
// (paid) and its Flags hold FlagHasRefunds; the refund is an order of its
// own (FlagIsRefund), completed once it went through.
func StatusOf(order *Order) betaalkit.PaymentStatus {
	if order == nil {
		return betaalkit.PaymentStatus{Status: betaalkit.StatusUnknown}
	}
	s := betaalkit.PaymentStatus{Status: NormalizeStatus(order.Status), Raw: order.Status}
	if order.Status == OrderStatusSeeTransactions {
		s.Status = furthest(order.Transactions)
	}
	return s
}

// progress ranks how far a transaction got. Failures rank lowest, so a
// failed attempt next to a paid one does not fail the order; an unknown
// status ranks above them, so a transaction this package cannot read never
// makes an order look failed.
var progress = map[betaalkit.Status]int{
	betaalkit.StatusPaid:       5,
	betaalkit.StatusAuthorized: 4,
	betaalkit.StatusPending:    3,
	betaalkit.StatusOpen:       2,
	betaalkit.StatusUnknown:    1,
}

// furthest is the normalized status of the transaction that got furthest
// (the first of equals); unknown when there is none.
func furthest(txs []Transaction) betaalkit.Status {
	best := betaalkit.StatusUnknown
	for i, t := range txs {
		if s := NormalizeStatus(t.Status); i == 0 || progress[s] > progress[best] {
			best = s
		}
	}
	return best
}

// PaymentURL returns where to send the customer for an order created with a
// payment method: the payment_url of its first transaction that has one.
// It is "" when there is none: a bank transfer (the customer transfers the
// money quoting the transaction's reference) or a payment-page order (use
// Client.PaymentPageURL).
func PaymentURL(order *Order) string {
	if order == nil {
		return ""
	}
	for _, t := range order.Transactions {
		if t.PaymentURL != "" {
			return t.PaymentURL
		}
	}
	return ""
}

// AmountOf returns the order's amount in cents. Kassa Compleet sends whole
// cents, so the only error is a nil order.
func AmountOf(order *Order) (money.Cents, error) {
	if order == nil {
		return 0, errors.New("kassacompleet: no order")
	}
	return order.Amount, nil
}
