package multisafepay

// Transaction statuses (status and financial_status). The set is open: a
// value the provider adds later decodes as it is, so compare with these
// constants rather than switching exhaustively.
const (
	StatusInitialized     = "initialized"
	StatusDeclined        = "declined"
	StatusCanceled        = "canceled"
	StatusCompleted       = "completed"
	StatusExpired         = "expired"
	StatusUncleared       = "uncleared"
	StatusRefunded        = "refunded"
	StatusPartialRefunded = "partial_refunded"
	StatusReserved        = "reserved"
	StatusChargedback     = "chargedback"
	StatusShipped         = "shipped"
	StatusVoid            = "void"
)

// IsFinal reports whether a payment in this status will not complete any
// more (it is paid, or it failed for good). initialized, uncleared and
// reserved may still change; unknown statuses count as not final.
func IsFinal(status string) bool {
	switch status {
	case StatusCompleted, StatusDeclined, StatusCanceled, StatusExpired, StatusVoid,
		StatusRefunded, StatusPartialRefunded, StatusChargedback, StatusShipped:
		return true
	}
	return false
}
