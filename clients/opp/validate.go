package opp

import (
	"fmt"
	"strings"

	"github.com/betaalkit/betaalkit/internal/apiclient"
)

// validateUID accepts OPP identifiers (tra_1a2b3c2cf578). Anything else is
// refused before it reaches a URL path: a uid from a notification is input
// from whoever posted it, and "..", "/" or "?" would change the request.
func validateUID(field, uid string) error {
	if uid == "" {
		return &apiclient.FieldError{Field: field, Reason: "is empty"}
	}
	if len(uid) > 64 {
		return &apiclient.FieldError{Field: field, Reason: "is longer than an OPP identifier"}
	}
	for i := 0; i < len(uid); i++ {
		c := uid[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return &apiclient.FieldError{Field: field, Reason: fmt.Sprintf("%q is not an OPP identifier (letters, digits, _ and -)", clip(uid))}
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

// validateTransaction enforces the create table. The spec accepts the
// metadata example's per-product totals too; the client asks for the
// documented top-level total_price.
func validateTransaction(tx TransactionCreate) error {
	if len(tx.Products) == 0 {
		return &apiclient.FieldError{Field: "products", Reason: "needs at least one product"}
	}
	for i, p := range tx.Products {
		field := fmt.Sprintf("products[%d]", i)
		if strings.TrimSpace(p.Name) == "" {
			return &apiclient.FieldError{Field: field + ".name", Reason: "is empty"}
		}
		if p.Price < 0 {
			return &apiclient.FieldError{Field: field + ".price", Reason: fmt.Sprintf("%d cents is negative", p.Price)}
		}
		if p.Quantity < 1 {
			return &apiclient.FieldError{Field: field + ".quantity", Reason: fmt.Sprintf("%d is not a positive quantity", p.Quantity)}
		}
	}
	if tx.TotalPrice == nil || *tx.TotalPrice <= 0 {
		return &apiclient.FieldError{Field: "total_price", Reason: "needs a positive amount in cents"}
	}
	if strings.TrimSpace(tx.ReturnURL) == "" {
		return &apiclient.FieldError{Field: "return_url", Reason: "is empty"}
	}
	if tx.PaymentMethod != nil && !tx.PaymentMethod.Valid() {
		return &apiclient.FieldError{Field: "payment_method", Reason: fmt.Sprintf("%q is not one of ideal, paypal, bcmc, sepa", *tx.PaymentMethod)}
	}
	if tx.PaymentFlow != nil && !tx.PaymentFlow.Valid() {
		return &apiclient.FieldError{Field: "payment_flow", Reason: fmt.Sprintf("%q is not direct or email", *tx.PaymentFlow)}
	}
	if tx.PaymentFlow != nil && *tx.PaymentFlow == PaymentFlowEmail && (tx.BuyerEmailaddress == nil || *tx.BuyerEmailaddress == "") {
		return &apiclient.FieldError{Field: "buyer_emailaddress", Reason: "the email payment flow mails the payment link to the buyer"}
	}
	if tx.Locale != nil && !tx.Locale.Valid() {
		return &apiclient.FieldError{Field: "locale", Reason: fmt.Sprintf("%q is not one of nl, en, fr", *tx.Locale)}
	}
	if tx.EscrowPeriod != nil && *tx.EscrowPeriod < 1 {
		return &apiclient.FieldError{Field: "escrow_period", Reason: "is a number of days, at least 1"}
	}
	return nil
}

func validateDiscount(discountType DiscountType, amount int, codeType CodeType) error {
	if !discountType.Valid() {
		return &apiclient.FieldError{Field: "discount_type", Reason: fmt.Sprintf("%q is not amount or percentage", discountType)}
	}
	if amount < 1 {
		return &apiclient.FieldError{Field: "amount", Reason: fmt.Sprintf("%d is not positive", amount)}
	}
	if discountType == DiscountTypePercentage && amount > 100 {
		return &apiclient.FieldError{Field: "amount", Reason: fmt.Sprintf("a percentage is 1 to 100, got %d", amount)}
	}
	if !codeType.Valid() {
		return &apiclient.FieldError{Field: "code_type", Reason: fmt.Sprintf("%q is not one of once, limit, unique, all", codeType)}
	}
	return nil
}

func validateDiscountCode(d DiscountCodeCreate) error {
	if (d.ValidFrom == nil || d.ValidFrom.IsZero()) && (d.DateStarted == nil || d.DateStarted.IsZero()) {
		return &apiclient.FieldError{Field: "valid_from", Reason: "is required"}
	}
	if !isAlnum(d.Code, 25) {
		return &apiclient.FieldError{Field: "code", Reason: fmt.Sprintf("%q is not 1 to 25 letters and digits", clip(d.Code))}
	}
	return validateDiscount(d.DiscountType, d.Amount, d.CodeType)
}

func validateDiscountBatch(b DiscountBatchCreate) error {
	if b.ValidFrom.IsZero() {
		return &apiclient.FieldError{Field: "valid_from", Reason: "is required"}
	}
	if b.Quantity < 1 || b.Quantity > 100000 {
		return &apiclient.FieldError{Field: "quantity", Reason: fmt.Sprintf("%d is outside 1 to 100000", b.Quantity)}
	}
	if b.CodePrefix != nil && !isAlnum(*b.CodePrefix, 8) {
		return &apiclient.FieldError{Field: "code_prefix", Reason: fmt.Sprintf("%q is not 1 to 8 letters and digits", clip(*b.CodePrefix))}
	}
	return validateDiscount(b.DiscountType, b.Amount, b.CodeType)
}
