package kassacompleet

// Order statuses. The set is open: a value the provider adds later decodes
// as it is, so compare with these constants rather than switching exhaustively.
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

// Transaction statuses (an open set, like order statuses).
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

// IsFinal reports whether an order status will not change any more.
// Unknown statuses count as not final, so a poller keeps asking.
func IsFinal(orderStatus string) bool {
	switch orderStatus {
	case OrderStatusCompleted, OrderStatusCancelled, OrderStatusExpired, OrderStatusError, OrderStatusDeclined:
		return true
	}
	return false
}
