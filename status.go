package betaalkit

import "fmt"

// Status is a payment's state in one vocabulary for every provider. Each
// client maps its provider's own statuses onto it (see the client's
// NormalizeStatus) and keeps the provider's value next to it in a
// PaymentStatus, so nothing the provider said is lost.
//
// A payment moves forward through these: open → pending or authorized →
// paid, or to one of failed, canceled, expired; a paid payment may become
// partially refunded, refunded or charged back. A status the mapping does
// not know is StatusUnknown, never StatusPaid.
type Status string

// The normalized statuses.
const (
	// StatusOpen: created; the customer has not finished paying.
	StatusOpen Status = "open"
	// StatusPending: the customer is done, the provider awaits the money
	// (a bank transfer, an uncleared payment, the bank still deciding).
	StatusPending Status = "pending"
	// StatusAuthorized: the amount is reserved and must still be captured.
	StatusAuthorized Status = "authorized"
	// StatusPaid: the money was received.
	StatusPaid Status = "paid"
	// StatusFailed: the payment was declined or went wrong.
	StatusFailed Status = "failed"
	// StatusCanceled: the customer or the merchant canceled it.
	StatusCanceled Status = "canceled"
	// StatusExpired: the customer did not pay in time.
	StatusExpired Status = "expired"
	// StatusRefunded: paid, then refunded in full.
	StatusRefunded Status = "refunded"
	// StatusPartiallyRefunded: paid, then refunded in part.
	StatusPartiallyRefunded Status = "partially_refunded"
	// StatusChargedBack: paid, then reversed by the customer's bank.
	StatusChargedBack Status = "charged_back"
	// StatusUnknown: the provider sent a status the mapping does not know;
	// PaymentStatus.Raw holds it. Treat it as not paid and not final.
	StatusUnknown Status = "unknown"
)

// Statuses lists every normalized status, StatusUnknown last.
var Statuses = []Status{
	StatusOpen, StatusPending, StatusAuthorized, StatusPaid, StatusFailed, StatusCanceled,
	StatusExpired, StatusRefunded, StatusPartiallyRefunded, StatusChargedBack, StatusUnknown,
}

// IsFinal reports whether the payment has been decided: paid (and perhaps
// refunded or charged back since), failed, canceled or expired. A poller
// stops here. Open, pending, authorized and unknown are not final.
func (s Status) IsFinal() bool {
	switch s {
	case StatusPaid, StatusFailed, StatusCanceled, StatusExpired,
		StatusRefunded, StatusPartiallyRefunded, StatusChargedBack:
		return true
	}
	return false
}

// IsPaid reports whether the shop holds the customer's money for this
// payment: paid, or paid and refunded only in part.
func (s Status) IsPaid() bool { return s == StatusPaid || s == StatusPartiallyRefunded }

// IsFailure reports a payment that ended without money: failed, canceled
// or expired.
func (s Status) IsFailure() bool {
	return s == StatusFailed || s == StatusCanceled || s == StatusExpired
}

// PaymentStatus is a provider's status together with its normalized meaning.
// Every client's StatusOf returns one.
type PaymentStatus struct {
	// Status is the normalized status.
	Status Status
	// Raw is the provider's own value, exactly as sent: "completed",
	// "SettlementCompleted", Buckaroo's "190".
	Raw string
}

// IsFinal reports whether the payment has been decided (see Status.IsFinal).
func (p PaymentStatus) IsFinal() bool { return p.Status.IsFinal() }

// IsPaid reports whether the shop holds the money (see Status.IsPaid).
func (p PaymentStatus) IsPaid() bool { return p.Status.IsPaid() }

// IsFailure reports a payment that ended without money (see Status.IsFailure).
func (p PaymentStatus) IsFailure() bool { return p.Status.IsFailure() }

// String reads "paid (completed)".
func (p PaymentStatus) String() string { return fmt.Sprintf("%s (%s)", p.Status, p.Raw) }
