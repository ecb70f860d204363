package money_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/betaalkit/betaalkit/internal/jsontest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/money"
)

// ---------------------------------------------------------------- Cents

func TestCentsUnmarshal(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want money.Cents
	}{
		{"integer", `10`, 10},
		{"zero", `0`, 0},
		{"negative", `-5`, -5},
		{"numeric string", `"12129"`, 12129},
		{"negative string", `"-250"`, -250},
		{"string with spaces", `" 42 "`, 42},
		{"max int64", `9223372036854775807`, math.MaxInt64},
		{"min int64", `-9223372036854775808`, math.MinInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c money.Cents
			require.NoError(t, json.Unmarshal([]byte(tt.in), &c))
			assert.Equal(t, tt.want, c)
		})
	}
}

func TestCentsUnmarshalNullLeavesValue(t *testing.T) {
	c := money.Cents(7)
	require.NoError(t, json.Unmarshal([]byte(`null`), &c))
	assert.Equal(t, money.Cents(7), c)
}

func TestCentsUnmarshalRejects(t *testing.T) {
	for _, in := range []string{
		`1.5`, `"1.5"`, `1e3`, `"abc"`, `""`, `"  "`, `{}`, `[]`, `[1]`, `true`, `false`,
		`"1,00"`, `"12 34"`, `9223372036854775808`, `-9223372036854775809`, `"0x10"`,
	} {
		t.Run(in, func(t *testing.T) {
			c := money.Cents(7)
			err := json.Unmarshal([]byte(in), &c)
			require.Error(t, err)
			assert.Equal(t, money.Cents(7), c, "a rejected value must not change the target")
		})
	}
}

func TestCentsMarshal(t *testing.T) {
	tests := []struct {
		in      money.Cents
		json    string
		decimal string
	}{
		{0, `0`, "0.00"},
		{5, `5`, "0.05"},
		{-5, `-5`, "-0.05"},
		{800, `800`, "8.00"},
		{12129, `12129`, "121.29"},
		{-12129, `-12129`, "-121.29"},
		{math.MaxInt64, `9223372036854775807`, "92233720368547758.07"},
		{math.MinInt64, `-9223372036854775808`, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		t.Run(tt.json, func(t *testing.T) {
			out, err := json.Marshal(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.json, string(out))
			assert.Equal(t, tt.decimal, tt.in.String())
			assert.Equal(t, tt.decimal, tt.in.Decimal().String())

			back, err := tt.in.Decimal().Cents()
			require.NoError(t, err)
			assert.Equal(t, tt.in, back, "Cents -> Decimal -> Cents is exact")
		})
	}
}

// ---------------------------------------------------------------- Decimal

func TestDecimalUnmarshal(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // String() and the re-encoded JSON number
	}{
		{"two places kept", `8.00`, "8.00"},
		{"one place", `0.3`, "0.3"},
		{"integer", `100`, "100"},
		{"zero", `0`, "0"},
		{"zero with places", `0.00`, "0.00"},
		{"negative zero", `-0`, "-0"},
		{"negative", `-1.5`, "-1.5"},
		{"many places kept", `1.2345678901234567890`, "1.2345678901234567890"},
		{"beyond float64 precision", `12345678901234567890.12`, "12345678901234567890.12"},
		{"numeric string", `"24.50"`, "24.50"},
		{"numeric string with spaces", `" 24.50 "`, "24.50"},
		{"negative string", `"-1.5"`, "-1.5"},
		{"exponent", `1e2`, "100"},
		{"exponent upper case", `1E2`, "100"},
		{"exponent plus", `1.5e+1`, "15"},
		{"negative exponent", `15e-1`, "1.5"},
		{"negative exponent small", `1.5E-3`, "0.0015"},
		{"exponent in string", `"2.5e1"`, "25"},
		{"zero exponent", `0e5`, "0"},
		{"leading zeros in string", `"007.50"`, "7.50"},
		{"negative leading zeros in string", `"-000.5"`, "-0.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d money.Decimal
			require.NoError(t, json.Unmarshal([]byte(tt.in), &d))
			assert.Equal(t, tt.want, d.String())

			out, err := json.Marshal(d)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out), "re-encodes as the exact JSON number")

			var again money.Decimal
			require.NoError(t, json.Unmarshal(out, &again))
			assert.Equal(t, tt.want, again.String())
		})
	}
}

func TestDecimalUnmarshalNullLeavesValue(t *testing.T) {
	d := money.MustDecimal("1.25")
	require.NoError(t, json.Unmarshal([]byte(`null`), &d))
	assert.Equal(t, "1.25", d.String())
}

func TestDecimalUnmarshalRejects(t *testing.T) {
	for _, in := range []string{
		`"1,00"`, `""`, `"  "`, `"abc"`, `"NaN"`, `"nan"`, `"Infinity"`, `"-Infinity"`, `"Inf"`,
		`"0x10"`, `"1."`, `".5"`, `"+1"`, `"--1"`, `"1-"`, `"1 000"`, `"€8.00"`, `"8.00 EUR"`,
		`"1e"`, `"1e+"`, `"1e+-5"`, `"1e-+5"`, `"1e--5"`, `"1e5e5"`, `"1e100"`, `"1e999"`,
		`"1e99"`, `"1e-99"`, `"1.5.5"`,
		`{}`, `[]`, `[1]`, `true`, `false`, `{"value":"8.00"}`,
		// longer than the 64-character limit for wire amounts
		`"` + strings.Repeat("9", 65) + `"`,
		strings.Repeat("9", 65),
	} {
		t.Run(in, func(t *testing.T) {
			d := money.MustDecimal("1.25")
			require.Error(t, json.Unmarshal([]byte(in), &d))
			assert.Equal(t, "1.25", d.String(), "a rejected value must not change the target")
		})
	}
}

func TestDecimalUnmarshalNoPanicOnRawBytes(t *testing.T) {
	// UnmarshalJSON called directly sees bytes json.Unmarshal would have rejected.
	for _, in := range []string{``, ` `, `"`, `"1e+-5"`, `1e+-5`, `-`, `e`, `1e`, `"\`, `NaN`} {
		t.Run(in, func(t *testing.T) {
			var d money.Decimal
			require.NotPanics(t, func() { _ = d.UnmarshalJSON([]byte(in)) })
			assert.Error(t, d.UnmarshalJSON([]byte(in)))
		})
	}
}

func TestDecimalZeroValue(t *testing.T) {
	var d money.Decimal
	assert.Equal(t, "0", d.String())
	assert.True(t, d.IsZero())
	out, err := json.Marshal(d)
	require.NoError(t, err)
	assert.Equal(t, `0`, string(out))
	c, err := d.Cents()
	require.NoError(t, err)
	assert.Equal(t, money.Cents(0), c)

	assert.True(t, money.MustDecimal("0.00").IsZero())
	assert.True(t, money.MustDecimal("-0").IsZero())
	assert.False(t, money.MustDecimal("0.01").IsZero())
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"8.00", "8.00"},
		{" 8.00 ", "8.00"},
		{"-1.5", "-1.5"},
		{"0.3", "0.3"},
		{"0", "0"},
		{"007", "7"},
		{"00.10", "0.10"},
		{"-00", "-0"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := money.ParseDecimal(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, d.String())
			out, err := json.Marshal(d)
			require.NoError(t, err, "a parsed decimal always encodes as valid JSON")
			assert.Equal(t, tt.want, string(out))

			ds, err := money.ParseDecimalString(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ds.String())
		})
	}
	for _, in := range []string{"", "abc", "1,00", "1e2", "+1", ".5", "1.", "NaN", "1 000"} {
		t.Run("rejects "+in, func(t *testing.T) {
			_, err := money.ParseDecimal(in)
			assert.Error(t, err)
			_, err = money.ParseDecimalString(in)
			assert.Error(t, err)
		})
	}
}

func TestMustDecimalPanics(t *testing.T) {
	assert.Panics(t, func() { money.MustDecimal("1,00") })
	assert.NotPanics(t, func() { money.MustDecimal("1.00") })
}

func TestDecimalCmp(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"8.00", "8", 0},
		{"8.00", "8.0", 0},
		{"0.3", "0.30", 0},
		{"-0", "0", 0},
		{"0.1", "0.2", -1},
		{"0.2", "0.1", 1},
		{"-1.5", "1.5", -1},
		{"-1.5", "-1.50", 0},
		{"10", "9.99", 1},
		{"0.30000000000000001", "0.3", 1},
		{"12345678901234567890.01", "12345678901234567890.02", -1},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			a, b := money.MustDecimal(tt.a), money.MustDecimal(tt.b)
			assert.Equal(t, tt.want, a.Cmp(b))
			assert.Equal(t, -tt.want, b.Cmp(a))
		})
	}
	var zero money.Decimal
	assert.Equal(t, 0, zero.Cmp(money.MustDecimal("0.00")))
	assert.Equal(t, -1, zero.Cmp(money.MustDecimal("0.01")))
}

func TestDecimalAdd(t *testing.T) {
	tests := []struct {
		a, b, want string
	}{
		{"0.1", "0.2", "0.3"}, // exact, unlike float64
		{"8.00", "0.5", "8.50"},
		{"8", "0.05", "8.05"},
		{"-1.5", "1.5", "0.0"},
		{"-1.5", "-1.5", "-3.0"},
		{"0.01", "-0.02", "-0.01"},
		{"99.99", "0.01", "100.00"},
		{"12345678901234567890.01", "0.01", "12345678901234567890.02"},
		{"0.000000000000000001", "1", "1.000000000000000001"},
	}
	for _, tt := range tests {
		t.Run(tt.a+" + "+tt.b, func(t *testing.T) {
			a, b := money.MustDecimal(tt.a), money.MustDecimal(tt.b)
			sum := a.Add(b)
			assert.Equal(t, tt.want, sum.String())
			assert.Equal(t, tt.want, b.Add(a).String(), "Add is commutative")
			assert.Equal(t, 0, sum.Cmp(money.MustDecimal(tt.want)))
		})
	}

	sum := money.MustDecimal("0.1").Add(money.MustDecimal("0.2"))
	assert.Equal(t, 0, sum.Cmp(money.MustDecimal("0.3")), "0.1 + 0.2 == 0.3 exactly")

	var zero money.Decimal
	assert.Equal(t, "1.25", zero.Add(money.MustDecimal("1.25")).String())
	assert.Equal(t, "0", zero.Add(zero).String())
}

func TestDecimalCents(t *testing.T) {
	tests := []struct {
		in   string
		want money.Cents
	}{
		{"8.00", 800},
		{"8", 800},
		{"0.3", 30},
		{"0.05", 5},
		{"-1.5", -150},
		{"121.29", 12129},
		{"8.010", 801},
		{"-0", 0},
		{"92233720368547758.07", math.MaxInt64},
		{"-92233720368547758.08", math.MinInt64},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := money.MustDecimal(tt.in).Cents()
			require.NoError(t, err)
			assert.Equal(t, tt.want, c)
		})
	}
	for _, in := range []string{"8.005", "0.001", "-0.005", "8.0050", "92233720368547758.08", "-92233720368547758.09", "1" + strings.Repeat("0", 30)} {
		t.Run("rejects "+in, func(t *testing.T) {
			_, err := money.MustDecimal(in).Cents()
			assert.Error(t, err)
		})
	}

	c, err := money.MustDecimal("0.1").Add(money.MustDecimal("0.2")).Cents()
	require.NoError(t, err)
	assert.Equal(t, money.Cents(30), c)
}

// ---------------------------------------------------------------- DecimalString

func TestDecimalString(t *testing.T) {
	tests := []struct {
		name, in, want, json string
	}{
		{"string", `"1.00"`, "1.00", `"1.00"`},
		{"string 24.50", `"24.50"`, "24.50", `"24.50"`},
		{"number", `1.00`, "1.00", `"1.00"`},
		{"negative", `"-1.5"`, "-1.5", `"-1.5"`},
		{"exponent", `1e2`, "100", `"100"`},
		{"exponent string", `"1.5E-1"`, "0.15", `"0.15"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d money.DecimalString
			require.NoError(t, json.Unmarshal([]byte(tt.in), &d))
			assert.Equal(t, tt.want, d.String())
			out, err := json.Marshal(d)
			require.NoError(t, err)
			assert.Equal(t, tt.json, string(out), "encodes as a JSON string")
		})
	}

	var zero money.DecimalString
	out, err := json.Marshal(zero)
	require.NoError(t, err)
	assert.Equal(t, `"0"`, string(out))

	d, err := money.ParseDecimalString("24.50")
	require.NoError(t, err)
	out, err = json.Marshal(d)
	require.NoError(t, err)
	assert.Equal(t, `"24.50"`, string(out))
	assert.Equal(t, 0, d.Cmp(money.MustDecimal("24.5")), "embeds Decimal's methods")

	keep, err := money.ParseDecimalString("3.00")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal([]byte(`null`), &keep))
	assert.Equal(t, "3.00", keep.String())

	for _, in := range []string{`"1,00"`, `""`, `"abc"`, `{}`, `[]`, `true`} {
		var d money.DecimalString
		assert.Error(t, json.Unmarshal([]byte(in), &d), in)
	}
}

// ---------------------------------------------------------------- in generated structs

// amounts mirrors how generated client code embeds the types: plain fields,
// pointer fields with omitempty, and nested objects.
type amounts struct {
	Amount   money.Cents          `json:"amount"`
	Fee      *money.Cents         `json:"fee,omitempty"`
	Value    money.Decimal        `json:"value"`
	Optional *money.Decimal       `json:"optional,omitempty"`
	Omitted  money.Decimal        `json:"omitted,omitempty"` // a struct: omitempty never omits it
	Zeroable money.Decimal        `json:"zeroable,omitzero"`
	Text     *money.DecimalString `json:"text,omitempty"`
	Lines    []money.Decimal      `json:"lines,omitempty"`
}

func TestInStruct(t *testing.T) {
	in := `{
		"amount": "12129",
		"fee": 25,
		"value": 8.00,
		"optional": "0.3",
		"omitted": 1e2,
		"zeroable": -1.5,
		"text": "24.50",
		"lines": [0.1, "0.2"]
	}`
	var a amounts
	require.NoError(t, json.Unmarshal([]byte(in), &a))
	assert.Equal(t, money.Cents(12129), a.Amount)
	require.NotNil(t, a.Fee)
	assert.Equal(t, money.Cents(25), *a.Fee)
	assert.Equal(t, "8.00", a.Value.String())
	require.NotNil(t, a.Optional)
	assert.Equal(t, "0.3", a.Optional.String())
	assert.Equal(t, "100", a.Omitted.String())
	assert.Equal(t, "-1.5", a.Zeroable.String())
	require.NotNil(t, a.Text)
	assert.Equal(t, "24.50", a.Text.String())
	require.Len(t, a.Lines, 2)
	assert.Equal(t, 0, a.Lines[0].Add(a.Lines[1]).Cmp(money.MustDecimal("0.3")))

	out, err := json.Marshal(a)
	require.NoError(t, err)
	assert.JSONEq(t, `{"amount":12129,"fee":25,"value":8.00,"optional":0.3,"omitted":100,"zeroable":-1.5,"text":"24.50","lines":[0.1,0.2]}`, string(out))
	assert.Contains(t, string(out), `"value":8.00`, "trailing zeros survive re-encoding")
}

func TestInStructMissingAndNull(t *testing.T) {
	for _, in := range []string{
		`{}`,
		`{"amount":null,"fee":null,"value":null,"optional":null,"omitted":null,"zeroable":null,"text":null,"lines":null}`,
	} {
		t.Run(in, func(t *testing.T) {
			var a amounts
			require.NoError(t, json.Unmarshal([]byte(in), &a))
			assert.Equal(t, money.Cents(0), a.Amount)
			assert.Nil(t, a.Fee)
			assert.Nil(t, a.Optional)
			assert.Nil(t, a.Text)
			assert.True(t, a.Value.IsZero())

			out, err := json.Marshal(a)
			require.NoError(t, err)
			// nil pointers and the zero Decimal under omitzero are left out;
			// omitempty does not omit a (non-pointer) struct such as Decimal.
			assert.Equal(t, `{"amount":0,"value":0,"omitted":0}`, string(out))
		})
	}
}

func TestInStructRejects(t *testing.T) {
	for _, in := range []string{
		`{"amount":1.5}`,
		`{"fee":"abc"}`,
		`{"value":"1,00"}`,
		`{"optional":{}}`,
		`{"text":"NaN"}`,
		`{"lines":[1,"x"]}`,
	} {
		var a amounts
		assert.Error(t, json.Unmarshal([]byte(in), &a), in)
	}
}

// ---------------------------------------------------------------- fuzzing

var decimalSeeds = []string{
	`10`, `"12129"`, `null`, `-5`, `1.5`, `"abc"`, `{}`, `[]`, `true`, `""`,
	`8.00`, `0.3`, `"24.50"`, `1e2`, `-1.5`, `1E-3`, `"1,00"`, `"NaN"`, `"1e+-5"`,
	`"007"`, `1e99`, `1e-99`, `"-0"`, `" 8.00 "`, `9223372036854775808`, `"\u0031"`,
}

func FuzzCents(f *testing.F) {
	for _, s := range decimalSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := jsontest.RoundTrip[money.Cents](t, data)
		if a != nil {
			require.Equal(t, *a, *b, "value changed through encode/decode")
		}
	})
}

func FuzzDecimal(f *testing.F) {
	for _, s := range decimalSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := jsontest.RoundTrip[money.Decimal](t, data)
		if a == nil {
			return
		}
		require.Equal(t, 0, a.Cmp(*b), "value changed through encode/decode")
		require.Equal(t, a.String(), b.String())
		// A plain JSON number (no exponent, no quotes) keeps every digit.
		trimmed := bytes.TrimSpace(data)
		if len(trimmed) > 0 && trimmed[0] != '"' && !bytes.ContainsAny(trimmed, "eE") && string(trimmed) != "null" {
			require.Equal(t, string(trimmed), a.String())
		}
		_, _ = a.Cents() // must not panic
		_ = a.Add(*b)
	})
}

func FuzzDecimalString(f *testing.F) {
	for _, s := range decimalSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := jsontest.RoundTrip[money.DecimalString](t, data)
		if a == nil {
			return
		}
		require.Equal(t, 0, a.Cmp(b.Decimal), "value changed through encode/decode")
		enc, err := json.Marshal(a)
		require.NoError(t, err)
		require.Equal(t, byte('"'), enc[0], "DecimalString encodes as a JSON string")
	})
}
