package money

import "bytes"

// Blank variants of the amount types accept "" as well: MultiSafepay's
// order reference fills fields it has no value for with "" ("amount": "",
// "unit_price": "", "rate": ""), the way the flex types treat "" as unset.
// A blank decodes as zero; everything else decodes exactly as the base
// type does, and the encoding is the base type's.

// BlankCents is Cents that also accepts "" (zero).
type BlankCents struct{ Cents }

// UnmarshalJSON accepts 10, "10", "" and null.
func (c *BlankCents) UnmarshalJSON(data []byte) error {
	if isBlank(data) {
		c.Cents = 0
		return nil
	}
	return c.Cents.UnmarshalJSON(data)
}

// BlankDecimal is Decimal that also accepts "" (zero). It encodes as a JSON number.
type BlankDecimal struct{ Decimal }

// UnmarshalJSON accepts 0.49, "0.21", "" and null.
func (d *BlankDecimal) UnmarshalJSON(data []byte) error {
	if isBlank(data) {
		d.Decimal = Decimal{}
		return nil
	}
	return d.Decimal.UnmarshalJSON(data)
}

// IsZero reports a blank: nothing, "" or null was sent. A sent 0 or "0.00"
// is a value, so omitzero keeps it when an answer is encoded again.
func (d BlankDecimal) IsZero() bool { return d.text == "" }

// BlankDecimalString is DecimalString that also accepts "" (zero). It
// encodes as a JSON string ("90.00").
type BlankDecimalString struct{ DecimalString }

// IsZero reports a blank, as BlankDecimal's does.
func (d BlankDecimalString) IsZero() bool { return d.text == "" }

// UnmarshalJSON accepts "90.00", 90, "" and null.
func (d *BlankDecimalString) UnmarshalJSON(data []byte) error {
	if isBlank(data) {
		d.DecimalString = DecimalString{}
		return nil
	}
	return d.DecimalString.UnmarshalJSON(data)
}

// isBlank reports an empty (or all-space) JSON string.
func isBlank(data []byte) bool {
	data = bytes.TrimSpace(data)
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return false
	}
	return len(bytes.TrimSpace(data[1:len(data)-1])) == 0
}
