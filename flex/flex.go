// Package flex holds tolerant JSON types for fields that providers send in
// more than one form: a string or a number, a boolean or its text, an object
// or an empty array, metadata as an object or a list of pairs, unix seconds
// as a number or a string. Each decodes every form seen on the wire and
// encodes one canonical form.
package flex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

var jsonNull = []byte("null")

// String is text that may arrive as a JSON string or a JSON number
// (house_number "XI" and 22, phone1 0612345678). A number keeps its exact
// digits. It encodes as a JSON string.
type String string

// UnmarshalJSON accepts a string, a number or a boolean; null leaves it empty.
func (s *String) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, jsonNull):
		*s = ""
		return nil
	case len(data) > 0 && data[0] == '"':
		var text string
		if err := json.Unmarshal(data, &text); err != nil {
			return fmt.Errorf("flex.String: %w", err)
		}
		*s = String(text)
		return nil
	case json.Valid(data) && (isNumberStart(data[0]) || bytes.Equal(data, []byte("true")) || bytes.Equal(data, []byte("false"))):
		*s = String(data)
		return nil
	}
	return fmt.Errorf("flex.String: want a string or a number, got %s", describe(data))
}

// MarshalJSON writes a JSON string.
func (s String) MarshalJSON() ([]byte, error) { return json.Marshal(string(s)) }

// String returns the text.
func (s String) String() string { return string(s) }

// Int is a whole number that may arrive as 1 or "1".
type Int int64

// UnmarshalJSON accepts 1 and "1"; null leaves zero.
func (n *Int) UnmarshalJSON(data []byte) error {
	text, err := scalarText(data, "flex.Int")
	if err != nil || text == "" {
		return err
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return fmt.Errorf("flex.Int: %q is not a whole number", clip(text))
	}
	*n = Int(v)
	return nil
}

// MarshalJSON writes a JSON integer.
func (n Int) MarshalJSON() ([]byte, error) { return strconv.AppendInt(nil, int64(n), 10), nil }

// Bool is a boolean that may arrive as true, "true", "false", 1 or "0".
type Bool bool

// UnmarshalJSON accepts booleans, their text and 0/1; null leaves false.
func (b *Bool) UnmarshalJSON(data []byte) error {
	text, err := scalarText(data, "flex.Bool")
	if err != nil || text == "" {
		return err
	}
	switch strings.ToLower(text) {
	case "true", "1", "yes":
		*b = true
	case "false", "0", "no":
		*b = false
	default:
		return fmt.Errorf("flex.Bool: %q is not a boolean", clip(text))
	}
	return nil
}

// MarshalJSON writes a JSON boolean.
func (b Bool) MarshalJSON() ([]byte, error) { return strconv.AppendBool(nil, bool(b)), nil }

// UnixTime is a moment sent as unix seconds, as a number or a numeric string.
// The zero value (and null on the wire) means "not set".
type UnixTime struct{ time.Time }

// UnmarshalJSON accepts 1554113700, "1554113700" and null.
func (t *UnixTime) UnmarshalJSON(data []byte) error {
	text, err := scalarText(data, "flex.UnixTime")
	if err != nil {
		return err
	}
	if text == "" {
		t.Time = time.Time{}
		return nil
	}
	secs, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return fmt.Errorf("flex.UnixTime: %q is not unix seconds", clip(text))
	}
	t.Time = time.Unix(secs, 0).UTC()
	return nil
}

// MarshalJSON writes unix seconds, or null when unset.
func (t UnixTime) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return jsonNull, nil
	}
	return strconv.AppendInt(nil, t.Unix(), 10), nil
}

// Metadata is a string map that providers accept as an object but return as
// an object, a list of {"key","value"} pairs, or an empty list. It encodes as
// an object; MetadataList keeps the list form instead.
type Metadata map[string]string

// UnmarshalJSON accepts {"k":"v"}, [{"key":"k","value":"v"}], [] and null.
func (m *Metadata) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	out := Metadata{}
	switch {
	case bytes.Equal(data, jsonNull):
		*m = nil
		return nil
	case len(data) > 0 && data[0] == '{':
		var raw map[string]String
		if err := json.Unmarshal(data, &raw); err != nil {
			return fmt.Errorf("flex.Metadata: %w", err)
		}
		for k, v := range raw {
			out[k] = string(v)
		}
	case len(data) > 0 && data[0] == '[':
		var pairs []KeyValue
		if err := json.Unmarshal(data, &pairs); err != nil {
			return fmt.Errorf("flex.Metadata: %w", err)
		}
		for _, p := range pairs {
			out[string(p.Key)] = string(p.Value)
		}
	default:
		return fmt.Errorf("flex.Metadata: want an object or a list, got %s", describe(data))
	}
	*m = out
	return nil
}

// MarshalJSON writes an object (an empty one for an empty map).
func (m Metadata) MarshalJSON() ([]byte, error) {
	if m == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(map[string]string(m))
}

// MetadataList is metadata kept in the form OPP returns it: a list of
// {"key","value"} pairs, [] when there are none. It also accepts the object
// form ({"k":"v"}, taken in key order) and null, and encodes the list, so a
// list keeps its order, its repeated keys and every value through a round
// trip. Get and Map read it like a Metadata.
type MetadataList []KeyValue

// KeyValue is one pair of a MetadataList; a number or boolean key or value
// keeps its text, null reads as "".
type KeyValue struct {
	Key   String `json:"key"`
	Value String `json:"value"`
}

// UnmarshalJSON accepts [{"key":"k","value":"v"}], [], {"k":"v"} and null.
func (l *MetadataList) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '{' {
		var m Metadata
		if err := m.UnmarshalJSON(data); err != nil {
			return fmt.Errorf("flex.MetadataList: %w", err)
		}
		out := make(MetadataList, 0, len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, KeyValue{Key: String(k), Value: String(m[k])})
		}
		*l = out
		return nil
	}
	if bytes.Equal(data, jsonNull) {
		*l = nil
		return nil
	}
	if len(data) == 0 || data[0] != '[' {
		return fmt.Errorf("flex.MetadataList: want a list or an object, got %s", describe(data))
	}
	var out []KeyValue
	if err := json.Unmarshal(data, &out); err != nil {
		return fmt.Errorf("flex.MetadataList: %w", err)
	}
	*l = out
	return nil
}

// MarshalJSON writes the list ([] when empty).
func (l MetadataList) MarshalJSON() ([]byte, error) {
	if l == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]KeyValue(l))
}

// Get returns the value of key (the last pair with it) and whether any has it.
func (l MetadataList) Get(key string) (string, bool) {
	for i := len(l) - 1; i >= 0; i-- {
		if string(l[i].Key) == key {
			return string(l[i].Value), true
		}
	}
	return "", false
}

// Map returns the pairs as a Metadata; a later pair wins over an earlier one.
func (l MetadataList) Map() Metadata {
	m := make(Metadata, len(l))
	for _, kv := range l {
		m[string(kv.Key)] = string(kv.Value)
	}
	return m
}

// Object is a T that a PHP-backed API renders as [] (PHP's empty array)
// when there is nothing in it. [] and null decode as the zero T, an object
// decodes into T, anything else is refused. It encodes as T.
type Object[T any] struct{ Value T }

// UnmarshalJSON accepts an object that decodes into T, [] and null.
func (o *Object[T]) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	var v T
	switch {
	case bytes.Equal(data, jsonNull), bytes.Equal(bytes.Join(bytes.Fields(data), nil), []byte("[]")):
	case len(data) > 0 && data[0] == '{':
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("flex.Object: %w", err)
		}
	default:
		return fmt.Errorf("flex.Object: want an object or [], got %s", describe(data))
	}
	o.Value = v
	return nil
}

// MarshalJSON writes the T.
func (o Object[T]) MarshalJSON() ([]byte, error) { return json.Marshal(o.Value) }

// IsZero reports whether the T is its zero value, so omitzero leaves it out.
func (o Object[T]) IsZero() bool { return reflect.ValueOf(&o.Value).Elem().IsZero() }

// ObjectOrList is raw JSON that must be an object or an array (providers
// send `[]` where they mean "no object"). It keeps the bytes as sent.
type ObjectOrList json.RawMessage

// UnmarshalJSON keeps an object, an array or null.
func (o *ObjectOrList) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, jsonNull) {
		*o = nil
		return nil
	}
	if len(data) == 0 || (data[0] != '{' && data[0] != '[') || !json.Valid(data) {
		return fmt.Errorf("flex.ObjectOrList: want an object or a list, got %s", describe(data))
	}
	*o = append((*o)[:0], data...)
	return nil
}

// MarshalJSON writes the kept bytes, or null when empty.
func (o ObjectOrList) MarshalJSON() ([]byte, error) {
	if len(o) == 0 {
		return jsonNull, nil
	}
	return o, nil
}

// IsEmpty reports whether the value is null, {} or [].
func (o ObjectOrList) IsEmpty() bool {
	var v any
	if len(o) == 0 || json.Unmarshal(o, &v) != nil {
		return true
	}
	switch v := v.(type) {
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return v == nil
}

// Decode unmarshals the object into dst; an empty list decodes as nothing.
func (o ObjectOrList) Decode(dst any) error {
	if o.IsEmpty() {
		return nil
	}
	return json.Unmarshal(o, dst)
}

// scalarText returns the text of a string or number token, "" for null.
func scalarText(data []byte, typ string) (string, error) {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, jsonNull):
		return "", nil
	case len(data) > 0 && data[0] == '"':
		var text string
		if err := json.Unmarshal(data, &text); err != nil {
			return "", fmt.Errorf("%s: %w", typ, err)
		}
		return strings.TrimSpace(text), nil
	case json.Valid(data) && (isNumberStart(data[0]) || data[0] == 't' || data[0] == 'f'):
		return string(data), nil
	}
	return "", fmt.Errorf("%s: want a string or a number, got %s", typ, describe(data))
}

func isNumberStart(c byte) bool { return c == '-' || (c >= '0' && c <= '9') }

func describe(data []byte) string {
	if len(data) == 0 {
		return "nothing"
	}
	switch data[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	}
	return strconv.Quote(clip(string(data)))
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
