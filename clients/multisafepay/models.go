package multisafepay

import gen "github.com/betaalkit/betaalkit/gen/multisafepay"

// Gateway ids for OrderCreate.Gateway, every one the document names (an
// open set: ListGateways returns what the website offers). The document's
// list of direct-order methods also names CREDITCARDS, KLARNA_ACC and ING,
// which none of its examples or gateway tables use as an id.
const (
	GatewayIDEAL            = "IDEAL"      // iDEAL; a direct order needs GatewayInfo.IssuerID
	GatewayIDEALQR          = "IDEALQR"    // iDEAL QR: a QR code the customer scans (direct orders)
	GatewayCreditCard       = "CREDITCARD" // any credit card; the customer picks the brand
	GatewayVisa             = "VISA"       // Visa
	GatewayMastercard       = "MASTERCARD" // Mastercard
	GatewayMaestro          = "MAESTRO"    // Maestro
	GatewayAmex             = "AMEX"       // American Express
	GatewayDirectDebit      = "DIRDEB"     // SEPA Direct Debit, also for recurring payments after iDEAL or SOFORT
	GatewaySofort           = "DIRECTBANK" // SOFORT Banking
	GatewayBankTransfer     = "BANKTRANS"  // bank transfer; the order answers the transfer instructions
	GatewayAfterPay         = "AFTERPAY"   // AfterPay, pay after delivery
	GatewayAlipay           = "ALIPAY"     // Alipay
	GatewayBancontact       = "MISTERCASH" // Bancontact (Belgium)
	GatewayBelfius          = "BELFIUS"    // Belfius (Belgium)
	GatewayDotpay           = "DOTPAY"     // Dotpay (Poland)
	GatewayEInvoice         = "EINVOICE"   // E-invoicing, paid once the goods arrive
	GatewayEPS              = "EPS"        // EPS (Austria)
	GatewayGiropay          = "GIROPAY"    // Giropay (Germany)
	GatewayINGHomePay       = "INGHOME"    // ING Home'Pay (Belgium)
	GatewayKBC              = "KBC"        // KBC/CBC (Belgium)
	GatewayKlarna           = "KLARNA"     // Klarna, pay after delivery
	GatewayPayAfterDelivery = "PAYAFTER"   // MultiSafepay Pay After Delivery
	GatewayPayPal           = "PAYPAL"     // PayPal
	GatewaySantander        = "SANTANDER"  // Santander Betaal per Maand (pay in instalments)
)

// Order types (the payment flow); redirect when left out.
const (
	OrderTypeRedirect    = gen.OrderTypeRedirect    // MultiSafepay's payment page
	OrderTypeDirect      = gen.OrderTypeDirect      // straight into the gateway (needs Gateway)
	OrderTypeCheckout    = gen.OrderTypeCheckout    // FastCheckout
	OrderTypePaymentlink = gen.OrderTypePaymentlink // only a payment link
)

// Notification methods for PaymentOptions.NotificationMethod. GET is
// MultiSafepay's default; only POST notifications carry the order and a
// signature, and WebhookHandler accepts only those.
const (
	NotificationMethodPOST = gen.NotificationMethodPOST
	NotificationMethodGET  = gen.NotificationMethodGET
)

// Recurring models for OrderCreate.RecurringModel: with Customer.Reference
// set, a completed payment stores the customer's details as a token
// (see ListTokens), which a later order charges as its RecurringID.
const (
	RecurringCardOnFile   = gen.RecurringModelCardOnFile   // the customer agreed to keep the card for later purchases
	RecurringSubscription = gen.RecurringModelSubscription // charged at the end of each billing cycle
	RecurringUnscheduled  = gen.RecurringModelUnscheduled  // charged when something happens (a top-up)
)

// Order update statuses for OrderUpdate.Status.
const (
	UpdateStatusShipped   = gen.OrderUpdateStatusShipped   // mark a paid order shipped
	UpdateStatusCompleted = gen.OrderUpdateStatusCompleted // accept it (a transfer arrived, an uncleared payment approved)
	UpdateStatusVoid      = gen.OrderUpdateStatusVoid      // cancel an initialized or uncleared order
)

// Genders for GatewayInfo.Gender.
const (
	GenderMr     = "mr"     // AfterPay
	GenderMrs    = "mrs"    // AfterPay
	GenderMiss   = "miss"   // AfterPay
	GenderMale   = "male"   // Klarna, Santander
	GenderFemale = "female" // Klarna, Santander
)

// Rounding modes and rules for RoundingPolicy.
const (
	RoundingUp       = "UP"
	RoundingDown     = "DOWN"
	RoundingCeiling  = "CEILING"
	RoundingHalfUp   = "HALF_UP"
	RoundingHalfDown = "HALF_DOWN"
	RoundingHalfEven = "HALF_EVEN"

	RoundingPerItem = "PER_ITEM"
	RoundingPerLine = "PER_LINE"
	RoundingTotal   = "TOTAL"
)
