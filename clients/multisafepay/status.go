package multisafepay

import (
	"fmt"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/money"
)

// MultiSafepay's statuses (an order's status and financial_status). The set
// is open: a value the provider adds later decodes as it is, and
// NormalizeStatus maps it to betaalkit.StatusUnknown.
const (
	StatusInitialized     = "initialized"
	StatusDeclined        = "declined"
	StatusCanceled        = "canceled"
	StatusCancelled       = "cancelled" // the spelling of MultiSafepay's current documentation
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

// NormalizeStatus maps a MultiSafepay status onto betaalkit's:
//
//	MultiSafepay            betaalkit
//	initialized             open                nothing received yet
//	uncleared               pending             the merchant must still accept it
//	reserved                pending             held until the balance is checked
//	completed               paid
//	shipped                 paid                paid, and marked shipped
//	declined                failed
//	canceled, cancelled     canceled
//	void                    canceled            voided by the merchant
//	expired                 expired
//	refunded                refunded
//	partial_refunded        partially_refunded
//	chargedback             charged_back
//	anything else, ""       unknown
func NormalizeStatus(raw string) betaalkit.Status {
	switch raw {
	case StatusInitialized:
		return betaalkit.StatusOpen
	case StatusUncleared, StatusReserved:
		return betaalkit.StatusPending
	case StatusCompleted, StatusShipped:
		return betaalkit.StatusPaid
	case StatusDeclined:
		return betaalkit.StatusFailed
	case StatusCanceled, StatusCancelled, StatusVoid:
		return betaalkit.StatusCanceled
	case StatusExpired:
		return betaalkit.StatusExpired
	case StatusRefunded:
		return betaalkit.StatusRefunded
	case StatusPartialRefunded:
		return betaalkit.StatusPartiallyRefunded
	case StatusChargedback:
		return betaalkit.StatusChargedBack
	}
	return betaalkit.StatusUnknown
}

// StatusOf is the order's status, normalized, next to MultiSafepay's own
// value. It reads status, not financial_status: status is the order's
// state (MultiSafepay Control's "order status"), which follows refunds,
// chargebacks and shipping, and it is the field MultiSafepay tells
// merchants to act on; financial_status is the payout of the transaction
// and stays completed after a refund (the document's refunded order has
// status refunded, financial_status completed). A redirect order's create
// answer carries no status: StatusOf then says unknown; GetPayment has it.
func StatusOf(o *Order) betaalkit.PaymentStatus {
	if o == nil {
		return betaalkit.PaymentStatus{Status: betaalkit.StatusUnknown}
	}
	return betaalkit.PaymentStatus{Status: NormalizeStatus(o.Status), Raw: o.Status}
}

// PaymentURL is where to send the customer to pay: the order's payment_url
// (MultiSafepay's payment page, or the bank's for a direct iDEAL order), ""
// when there is none (a direct bank transfer). Some payment methods answer
// an html_form to submit instead (Order.HTMLForm).
func PaymentURL(o *Order) string {
	if o == nil {
		return ""
	}
	return o.PaymentURL
}

// AmountOf is the order's amount in cents. The wire sends 1000 or "1000"
// (decoding refuses anything that is not whole cents); an order without
// an amount, or with the "" of the status reference, is an error rather
// than 0, since MultiSafepay takes no order of 0 cents. A redirect order's
// create answer carries no amount; GetPayment has it.
func AmountOf(o *Order) (money.Cents, error) {
	if o == nil || o.Amount.Cents == 0 {
		id := ""
		if o != nil {
			id = o.OrderID.String()
		}
		return 0, fmt.Errorf("%s: order %q carries no amount", provider, id)
	}
	return o.Amount.Cents, nil
}

// CartOf copies an order's shopping cart, as GetPayment returns it, into
// the shape a request sends: the start of a shopping-cart refund, which
// adds copies of the refunded items with a negative Quantity (a negative
// UnitPrice for Klarna) and goes into RefundCreate.CheckoutData.
func CartOf(o *Order) ShoppingCart {
	if o == nil || o.ShoppingCart.Items == nil {
		return ShoppingCart{}
	}
	items := make([]CartItem, len(o.ShoppingCart.Items))
	for i, it := range o.ShoppingCart.Items {
		items[i] = CartItem{
			Name:             it.Name.String(),
			Description:      it.Description.String(),
			UnitPrice:        it.UnitPrice.DecimalString,
			Currency:         it.Currency,
			Quantity:         int64(it.Quantity),
			Created:          it.Created,
			MerchantItemID:   it.MerchantItemID.String(),
			TaxTableSelector: it.TaxTableSelector.String(),
			Cashback:         it.Cashback.String(),
			Image:            it.Image,
			ProductURL:       it.ProductURL,
			Weight:           Weight{Unit: it.Weight.Unit.String(), Value: it.Weight.Value.String()},
		}
	}
	return ShoppingCart{Items: items}
}
