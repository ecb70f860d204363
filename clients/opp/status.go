package opp

// Transaction statuses. The set is open: a value OPP adds later decodes as
// it is, so compare with these constants rather than switching exhaustively.
const (
	TransactionStatusCreated    = "created"
	TransactionStatusPending    = "pending"
	TransactionStatusExpired    = "expired"
	TransactionStatusCancelled  = "cancelled"
	TransactionStatusFailed     = "failed"
	TransactionStatusCompleted  = "completed"
	TransactionStatusReserved   = "reserved"
	TransactionStatusRefunded   = "refunded"
	TransactionStatusChargeback = "chargeback"
)

// Refund statuses (an open set).
const (
	RefundStatusCreated   = "created"
	RefundStatusCompleted = "completed"
)

// IsFinal reports whether a transaction status ends the document's status
// flows. Completed is final only for the flow itself: a completed payment can
// still be refunded or charged back. Unknown statuses count as not final, so
// a poller keeps asking.
func IsFinal(status string) bool {
	switch status {
	case TransactionStatusCompleted, TransactionStatusExpired, TransactionStatusCancelled,
		TransactionStatusFailed, TransactionStatusRefunded, TransactionStatusChargeback:
		return true
	}
	return false
}
