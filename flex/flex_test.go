package flex_test

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/betaalkit/betaalkit/internal/jsontest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/flex"
)

// ---------------------------------------------------------------- String

func TestStringUnmarshal(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want flex.String
	}{
		{"string", `"XI"`, "XI"},
		{"empty string", `""`, ""},
		{"string keeps spaces", `" a b "`, " a b "},
		{"escaped string", `"caf\u00e9 \"1\""`, `café "1"`},
		{"leading zero in a string", `"0612345678"`, "0612345678"},
		{"number", `22`, "22"},
		{"phone as number", `612345678`, "612345678"},
		{"trailing zeros kept", `29000`, "29000"},
		{"negative", `-7`, "-7"},
		{"fraction digits kept", `1.50`, "1.50"},
		{"exponent kept", `1e3`, "1e3"},
		{"big number kept exactly", `123456789012345678901234567890`, "123456789012345678901234567890"},
		{"true", `true`, "true"},
		{"false", `false`, "false"},
		{"null", `null`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := flex.String("previous")
			require.NoError(t, json.Unmarshal([]byte(tt.in), &s))
			assert.Equal(t, tt.want, s)
			assert.Equal(t, string(tt.want), s.String())

			out, err := json.Marshal(s)
			require.NoError(t, err)
			want, _ := json.Marshal(string(tt.want))
			assert.Equal(t, string(want), string(out), "encodes as a JSON string")
		})
	}
}

func TestStringUnmarshalRejects(t *testing.T) {
	for _, in := range []string{`{}`, `{"a":"b"}`, `[]`, `["XI"]`, `[22]`} {
		t.Run(in, func(t *testing.T) {
			s := flex.String("previous")
			require.Error(t, json.Unmarshal([]byte(in), &s))
			assert.Equal(t, flex.String("previous"), s)
		})
	}
	// Called directly, UnmarshalJSON sees bytes json.Unmarshal would reject.
	for _, in := range []string{``, ` `, `0612345678`, `abc`, `"unterminated`, `1.`, `-`, `nul`, `tru`} {
		t.Run("direct "+in, func(t *testing.T) {
			var s flex.String
			assert.Error(t, s.UnmarshalJSON([]byte(in)))
		})
	}
}

func TestStringMarshal(t *testing.T) {
	for in, want := range map[flex.String]string{
		"":           `""`,
		"XI":         `"XI"`,
		"22":         `"22"`,
		"0612345678": `"0612345678"`,
		`a"b`:        `"a\"b"`,
	} {
		out, err := json.Marshal(in)
		require.NoError(t, err)
		assert.Equal(t, want, string(out))
	}
}

// ---------------------------------------------------------------- Int

func TestIntUnmarshal(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want flex.Int
	}{
		{"number", `1`, 1},
		{"string", `"1"`, 1},
		{"zero", `0`, 0},
		{"negative", `-7`, -7},
		{"negative string", `"-7"`, -7},
		{"string with spaces", `" 42 "`, 42},
		{"string with plus", `"+3"`, 3},
		{"max", `9223372036854775807`, math.MaxInt64},
		{"min", `"-9223372036854775808"`, math.MinInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n flex.Int
			require.NoError(t, json.Unmarshal([]byte(tt.in), &n))
			assert.Equal(t, tt.want, n)
		})
	}
	for _, in := range []string{`null`, `""`, `"  "`} {
		t.Run("leaves value "+in, func(t *testing.T) {
			n := flex.Int(9)
			require.NoError(t, json.Unmarshal([]byte(in), &n))
			assert.Equal(t, flex.Int(9), n)
		})
	}
}

func TestIntUnmarshalRejects(t *testing.T) {
	for _, in := range []string{
		`1.5`, `"1.5"`, `1e3`, `1.0`, `"abc"`, `true`, `"true"`, `{}`, `[]`, `[1]`,
		`9223372036854775808`, `"-9223372036854775809"`, `"0x10"`, `"1 000"`,
	} {
		t.Run(in, func(t *testing.T) {
			n := flex.Int(9)
			require.Error(t, json.Unmarshal([]byte(in), &n))
			assert.Equal(t, flex.Int(9), n)
		})
	}
}

func TestIntMarshal(t *testing.T) {
	for in, want := range map[flex.Int]string{0: `0`, 1: `1`, -7: `-7`, math.MaxInt64: `9223372036854775807`, math.MinInt64: `-9223372036854775808`} {
		out, err := json.Marshal(in)
		require.NoError(t, err)
		assert.Equal(t, want, string(out))
	}
}

// ---------------------------------------------------------------- Bool

func TestBoolUnmarshal(t *testing.T) {
	tests := []struct {
		in   string
		want flex.Bool
	}{
		{`true`, true},
		{`false`, false},
		{`"true"`, true},
		{`"false"`, false},
		{`"TRUE"`, true},
		{`"False"`, false},
		{`1`, true},
		{`0`, false},
		{`"1"`, true},
		{`"0"`, false},
		{`"yes"`, true},
		{`"no"`, false},
		{`" true "`, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			b := !tt.want
			require.NoError(t, json.Unmarshal([]byte(tt.in), &b))
			assert.Equal(t, tt.want, b)

			out, err := json.Marshal(b)
			require.NoError(t, err)
			if tt.want {
				assert.Equal(t, `true`, string(out))
			} else {
				assert.Equal(t, `false`, string(out))
			}
		})
	}
	for _, in := range []string{`null`, `""`} {
		t.Run("leaves value "+in, func(t *testing.T) {
			b := flex.Bool(true)
			require.NoError(t, json.Unmarshal([]byte(in), &b))
			assert.Equal(t, flex.Bool(true), b)
		})
	}
}

func TestBoolUnmarshalRejects(t *testing.T) {
	for _, in := range []string{`2`, `-1`, `1.0`, `"maybe"`, `"t"`, `"on"`, `{}`, `[]`, `[true]`} {
		t.Run(in, func(t *testing.T) {
			b := flex.Bool(true)
			require.Error(t, json.Unmarshal([]byte(in), &b))
			assert.Equal(t, flex.Bool(true), b)
		})
	}
}

// ---------------------------------------------------------------- UnixTime

func TestUnixTimeUnmarshal(t *testing.T) {
	want := time.Date(2019, time.April, 1, 10, 15, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want time.Time
		json string
	}{
		{"number", `1554113700`, want, `1554113700`},
		{"string", `"1554113700"`, want, `1554113700`},
		{"string with spaces", `" 1554113700 "`, want, `1554113700`},
		{"epoch", `0`, time.Unix(0, 0).UTC(), `0`},
		{"before epoch", `-86400`, time.Date(1969, time.December, 31, 0, 0, 0, 0, time.UTC), `-86400`},
		{"null", `null`, time.Time{}, `null`},
		{"empty string", `""`, time.Time{}, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ut := flex.UnixTime{Time: time.Unix(42, 0)}
			require.NoError(t, json.Unmarshal([]byte(tt.in), &ut))
			assert.True(t, tt.want.Equal(ut.Time), "got %v", ut.Time)
			if !tt.want.IsZero() {
				assert.Equal(t, time.UTC, ut.Location())
			}
			assert.Equal(t, tt.want.IsZero(), ut.IsZero())

			out, err := json.Marshal(ut)
			require.NoError(t, err)
			assert.Equal(t, tt.json, string(out))
		})
	}
}

func TestUnixTimeUnmarshalRejects(t *testing.T) {
	for _, in := range []string{`1.5`, `"1.5"`, `1e9`, `"abc"`, `"2019-04-01T10:15:00Z"`, `true`, `{}`, `[]`, `99999999999999999999`} {
		t.Run(in, func(t *testing.T) {
			ut := flex.UnixTime{Time: time.Unix(42, 0)}
			require.Error(t, json.Unmarshal([]byte(in), &ut))
			assert.Equal(t, int64(42), ut.Unix())
		})
	}
}

func TestUnixTimeMarshal(t *testing.T) {
	out, err := json.Marshal(flex.UnixTime{})
	require.NoError(t, err)
	assert.Equal(t, `null`, string(out), "zero value is unset")

	out, err = json.Marshal(flex.UnixTime{Time: time.Date(2019, time.April, 1, 12, 15, 0, 999, time.FixedZone("CEST", 2*3600))})
	require.NoError(t, err)
	assert.Equal(t, `1554113700`, string(out), "whole seconds, independent of zone")
}

// ---------------------------------------------------------------- Metadata

func TestMetadataUnmarshal(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want flex.Metadata
		json string
	}{
		{"object", `{"order_id":"123","b":"x"}`, flex.Metadata{"order_id": "123", "b": "x"}, `{"b":"x","order_id":"123"}`},
		{"object with number value", `{"order_id":123}`, flex.Metadata{"order_id": "123"}, `{"order_id":"123"}`},
		{"object with null value", `{"a":null}`, flex.Metadata{"a": ""}, `{"a":""}`},
		{"empty object", `{}`, flex.Metadata{}, `{}`},
		{"list of pairs", `[{"key":"order_id","value":"123"},{"key":"b","value":"x"}]`, flex.Metadata{"order_id": "123", "b": "x"}, `{"b":"x","order_id":"123"}`},
		{"list of pairs with numbers", `[{"key":1,"value":2}]`, flex.Metadata{"1": "2"}, `{"1":"2"}`},
		{"list of pairs, later wins", `[{"key":"a","value":"1"},{"key":"a","value":"2"}]`, flex.Metadata{"a": "2"}, `{"a":"2"}`},
		{"empty list", `[]`, flex.Metadata{}, `{}`},
		{"null", `null`, nil, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := flex.Metadata{"previous": "value"}
			require.NoError(t, json.Unmarshal([]byte(tt.in), &m))
			assert.Equal(t, tt.want, m, "replaces, does not merge")

			out, err := json.Marshal(m)
			require.NoError(t, err)
			assert.Equal(t, tt.json, string(out), "encodes as an object")
		})
	}
}

func TestMetadataUnmarshalRejects(t *testing.T) {
	for _, in := range []string{
		`"a"`, `1`, `true`, `[1]`, `["a"]`, `[[]]`, `{"a":{}}`, `{"a":[]}`, `[{"key":{}}]`, `[{"key":"a","value":[1]}]`,
	} {
		t.Run(in, func(t *testing.T) {
			m := flex.Metadata{"previous": "value"}
			require.Error(t, json.Unmarshal([]byte(in), &m))
			assert.Equal(t, flex.Metadata{"previous": "value"}, m)
		})
	}
}

// ---------------------------------------------------------------- MetadataList

func TestMetadataListUnmarshal(t *testing.T) {
	kv := func(k, v string) flex.KeyValue { return flex.KeyValue{Key: flex.String(k), Value: flex.String(v)} }
	tests := []struct {
		name string
		in   string
		want flex.MetadataList
		json string
	}{
		{"list of pairs", `[{"key":"external_id","value":"2015486"}]`, flex.MetadataList{kv("external_id", "2015486")}, `[{"key":"external_id","value":"2015486"}]`},
		{"order and repeats kept", `[{"key":"b","value":"1"},{"key":"a","value":"2"},{"key":"b","value":"3"}]`,
			flex.MetadataList{kv("b", "1"), kv("a", "2"), kv("b", "3")}, `[{"key":"b","value":"1"},{"key":"a","value":"2"},{"key":"b","value":"3"}]`},
		{"numbers and null", `[{"key":1,"value":2},{"key":"n","value":null}]`, flex.MetadataList{kv("1", "2"), kv("n", "")}, `[{"key":"1","value":"2"},{"key":"n","value":""}]`},
		{"empty list", `[]`, flex.MetadataList{}, `[]`},
		{"object, in key order", `{"b":"x","a":1}`, flex.MetadataList{kv("a", "1"), kv("b", "x")}, `[{"key":"a","value":"1"},{"key":"b","value":"x"}]`},
		{"empty object", `{}`, flex.MetadataList{}, `[]`},
		{"null", `null`, nil, `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := flex.MetadataList{kv("previous", "value")}
			require.NoError(t, json.Unmarshal([]byte(tt.in), &l))
			assert.Equal(t, tt.want, l, "replaces, does not merge")

			out, err := json.Marshal(l)
			require.NoError(t, err)
			assert.Equal(t, tt.json, string(out), "encodes as a list")
		})
	}
}

func TestMetadataListUnmarshalRejects(t *testing.T) {
	for _, in := range []string{`"a"`, `1`, `true`, `[1]`, `["a"]`, `[[]]`, `{"a":{}}`, `[{"key":{}}]`, `[{"key":"a","value":[1]}]`} {
		t.Run(in, func(t *testing.T) {
			l := flex.MetadataList{{Key: "previous"}}
			require.Error(t, json.Unmarshal([]byte(in), &l))
			assert.Equal(t, flex.MetadataList{{Key: "previous"}}, l)
		})
	}
}

func TestMetadataListGetAndMap(t *testing.T) {
	var l flex.MetadataList
	require.NoError(t, json.Unmarshal([]byte(`[{"key":"a","value":"1"},{"key":"b","value":"2"},{"key":"a","value":"3"}]`), &l))
	v, ok := l.Get("a")
	assert.True(t, ok)
	assert.Equal(t, "3", v, "the last pair wins")
	_, ok = l.Get("c")
	assert.False(t, ok)
	assert.Equal(t, flex.Metadata{"a": "3", "b": "2"}, l.Map())
	assert.Equal(t, flex.Metadata{}, flex.MetadataList(nil).Map())
}

// ---------------------------------------------------------------- Object

type address struct {
	Street string   `json:"street,omitempty"`
	Number flex.Int `json:"number,omitzero"`
}

func TestObjectUnmarshal(t *testing.T) {
	tests := []struct {
		in   string
		want address
		json string
	}{
		{`{"street":"Plein","number":"215"}`, address{Street: "Plein", Number: 215}, `{"street":"Plein","number":215}`},
		{`{}`, address{}, `{}`},
		{`[]`, address{}, `{}`},
		{` [ ] `, address{}, `{}`},
		{`null`, address{}, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			o := flex.Object[address]{Value: address{Street: "previous"}}
			require.NoError(t, json.Unmarshal([]byte(tt.in), &o))
			assert.Equal(t, tt.want, o.Value, "replaces, does not merge")
			assert.Equal(t, tt.want == address{}, o.IsZero())
			out, err := json.Marshal(o)
			require.NoError(t, err)
			assert.Equal(t, tt.json, string(out))
		})
	}
}

func TestObjectUnmarshalRejects(t *testing.T) {
	for _, in := range []string{`[{}]`, `[1]`, `"a"`, `1`, `true`, `{"number":"x"}`} {
		t.Run(in, func(t *testing.T) {
			o := flex.Object[address]{Value: address{Street: "previous"}}
			require.Error(t, json.Unmarshal([]byte(in), &o))
			assert.Equal(t, "previous", o.Value.Street)
		})
	}
}

func TestObjectOmitzero(t *testing.T) {
	type parent struct {
		Order flex.Object[address] `json:"order,omitzero"`
	}
	var p parent
	require.NoError(t, json.Unmarshal([]byte(`{"order":[]}`), &p))
	out, err := json.Marshal(p)
	require.NoError(t, err)
	assert.Equal(t, `{}`, string(out), "an empty object is left out")
	p.Order.Value.Street = "Plein"
	out, err = json.Marshal(p)
	require.NoError(t, err)
	assert.Equal(t, `{"order":{"street":"Plein"}}`, string(out))
}

// ---------------------------------------------------------------- ObjectOrList

func TestObjectOrListUnmarshal(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		empty bool
	}{
		{"empty object", `{}`, true},
		{"empty list", `[]`, true},
		{"object", `{"iban":"NL91ABNA0417164300","n":1}`, false},
		{"object with spacing", `{ "b" : 2 ,  "a" : 1 }`, false},
		{"list", `[1,2]`, false},
		{"list of null", `[null]`, false},
		{"nested", `{"a":{"b":[]}}`, false},
		{"html characters", `{"a":"<&>"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o flex.ObjectOrList
			require.NoError(t, json.Unmarshal([]byte(tt.in), &o))
			assert.Equal(t, tt.in, string(o), "keeps the bytes as sent")
			assert.Equal(t, tt.empty, o.IsEmpty())

			raw, err := o.MarshalJSON()
			require.NoError(t, err)
			assert.Equal(t, tt.in, string(raw), "MarshalJSON writes the kept bytes unchanged")

			// json.Marshal compacts (and HTML-escapes) a Marshaler's output.
			out, err := json.Marshal(o)
			require.NoError(t, err)
			var want bytes.Buffer
			require.NoError(t, json.Compact(&want, []byte(tt.in)))
			assert.JSONEq(t, tt.in, string(out))
			if !bytes.ContainsAny([]byte(tt.in), "<&>") {
				assert.Equal(t, want.String(), string(out))
			}
		})
	}
}

func TestObjectOrListNull(t *testing.T) {
	o := flex.ObjectOrList(`{"a":1}`)
	require.NoError(t, json.Unmarshal([]byte(`null`), &o))
	assert.Nil(t, o)
	assert.True(t, o.IsEmpty())
	out, err := json.Marshal(o)
	require.NoError(t, err)
	assert.Equal(t, `null`, string(out))
}

func TestObjectOrListUnmarshalRejects(t *testing.T) {
	for _, in := range []string{`"a"`, `""`, `1`, `true`, `false`, `"{}"`} {
		t.Run(in, func(t *testing.T) {
			o := flex.ObjectOrList(`{"a":1}`)
			require.Error(t, json.Unmarshal([]byte(in), &o))
			assert.Equal(t, `{"a":1}`, string(o))
		})
	}
	for _, in := range []string{``, `{`, `[1,`, `{"a"}`, `nul`} {
		t.Run("direct "+in, func(t *testing.T) {
			var o flex.ObjectOrList
			assert.Error(t, o.UnmarshalJSON([]byte(in)))
		})
	}
}

func TestObjectOrListDoesNotAliasInput(t *testing.T) {
	in := []byte(`{"a":1}`)
	var o flex.ObjectOrList
	require.NoError(t, o.UnmarshalJSON(in))
	in[2] = 'X'
	assert.Equal(t, `{"a":1}`, string(o))
}

func TestObjectOrListIsEmpty(t *testing.T) {
	tests := []struct {
		in   flex.ObjectOrList
		want bool
	}{
		{nil, true},
		{flex.ObjectOrList{}, true},
		{flex.ObjectOrList(`{}`), true},
		{flex.ObjectOrList(`[]`), true},
		{flex.ObjectOrList(` { } `), true},
		{flex.ObjectOrList(`[ ]`), true},
		{flex.ObjectOrList(`null`), true},
		{flex.ObjectOrList(`{"a":1}`), false},
		{flex.ObjectOrList(`{"a":null}`), false},
		{flex.ObjectOrList(`[0]`), false},
		{flex.ObjectOrList(`[{}]`), false},
	}
	for _, tt := range tests {
		t.Run(string(tt.in), func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.IsEmpty())
		})
	}
}

func TestObjectOrListDecode(t *testing.T) {
	type account struct {
		IBAN string `json:"iban"`
		Name string `json:"name"`
	}

	var a account
	require.NoError(t, flex.ObjectOrList(`{"iban":"NL91ABNA0417164300","name":"X"}`).Decode(&a))
	assert.Equal(t, account{IBAN: "NL91ABNA0417164300", Name: "X"}, a)

	for _, empty := range []flex.ObjectOrList{nil, flex.ObjectOrList(`[]`), flex.ObjectOrList(`{}`), flex.ObjectOrList(`null`)} {
		a := account{IBAN: "keep"}
		require.NoError(t, empty.Decode(&a), string(empty))
		assert.Equal(t, account{IBAN: "keep"}, a, "an empty value decodes as nothing")
	}

	var list []int
	require.NoError(t, flex.ObjectOrList(`[1,2]`).Decode(&list))
	assert.Equal(t, []int{1, 2}, list)

	assert.Error(t, flex.ObjectOrList(`[1,2]`).Decode(&a), "a non-empty list is not an object")
	assert.Error(t, flex.ObjectOrList(`{"iban":1}`).Decode(&a))
}

// ---------------------------------------------------------------- in generated structs

// customer mirrors how generated client code uses the types: pointer fields
// with omitempty, plain fields with omitempty, omitzero, nested.
type customer struct {
	HouseNumber *flex.String       `json:"house_number,omitempty"`
	Phone       *flex.String       `json:"phone,omitempty"`
	Quantity    *flex.Int          `json:"quantity,omitempty"`
	Test        *flex.Bool         `json:"test,omitempty"`
	Created     *flex.UnixTime     `json:"created,omitempty"`
	Metadata    *flex.Metadata     `json:"metadata,omitempty"`
	Details     *flex.ObjectOrList `json:"details,omitempty"`

	Name    flex.String       `json:"name,omitempty"`
	Count   flex.Int          `json:"count,omitempty"`
	Active  flex.Bool         `json:"active,omitempty"`
	Updated flex.UnixTime     `json:"updated,omitempty"` // a struct: omitempty never omits it
	Expires flex.UnixTime     `json:"expires,omitzero"`
	Extra   flex.Metadata     `json:"extra,omitempty"`
	Links   flex.ObjectOrList `json:"links,omitempty"`
	Tags    []flex.String     `json:"tags,omitempty"`
}

func TestInStruct(t *testing.T) {
	in := `{
		"house_number": 22,
		"phone": 612345678,
		"quantity": "3",
		"test": "false",
		"created": "1554113700",
		"metadata": [{"key":"order","value":29000}],
		"details": { "iban" : "NL91ABNA0417164300" },
		"name": "XI",
		"count": 2,
		"active": 1,
		"updated": 1554113700,
		"expires": "1554113700",
		"extra": {"a":"b"},
		"links": [],
		"tags": ["a", 1, true]
	}`
	var c customer
	require.NoError(t, json.Unmarshal([]byte(in), &c))

	require.NotNil(t, c.HouseNumber)
	assert.Equal(t, flex.String("22"), *c.HouseNumber)
	require.NotNil(t, c.Phone)
	assert.Equal(t, flex.String("612345678"), *c.Phone)
	require.NotNil(t, c.Quantity)
	assert.Equal(t, flex.Int(3), *c.Quantity)
	require.NotNil(t, c.Test)
	assert.Equal(t, flex.Bool(false), *c.Test)
	require.NotNil(t, c.Created)
	assert.Equal(t, int64(1554113700), c.Created.Unix())
	require.NotNil(t, c.Metadata)
	assert.Equal(t, flex.Metadata{"order": "29000"}, *c.Metadata)
	require.NotNil(t, c.Details)
	assert.Equal(t, `{ "iban" : "NL91ABNA0417164300" }`, string(*c.Details))
	assert.Equal(t, flex.String("XI"), c.Name)
	assert.Equal(t, flex.Int(2), c.Count)
	assert.Equal(t, flex.Bool(true), c.Active)
	assert.Equal(t, int64(1554113700), c.Updated.Unix())
	assert.Equal(t, int64(1554113700), c.Expires.Unix())
	assert.Equal(t, flex.Metadata{"a": "b"}, c.Extra)
	assert.True(t, c.Links.IsEmpty())
	assert.Equal(t, []flex.String{"a", "1", "true"}, c.Tags)

	out, err := json.Marshal(c)
	require.NoError(t, err)
	assert.Equal(t, `{"house_number":"22","phone":"612345678","quantity":3,"test":false,`+
		`"created":1554113700,"metadata":{"order":"29000"},"details":{"iban":"NL91ABNA0417164300"},`+
		`"name":"XI","count":2,"active":true,"updated":1554113700,"expires":1554113700,`+
		`"extra":{"a":"b"},"links":[],"tags":["a","1","true"]}`, string(out))

	var again customer
	require.NoError(t, json.Unmarshal(out, &again))
	out2, err := json.Marshal(again)
	require.NoError(t, err)
	assert.Equal(t, string(out), string(out2))
}

func TestInStructMissingAndNull(t *testing.T) {
	for _, in := range []string{
		`{}`,
		`{"house_number":null,"phone":null,"quantity":null,"test":null,"created":null,"metadata":null,"details":null,` +
			`"name":null,"count":null,"active":null,"updated":null,"expires":null,"extra":null,"links":null,"tags":null}`,
	} {
		t.Run(in, func(t *testing.T) {
			var c customer
			require.NoError(t, json.Unmarshal([]byte(in), &c))
			assert.Nil(t, c.HouseNumber)
			assert.Nil(t, c.Phone)
			assert.Nil(t, c.Quantity)
			assert.Nil(t, c.Test)
			assert.Nil(t, c.Created)
			assert.Nil(t, c.Metadata)
			assert.Nil(t, c.Details)
			assert.True(t, c.Updated.IsZero())
			assert.True(t, c.Links.IsEmpty())

			out, err := json.Marshal(c)
			require.NoError(t, err)
			// omitempty leaves out nil pointers and empty strings, zero
			// numbers, false, nil/empty maps and slices, but never a struct:
			// a zero UnixTime needs omitzero to be left out.
			assert.Equal(t, `{"updated":null}`, string(out))
		})
	}
}

func TestInStructEmptyFormsOmitted(t *testing.T) {
	var c customer
	require.NoError(t, json.Unmarshal([]byte(`{"extra":[],"links":{},"name":"","count":"0","active":"0","expires":""}`), &c))
	out, err := json.Marshal(c)
	require.NoError(t, err)
	// "links":{} has length 2, so omitempty keeps it.
	assert.Equal(t, `{"updated":null,"links":{}}`, string(out))
}

func TestInStructRejects(t *testing.T) {
	for _, in := range []string{
		`{"house_number":{}}`,
		`{"name":["XI"]}`,
		`{"quantity":"3.5"}`,
		`{"test":"maybe"}`,
		`{"created":"yesterday"}`,
		`{"metadata":"a=b"}`,
		`{"details":"none"}`,
		`{"links":1}`,
		`{"tags":[{}]}`,
	} {
		var c customer
		assert.Error(t, json.Unmarshal([]byte(in), &c), in)
	}
}

// ---------------------------------------------------------------- fuzzing

var scalarSeeds = []string{
	`"XI"`, `22`, `612345678`, `29000`, `null`, `{}`, `[]`, `"1"`, `1`, `"false"`, `false`,
	`true`, `"0"`, `0`, `"yes"`, `1554113700`, `"1554113700"`, `-1.5e3`, `""`, `" 7 "`,
	`"\u00e9\ud800"`, "\"\xff\"", `9223372036854775808`, `-62135596800`, `"+1"`,
}

func FuzzString(f *testing.F) {
	for _, s := range scalarSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := jsontest.RoundTrip[flex.String](t, data)
		if a != nil {
			require.Equal(t, *a, *b)
			trimmed := bytes.TrimSpace(data)
			if len(trimmed) > 0 && trimmed[0] != '"' && string(trimmed) != "null" {
				require.Equal(t, string(trimmed), string(*a), "a number keeps its exact digits")
			}
		}
	})
}

func FuzzInt(f *testing.F) {
	for _, s := range scalarSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := jsontest.RoundTrip[flex.Int](t, data)
		if a != nil {
			require.Equal(t, *a, *b)
		}
	})
}

func FuzzBool(f *testing.F) {
	for _, s := range scalarSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := jsontest.RoundTrip[flex.Bool](t, data)
		if a != nil {
			require.Equal(t, *a, *b)
		}
	})
}

func FuzzUnixTime(f *testing.F) {
	for _, s := range scalarSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := jsontest.RoundTrip[flex.UnixTime](t, data)
		if a != nil {
			require.Equal(t, a.IsZero(), b.IsZero())
			if !a.IsZero() {
				require.Equal(t, a.Unix(), b.Unix())
			}
		}
	})
}

func FuzzMetadata(f *testing.F) {
	for _, s := range []string{
		`{"a":"b"}`, `{"a":1,"b":null}`, `[{"key":"a","value":"b"}]`, `[{"key":1,"value":true}]`,
		`[]`, `{}`, `null`, `"a"`, `[1]`, `[null]`, `{"a":{}}`, `{"a":"\ud800","a":"x"}`, "[{\"key\":\"\xff\"}]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := jsontest.RoundTrip[flex.Metadata](t, data)
		if a != nil {
			require.Equal(t, len(*a), len(*b))
			if len(*a) > 0 {
				require.Equal(t, *a, *b)
			}
		}
	})
}

func FuzzMetadataList(f *testing.F) {
	for _, s := range []string{
		`[{"key":"a","value":"b"}]`, `[{"key":1,"value":true}]`, `[{"key":"a"},{"key":"a","value":null}]`,
		`[]`, `{}`, `{"a":"b","c":1}`, `null`, `"a"`, `[1]`, `[null]`, `{"a":{}}`, "[{\"key\":\"\xff\"}]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := jsontest.RoundTrip[flex.MetadataList](t, data)
		if a != nil {
			require.Equal(t, len(*a), len(*b), "no pair is lost")
			if len(*a) > 0 {
				require.Equal(t, *a, *b)
			}
		}
	})
}

func FuzzObject(f *testing.F) {
	for _, s := range []string{`{"street":"x","number":1}`, `{}`, `[]`, `[ ]`, `null`, `[{}]`, `"a"`, `{"number":"2"}`, `{"street":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := jsontest.RoundTrip[flex.Object[address]](t, data)
		if a != nil {
			require.Equal(t, *a, *b)
		}
	})
}

func FuzzObjectOrList(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":1}`, `{ "a" : [ 1 , 2 ] }`, `[null]`, `null`, `"a"`, `1`, `{"a":"<&>\u2028"}`,
		"{\"a\":\"\xff\"}", `[{}]`, `{"a":1,"a":2}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, _ := jsontest.RoundTrip[flex.ObjectOrList](t, data)
		if a == nil {
			return
		}
		trimmed := bytes.TrimSpace(data)
		if string(trimmed) != "null" {
			raw, err := a.MarshalJSON()
			require.NoError(t, err)
			require.Equal(t, string(trimmed), string(raw), "kept byte-exact")
		}
		var v any
		_ = a.IsEmpty()
		_ = a.Decode(&v)
	})
}
