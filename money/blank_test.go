package money_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/money"
)

func TestBlankCents(t *testing.T) {
	for in, want := range map[string]money.Cents{`10`: 10, `"1000"`: 1000, `""`: 0, `"  "`: 0, `-5`: -5} {
		var c money.BlankCents
		require.NoError(t, json.Unmarshal([]byte(in), &c), in)
		assert.Equal(t, want, c.Cents, in)
	}
	c := money.BlankCents{Cents: 7}
	require.NoError(t, json.Unmarshal([]byte(`null`), &c))
	assert.Equal(t, money.Cents(7), c.Cents, "null leaves the value")
	for _, in := range []string{`"1.5"`, `1.5`, `"abc"`, `false`, `{}`, `[]`} {
		c := money.BlankCents{Cents: 7}
		require.Error(t, json.Unmarshal([]byte(in), &c), in)
		assert.Equal(t, money.Cents(7), c.Cents, "a rejected value must not change the target")
	}
	out, err := json.Marshal(money.BlankCents{Cents: 1000})
	require.NoError(t, err)
	assert.Equal(t, `1000`, string(out))
	assert.Equal(t, "10.00", money.BlankCents{Cents: 1000}.String())
}

func TestBlankDecimal(t *testing.T) {
	for in, want := range map[string]string{`0.49`: "0.49", `"0.21"`: "0.21", `""`: "0", `0.08375`: "0.08375", `19`: "19"} {
		var d money.BlankDecimal
		require.NoError(t, json.Unmarshal([]byte(in), &d), in)
		assert.Equal(t, want, d.String(), in)
	}
	for _, in := range []string{`"x"`, `true`, `{}`, `"1,5"`} {
		d := money.BlankDecimal{Decimal: money.MustDecimal("3")}
		require.Error(t, json.Unmarshal([]byte(in), &d), in)
		assert.Equal(t, "3", d.String())
	}
	out, err := json.Marshal(struct {
		A money.BlankDecimal `json:"a"`
	}{money.BlankDecimal{Decimal: money.MustDecimal("0.30")}})
	require.NoError(t, err)
	assert.Equal(t, `{"a":0.30}`, string(out), "exact digits, as a number")
}

func TestBlankDecimalString(t *testing.T) {
	for in, want := range map[string]string{`"90"`: "90", `"10.0000"`: "10.0000", `90.00`: "90.00", `""`: "0", `"-35"`: "-35"} {
		var d money.BlankDecimalString
		require.NoError(t, json.Unmarshal([]byte(in), &d), in)
		assert.Equal(t, want, d.String(), in)
	}
	require.Error(t, json.Unmarshal([]byte(`"ninety"`), new(money.BlankDecimalString)))
	d, err := money.ParseDecimalString("242.9300000000")
	require.NoError(t, err)
	out, err := json.Marshal(money.BlankDecimalString{DecimalString: d})
	require.NoError(t, err)
	assert.Equal(t, `"242.9300000000"`, string(out), "a string on the wire, digits kept")
}

func FuzzBlankAmounts(f *testing.F) {
	for _, s := range []string{`""`, `" "`, `10`, `"10"`, `0.49`, `"0.21"`, `null`, `"`, `""""`, `1e3`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c money.BlankCents
		if json.Unmarshal(data, &c) == nil {
			out, err := json.Marshal(c)
			require.NoError(t, err)
			var again money.BlankCents
			require.NoError(t, json.Unmarshal(out, &again))
			assert.Equal(t, c, again)
		}
		var d money.BlankDecimal
		if json.Unmarshal(data, &d) == nil {
			out, err := json.Marshal(d)
			require.NoError(t, err)
			var again money.BlankDecimal
			require.NoError(t, json.Unmarshal(out, &again))
			assert.Equal(t, 0, d.Cmp(again.Decimal))
		}
		var s money.BlankDecimalString
		if json.Unmarshal(data, &s) == nil {
			out, err := json.Marshal(s)
			require.NoError(t, err)
			var again money.BlankDecimalString
			require.NoError(t, json.Unmarshal(out, &again))
			assert.Equal(t, 0, s.Cmp(again.Decimal))
		}
	})
}
