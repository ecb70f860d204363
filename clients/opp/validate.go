package opp

import (
	"fmt"
	"strings"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/money"
)

// validateUID accepts OPP identifiers (tra_1a2b3c2cf578). Anything else is
// refused before it reaches a URL path: a uid from a notification is input
// from whoever posted it, and "..", "/" or "?" would change the request.
func validateUID(field, uid string) error {
	if uid == "" {
		return &betaalkit.FieldError{Field: field, Reason: "is empty"}
	}
	if len(uid) > 64 {
		return &betaalkit.FieldError{Field: field, Reason: "is longer than an OPP identifier"}
	}
	for i := 0; i < len(uid); i++ {
		c := uid[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return &betaalkit.FieldError{Field: field, Reason: fmt.Sprintf("%q is not an OPP identifier (letters, digits, _ and -)", clip(uid))}
		}
	}
	return nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func isAlpha3(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		c := s[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func isAlnum(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// validateTransaction enforces the create table and checks that
// total_price adds up (see CreatePayment).
func validateTransaction(tx TransactionCreate) error {
	if len(tx.Products) == 0 {
		return &betaalkit.FieldError{Field: "products", Reason: "needs at least one product"}
	}
	for i, p := range tx.Products {
		field := fmt.Sprintf("products[%d]", i)
		if strings.TrimSpace(p.Name) == "" {
			return &betaalkit.FieldError{Field: field + ".name", Reason: "is empty"}
		}
		if p.Price < 0 {
			return &betaalkit.FieldError{Field: field + ".price", Reason: fmt.Sprintf("%d cents is negative", p.Price)}
		}
		if p.Quantity < 1 {
			return &betaalkit.FieldError{Field: field + ".quantity", Reason: fmt.Sprintf("%d is not a positive quantity", p.Quantity)}
		}
		if p.ShippingCosts < 0 {
			return &betaalkit.FieldError{Field: field + ".shipping_costs", Reason: fmt.Sprintf("%d cents is negative", p.ShippingCosts)}
		}
	}
	if tx.TotalPrice <= 0 {
		return &betaalkit.FieldError{Field: "total_price", Reason: "needs a positive amount in cents"}
	}
	if tx.ShippingCosts != nil && *tx.ShippingCosts < 0 {
		return &betaalkit.FieldError{Field: "shipping_costs", Reason: fmt.Sprintf("%d cents is negative", *tx.ShippingCosts)}
	}
	if tx.Discount < 0 {
		return &betaalkit.FieldError{Field: "discount", Reason: fmt.Sprintf("%d cents is negative; a discount is subtracted", tx.Discount)}
	}
	if err := checkTotal(tx); err != nil {
		return err
	}
	if strings.TrimSpace(tx.ReturnURL) == "" {
		return &betaalkit.FieldError{Field: "return_url", Reason: "is empty"}
	}
	if tx.PaymentMethod != "" && !tx.PaymentMethod.Valid() {
		return &betaalkit.FieldError{Field: "payment_method", Reason: fmt.Sprintf("%q is not one of ideal, paypal, bcmc, sepa", clip(string(tx.PaymentMethod)))}
	}
	if tx.PaymentFlow != "" && !tx.PaymentFlow.Valid() {
		return &betaalkit.FieldError{Field: "payment_flow", Reason: fmt.Sprintf("%q is not direct or email", clip(string(tx.PaymentFlow)))}
	}
	if tx.PaymentFlow == PaymentFlowEmail && strings.TrimSpace(tx.BuyerEmailaddress) == "" {
		return &betaalkit.FieldError{Field: "buyer_emailaddress", Reason: "the email payment flow mails the payment link to the buyer"}
	}
	if tx.Locale != "" && !tx.Locale.Valid() {
		return &betaalkit.FieldError{Field: "locale", Reason: fmt.Sprintf("%q is not one of nl, en, fr", clip(string(tx.Locale)))}
	}
	if tx.EscrowPeriod < 0 {
		return &betaalkit.FieldError{Field: "escrow_period", Reason: "is a number of days, at least 1"}
	}
	return nil
}

// tooLarge bounds what checkTotal adds up (some 90 trillion euros), so that
// no sum can overflow.
const tooLarge = money.Cents(1) << 53

// checkTotal refuses a total_price that cannot be right: the products'
// price × quantity (plus a product's own shipping_costs), plus
// shipping_costs, less discount, must equal it. Without shipping_costs OPP
// adds the account's setting, unknown here, so the total must then only not
// fall short of the products less the discount. A product's own total_price
// must be its price × quantity plus its shipping_costs. Prices, quantities
// and costs are known not to be negative.
func checkTotal(tx TransactionCreate) error {
	var lines money.Cents
	for i, p := range tx.Products {
		field := fmt.Sprintf("products[%d]", i)
		if p.Price >= tooLarge/money.Cents(p.Quantity) || p.ShippingCosts >= tooLarge || lines >= tooLarge {
			return &betaalkit.FieldError{Field: field, Reason: "adds up to more than any payment"}
		}
		line := p.Price*money.Cents(p.Quantity) + p.ShippingCosts
		if p.TotalPrice != 0 && p.TotalPrice != line {
			return &betaalkit.FieldError{Field: field + ".total_price", Reason: fmt.Sprintf(
				"%d cents does not match price × quantity plus shipping_costs, %d cents", p.TotalPrice, line)}
		}
		lines += line
	}
	want := lines - tx.Discount
	if tx.ShippingCosts == nil {
		if tx.TotalPrice < want {
			return &betaalkit.FieldError{Field: "total_price", Reason: fmt.Sprintf(
				"%d cents is less than the products less the discount, %d cents (shipping_costs is left out: the account's setting comes on top)", tx.TotalPrice, want)}
		}
		return nil
	}
	if want += min(*tx.ShippingCosts, tooLarge); tx.TotalPrice != want {
		return &betaalkit.FieldError{Field: "total_price", Reason: fmt.Sprintf(
			"%d cents does not match the products plus shipping_costs less the discount, %d cents", tx.TotalPrice, want)}
	}
	return nil
}

func validateDiscount(discountType DiscountType, amount int, codeType CodeType) error {
	if !discountType.Valid() {
		return &betaalkit.FieldError{Field: "discount_type", Reason: fmt.Sprintf("%q is not amount or percentage", discountType)}
	}
	if amount < 1 {
		return &betaalkit.FieldError{Field: "amount", Reason: fmt.Sprintf("%d is not positive", amount)}
	}
	if discountType == DiscountTypePercentage && amount > 100 {
		return &betaalkit.FieldError{Field: "amount", Reason: fmt.Sprintf("a percentage is 1 to 100, got %d", amount)}
	}
	if !codeType.Valid() {
		return &betaalkit.FieldError{Field: "code_type", Reason: fmt.Sprintf("%q is not one of once, limit, unique, all", codeType)}
	}
	return nil
}

func validateDiscountCode(d DiscountCodeCreate) error {
	if d.ValidFrom == 0 && d.DateStarted == 0 {
		return &betaalkit.FieldError{Field: "valid_from", Reason: "is required"}
	}
	if !isAlnum(d.Code, 25) {
		return &betaalkit.FieldError{Field: "code", Reason: fmt.Sprintf("%q is not 1 to 25 letters and digits", clip(d.Code))}
	}
	return validateDiscount(d.DiscountType, d.Amount, d.CodeType)
}

func validateDiscountBatch(b DiscountBatchCreate) error {
	if b.ValidFrom == 0 {
		return &betaalkit.FieldError{Field: "valid_from", Reason: "is required"}
	}
	if b.Quantity < 1 || b.Quantity > 100000 {
		return &betaalkit.FieldError{Field: "quantity", Reason: fmt.Sprintf("%d is outside 1 to 100000", b.Quantity)}
	}
	if b.CodePrefix != "" && !isAlnum(b.CodePrefix, 8) {
		return &betaalkit.FieldError{Field: "code_prefix", Reason: fmt.Sprintf("%q is not 1 to 8 letters and digits", clip(b.CodePrefix))}
	}
	return validateDiscount(b.DiscountType, b.Amount, b.CodeType)
}
