// Package money holds exact amount types for the providers' wire formats.
// Amounts never pass through float64: minor units are integers and decimal
// euros are kept as the exact text the provider sent.
package money

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Cents is an amount in minor units (euro cents). On the wire it is a JSON
// integer; providers that send it as a numeric string ("12129") decode too.
type Cents int64

// UnmarshalJSON accepts 10 and "10".
func (c *Cents) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		return nil
	}
	text := string(data)
	if len(data) > 0 && data[0] == '"' {
		if err := json.Unmarshal(data, &text); err != nil {
			return fmt.Errorf("money.Cents: %w", err)
		}
		text = strings.TrimSpace(text)
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return fmt.Errorf("money.Cents: %q is not a whole number of minor units", truncate(text))
	}
	*c = Cents(n)
	return nil
}

// MarshalJSON writes a JSON integer.
func (c Cents) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(c), 10), nil
}

// Decimal returns the amount as decimal units with two places ("8.00").
func (c Cents) Decimal() Decimal {
	return Decimal{text: centsText(int64(c))}
}

// String formats the amount as decimal units with two places.
func (c Cents) String() string { return centsText(int64(c)) }

func centsText(n int64) string {
	sign := ""
	u := uint64(n)
	if n < 0 {
		sign = "-"
		u = uint64(-n)
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// Decimal is an exact decimal amount (e.g. euros "8.00", "0.3"), kept as the
// text the provider sent so that re-encoding never changes a digit. On the
// wire it is a JSON number; a numeric string decodes too. Use DecimalString
// where the provider wants the amount as a JSON string.
type Decimal struct {
	text string // canonical JSON number text; "" means zero
}

// ParseDecimal reads a plain decimal such as "8.00", "-1.5" or "0.3".
func ParseDecimal(s string) (Decimal, error) {
	s = strings.TrimSpace(s)
	if !isDecimal(s) {
		return Decimal{}, fmt.Errorf("money: %q is not a decimal amount", truncate(s))
	}
	return Decimal{text: trimLeadingZeros(s)}, nil
}

// MustDecimal is ParseDecimal for constants; it panics on a malformed literal.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String returns the exact text, "0" for the zero value.
func (d Decimal) String() string {
	if d.text == "" {
		return "0"
	}
	return d.text
}

// IsZero reports whether the amount equals zero.
func (d Decimal) IsZero() bool {
	if c, ok := d.plainCents(); ok {
		return c == 0
	}
	return d.Rat().Sign() == 0
}

// Rat returns the exact value.
func (d Decimal) Rat() *big.Rat {
	r, ok := new(big.Rat).SetString(d.String())
	if !ok { // unreachable: text is validated on construction
		return new(big.Rat)
	}
	return r
}

// Cmp compares exactly: -1 if d < o, 0 if equal, +1 if d > o.
func (d Decimal) Cmp(o Decimal) int { return d.Rat().Cmp(o.Rat()) }

// Add returns the exact sum, written with as many decimal places as the
// more precise operand.
func (d Decimal) Add(o Decimal) Decimal {
	places := max(d.places(), o.places())
	sum := new(big.Rat).Add(d.Rat(), o.Rat())
	return Decimal{text: sum.FloatString(places)}
}

// Cents converts to minor units; it fails when the amount has a fraction of a cent.
func (d Decimal) Cents() (Cents, error) {
	if c, ok := d.plainCents(); ok {
		return c, nil
	}
	r := new(big.Rat).Mul(d.Rat(), big.NewRat(100, 1))
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, fmt.Errorf("money: %s is not a whole number of cents", d.String())
	}
	return Cents(r.Num().Int64()), nil
}

// plainCents reads the common form, [-]digits[.digits] with at most two
// significant decimals and a sensible size, without big.Rat: the providers'
// amounts all look like that. ok is false for anything else.
func (d Decimal) plainCents() (Cents, bool) {
	t := d.text
	if t == "" {
		return 0, true
	}
	neg := t[0] == '-'
	if neg {
		t = t[1:]
	}
	whole, frac, _ := strings.Cut(t, ".")
	frac = strings.TrimRight(frac, "0")
	if whole == "" || len(whole) > 15 || len(frac) > 2 {
		return 0, false
	}
	var n int64
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	for range 2 - len(frac) {
		n *= 10
	}
	if neg {
		n = -n
	}
	return Cents(n), true
}

func (d Decimal) places() int {
	if i := strings.IndexByte(d.text, '.'); i >= 0 {
		return len(d.text) - i - 1
	}
	return 0
}

// MarshalJSON writes the exact text as a JSON number.
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalJSON accepts 8.00, 0.3 and "8.00".
func (d *Decimal) UnmarshalJSON(data []byte) error {
	parsed, err := decodeDecimal(data)
	if err != nil {
		return err
	}
	if parsed != nil {
		*d = *parsed
	}
	return nil
}

// DecimalString is a Decimal sent as a JSON string ("1.00"), as iDEAL 2.0 does.
type DecimalString struct{ Decimal }

// ParseDecimalString reads a plain decimal such as "24.50".
func ParseDecimalString(s string) (DecimalString, error) {
	d, err := ParseDecimal(s)
	return DecimalString{d}, err
}

// MarshalJSON writes the exact text as a JSON string.
func (d DecimalString) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.String())
}

// UnmarshalJSON accepts "1.00" and 1.00.
func (d *DecimalString) UnmarshalJSON(data []byte) error { return d.Decimal.UnmarshalJSON(data) }

func decodeDecimal(data []byte) (*Decimal, error) {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		return nil, nil
	}
	text := string(data)
	if len(data) > 0 && data[0] == '"' {
		if err := json.Unmarshal(data, &text); err != nil {
			return nil, fmt.Errorf("money.Decimal: %w", err)
		}
		text = strings.TrimSpace(text)
	}
	if !isJSONNumber(text) {
		return nil, fmt.Errorf("money.Decimal: %q is not a decimal amount", truncate(text))
	}
	if !isDecimal(text) { // exponent form: normalise to plain digits, exactly
		r, ok := new(big.Rat).SetString(text)
		if !ok {
			return nil, fmt.Errorf("money.Decimal: %q is not a decimal amount", truncate(text))
		}
		text = ratText(r)
		// The plain form must itself decode again (1e99 would be 100 digits).
		if len(text) > maxWireLen {
			return nil, fmt.Errorf("money.Decimal: %q is out of range", truncate(text))
		}
	}
	return &Decimal{text: trimLeadingZeros(text)}, nil
}

// trimLeadingZeros drops redundant leading zeros of the integer part ("007.50"
// becomes "7.50"), which a numeric string may carry but a JSON number may not.
// It changes no digit of the value.
func trimLeadingZeros(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	i := 0
	for i < len(s)-1 && s[i] == '0' && s[i+1] >= '0' && s[i+1] <= '9' {
		i++
	}
	if i == 0 {
		return sign + s
	}
	return sign + s[i:]
}

// ratText writes an exact rational with a terminating decimal expansion.
func ratText(r *big.Rat) string {
	for places := 0; places <= 200; places++ {
		scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)))
		if scaled.IsInt() {
			return r.FloatString(places)
		}
	}
	return r.FloatString(200)
}

// isDecimal accepts -?digits(.digits)?
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || !allDigits(intPart) {
		return false
	}
	if hasDot && (frac == "" || !allDigits(frac)) {
		return false
	}
	return true
}

// maxWireLen bounds the text of a decoded amount.
const maxWireLen = 64

// isJSONNumber accepts the JSON number grammar, with exponent, bounded in size.
func isJSONNumber(s string) bool {
	if len(s) == 0 || len(s) > maxWireLen {
		return false
	}
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	if !isDecimal(mant) {
		return false
	}
	if hasExp {
		if len(exp) > 0 && (exp[0] == '+' || exp[0] == '-') { // at most one sign
			exp = exp[1:]
		}
		if exp == "" || len(exp) > 2 || !allDigits(exp) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
