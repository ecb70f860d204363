package opp

import (
	"fmt"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/opp"
	"github.com/betaalkit/betaalkit/money"
)

// Transaction statuses; NormalizeStatus says what each means.
const (
	TransactionStatusCreated    = gen.TransactionStatusCreated
	TransactionStatusPending    = gen.TransactionStatusPending
	TransactionStatusExpired    = gen.TransactionStatusExpired
	TransactionStatusCancelled  = gen.TransactionStatusCancelled
	TransactionStatusFailed     = gen.TransactionStatusFailed
	TransactionStatusCompleted  = gen.TransactionStatusCompleted
	TransactionStatusReserved   = gen.TransactionStatusReserved
	TransactionStatusRefunded   = gen.TransactionStatusRefunded
	TransactionStatusChargeback = gen.TransactionStatusChargeback
)

// normalized is NormalizeStatus's table.
var normalized = map[TransactionStatus]betaalkit.Status{
	TransactionStatusCreated:    betaalkit.StatusOpen,
	TransactionStatusPending:    betaalkit.StatusPending,
	TransactionStatusReserved:   betaalkit.StatusPaid,
	TransactionStatusCompleted:  betaalkit.StatusPaid,
	TransactionStatusFailed:     betaalkit.StatusFailed,
	TransactionStatusCancelled:  betaalkit.StatusCanceled,
	TransactionStatusExpired:    betaalkit.StatusExpired,
	TransactionStatusRefunded:   betaalkit.StatusRefunded,
	TransactionStatusChargeback: betaalkit.StatusChargedBack,
}

// NormalizeStatus maps an OPP transaction status onto betaalkit's statuses:
//
//	raw         normalized
//	created     open (no user action yet)
//	pending     pending (awaiting the buyer or the payment method's confirmation)
//	reserved    paid (payment confirmed; the funds are held in escrow until the period ends, then completed)
//	completed   paid
//	failed      failed
//	cancelled   canceled (by the buyer)
//	expired     expired
//	refunded    refunded (see below)
//	chargeback  charged_back (PayPal only)
//	anything else  unknown
//
// OPP's refunded means "(partially) refunded": it follows the first refund,
// whole or part, and the status alone cannot tell which. It maps to
// StatusRefunded, so IsPaid never claims money that may have gone back; to
// tell a partial refund, add up the transaction's refunds (Client.Refunds)
// and compare them with AmountOf.
func NormalizeStatus(raw string) betaalkit.Status {
	if s, ok := normalized[TransactionStatus(raw)]; ok {
		return s
	}
	return betaalkit.StatusUnknown
}

// StatusOf returns the transaction's status, normalized, next to OPP's own
// value (Raw).
func StatusOf(tx *Transaction) betaalkit.PaymentStatus {
	if tx == nil {
		return betaalkit.PaymentStatus{Status: betaalkit.StatusUnknown}
	}
	return betaalkit.PaymentStatus{Status: NormalizeStatus(string(tx.Status)), Raw: string(tx.Status)}
}

// PaymentURL is where to send the buyer to pay: the transaction's
// redirect_url ("" when it has none).
func PaymentURL(tx *Transaction) string {
	if tx == nil {
		return ""
	}
	return tx.RedirectURL
}

// AmountOf is the transaction's amount in cents. OPP sends it as a whole
// number of cents, as a number or a numeric string; both decode, so the
// error is only for a nil transaction.
func AmountOf(tx *Transaction) (money.Cents, error) {
	if tx == nil {
		return 0, fmt.Errorf("%s: no transaction", provider)
	}
	return tx.Amount, nil
}
