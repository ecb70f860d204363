package buckaroo

import (
	"fmt"
	"strconv"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/money"
)

// Service and action names used by the typed helpers.
const (
	ServiceCapayable        = "Capayable"
	ServiceIDEAL            = "ideal"
	ActionPay               = "Pay"
	ActionPayInInstallments = "PayInInstallments"
	ActionRefund            = "Refund"
)

// StatusCode is a transaction's Status.Code.Code (read it with
// StatusCodeOf). The set is open: compare with the constants and the
// helpers rather than switching exhaustively. StatusOf gives the same
// status in the vocabulary every betaalkit client shares.
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

// NormalizeStatus maps a Buckaroo status code, as text ("190"), to the
// status every betaalkit client uses:
//
//	code  Buckaroo's name       normalized
//	190   success               paid
//	490   failed                failed
//	491   validation failure    failed
//	492   technical error       failed
//	690   rejected              failed
//	790   pending input         open (Buckaroo waits for the customer's input)
//	791   pending processing    pending
//	792   awaiting consumer     pending (e.g. the customer must still transfer the money)
//	793   on hold               pending (e.g. waiting for sufficient balance)
//	890   cancelled by user     canceled
//	891   cancelled by merchant canceled
//	other                       unknown (never paid)
//
// Buckaroo reports a refund as a transaction of its own: its 190 means the
// refund succeeded, so StatusOf of a refund's transaction is paid.
func NormalizeStatus(raw string) betaalkit.Status {
	code, err := strconv.Atoi(raw)
	if err != nil || strconv.Itoa(code) != raw {
		return betaalkit.StatusUnknown
	}
	switch s := StatusCode(code); {
	case s == StatusSuccess:
		return betaalkit.StatusPaid
	case s.IsFailure():
		return betaalkit.StatusFailed
	case s == StatusPendingInput:
		return betaalkit.StatusOpen
	case s == StatusPendingProcessing, s == StatusAwaitingConsumer, s == StatusOnHold:
		return betaalkit.StatusPending
	case s.IsCancelled():
		return betaalkit.StatusCanceled
	}
	return betaalkit.StatusUnknown
}

// StatusOf returns a transaction's normalized status with Buckaroo's code
// as Raw ("190"); a nil transaction is unknown with Raw "".
func StatusOf(tx *Transaction) betaalkit.PaymentStatus {
	if tx == nil {
		return betaalkit.PaymentStatus{Status: betaalkit.StatusUnknown}
	}
	raw := strconv.Itoa(tx.Status.Code.Code)
	return betaalkit.PaymentStatus{Status: NormalizeStatus(raw), Raw: raw}
}

// StatusCodeOf returns a transaction's status code (0 for nil), for the
// StatusCode predicates and Buckaroo's own names.
func StatusCodeOf(tx *Transaction) StatusCode {
	if tx == nil {
		return 0
	}
	return StatusCode(tx.Status.Code.Code)
}

// SubCodeOf returns the detail code, e.g. "S002" ("" when absent).
func SubCodeOf(tx *Transaction) string {
	if tx == nil {
		return ""
	}
	return tx.Status.SubCode.Code
}

// PaymentURL is where to send the customer next: RequiredAction.RedirectURL
// ("" when no action is required).
func PaymentURL(tx *Transaction) string {
	if tx == nil {
		return ""
	}
	return tx.RequiredAction.RedirectURL
}

// AmountOf returns a transaction's amount in cents: AmountDebit, or
// AmountCredit for a refund (a transaction without AmountDebit). It fails
// only when the decimal amount is not a whole number of cents. A nil
// transaction is 0.
func AmountOf(tx *Transaction) (money.Cents, error) {
	if tx == nil {
		return 0, nil
	}
	amount := tx.AmountDebit
	if amount.IsZero() {
		amount = tx.AmountCredit
	}
	cents, err := amount.Cents()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", provider, err)
	}
	return cents, nil
}

// ServiceParameter returns a parameter Buckaroo sent back for a service,
// e.g. ServiceParameter(tx, "Capayable", "CapayableTransactionKey").
func ServiceParameter(tx *Transaction, service, name string) (string, bool) {
	if tx == nil {
		return "", false
	}
	for _, s := range tx.Services {
		if s.Name != service {
			continue
		}
		for _, p := range s.Parameters {
			if p.Name == name {
				return p.Value, true
			}
		}
	}
	return "", false
}
