package buckaroo

import "strconv"

// Service and action names used by the typed helpers.
const (
	ServiceCapayable        = "Capayable"
	ActionPay               = "Pay"
	ActionPayInInstallments = "PayInInstallments"
	ActionRefund            = "Refund"
)

// StatusCode is a transaction's Status.Code.Code. The set is open: compare
// with the constants and the helpers rather than switching exhaustively.
type StatusCode int

// Buckaroo's status codes.
const (
	StatusSuccess             StatusCode = 190
	StatusFailed              StatusCode = 490
	StatusValidationFailure   StatusCode = 491
	StatusTechnicalError      StatusCode = 492
	StatusRejected            StatusCode = 690
	StatusPendingInput        StatusCode = 790
	StatusPendingProcessing   StatusCode = 791
	StatusAwaitingConsumer    StatusCode = 792
	StatusOnHold              StatusCode = 793
	StatusCancelledByUser     StatusCode = 890
	StatusCancelledByMerchant StatusCode = 891
)

var statusNames = map[StatusCode]string{
	StatusSuccess:             "success",
	StatusFailed:              "failed",
	StatusValidationFailure:   "validation failure",
	StatusTechnicalError:      "technical error",
	StatusRejected:            "rejected",
	StatusPendingInput:        "pending input",
	StatusPendingProcessing:   "pending processing",
	StatusAwaitingConsumer:    "awaiting consumer",
	StatusOnHold:              "on hold",
	StatusCancelledByUser:     "cancelled by user",
	StatusCancelledByMerchant: "cancelled by merchant",
}

// String names the status ("791 pending processing"), or just the number.
func (s StatusCode) String() string {
	if name, ok := statusNames[s]; ok {
		return strconv.Itoa(int(s)) + " " + name
	}
	return strconv.Itoa(int(s))
}

// Known reports whether the code is one the document lists.
func (s StatusCode) Known() bool { _, ok := statusNames[s]; return ok }

// IsSuccess reports a completed payment or refund (190).
func (s StatusCode) IsSuccess() bool { return s == StatusSuccess }

// IsPending reports a transaction that will still change (790–793). An
// unknown code counts as pending, so a poller keeps asking.
func (s StatusCode) IsPending() bool {
	return (s >= 790 && s <= 799) || !s.Known()
}

// IsCancelled reports a cancellation by the customer or the merchant (890, 891).
func (s StatusCode) IsCancelled() bool {
	return s == StatusCancelledByUser || s == StatusCancelledByMerchant
}

// IsFailure reports a failure or rejection (490–492, 690).
func (s StatusCode) IsFailure() bool {
	return s == StatusFailed || s == StatusValidationFailure || s == StatusTechnicalError || s == StatusRejected
}

// IsFinal reports a status that will not change any more.
func (s StatusCode) IsFinal() bool { return s.IsSuccess() || s.IsFailure() || s.IsCancelled() }

// StatusOf returns a transaction's status code (0 for nil).
func StatusOf(tx *Transaction) StatusCode {
	if tx == nil {
		return 0
	}
	return StatusCode(tx.Status.Code.Code)
}

// SubCodeOf returns the detail code, e.g. "S002" ("" when absent).
func SubCodeOf(tx *Transaction) string {
	if tx == nil || tx.Status.SubCode == nil {
		return ""
	}
	return tx.Status.SubCode.Code
}

// RedirectURL is where to send the customer next ("" when no action is required).
func RedirectURL(tx *Transaction) string {
	if tx == nil || tx.RequiredAction == nil || tx.RequiredAction.RedirectURL == nil {
		return ""
	}
	return *tx.RequiredAction.RedirectURL
}

// ServiceParameter returns a parameter Buckaroo sent back for a service,
// e.g. ServiceParameter(tx, "Capayable", "CapayableTransactionKey").
func ServiceParameter(tx *Transaction, service, name string) (string, bool) {
	if tx == nil || tx.Services == nil {
		return "", false
	}
	for _, s := range *tx.Services {
		if s.Name == nil || *s.Name != service || s.Parameters == nil {
			continue
		}
		for _, p := range *s.Parameters {
			if p.Name == name {
				if p.Value == nil {
					return "", true
				}
				return *p.Value, true
			}
		}
	}
	return "", false
}
