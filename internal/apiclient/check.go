package apiclient

import (
	"fmt"
	"strings"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/money"
)

// CheckCurrency refuses a code that is not three upper-case letters such
// as EUR, naming field.
func CheckCurrency(field, code string) error {
	if len(code) != 3 || strings.ToUpper(code) != code {
		return &betaalkit.FieldError{Field: field, Reason: fmt.Sprintf("%q is not an ISO 4217 code such as EUR", code)}
	}
	return nil
}

// CheckAmount refuses an amount in cents that is not positive, naming field.
func CheckAmount(field string, amount money.Cents) error {
	if amount <= 0 {
		return &betaalkit.FieldError{Field: field, Reason: fmt.Sprintf("%d cents is not a positive amount", amount)}
	}
	return nil
}
