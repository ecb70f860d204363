package specs_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// Nothing the provider sends is lost: every response fixture decodes into
// its generated type and encodes back with every key that carried a value.
// A key a model does not know would silently disappear here.
func TestNoSilentDrop(t *testing.T) {
	require.NotEmpty(t, specs.Providers())
	for _, p := range specs.Providers() {
		list, err := fixtures.Load(p)
		require.NoError(t, err)
		checked := 0
		for _, f := range list {
			body, typed := typedBody(t, p, f)
			if typed == nil {
				// Only a fixture without a JSON body has nothing to lose.
				require.False(t, f.Schema != "" || f.Response != nil && len(bytes.TrimSpace(f.Response.BodyBytes())) > 0,
					"%s/%s has a body but no generated type decodes it", p, f.Name)
				continue
			}
			checked++
			t.Run(p+"/"+f.Name, func(t *testing.T) {
				again, err := json.Marshal(typed)
				require.NoError(t, err)
				var before, after any
				require.NoError(t, json.Unmarshal(body, &before))
				require.NoError(t, json.Unmarshal(again, &after))
				for _, path := range dropped("", before, after) {
					t.Errorf("%s is lost when decoded into %T", path, typed)
				}
			})
		}
		require.NotZero(t, checked, "%s: no fixture was round-tripped", p)
	}
}

// typedBody decodes a fixture's response (or schema payload) into its
// generated type and returns the raw body and the typed value (nil when
// the fixture has no JSON body to decode).
func typedBody(t *testing.T, provider string, f fixtures.Fixture) ([]byte, any) {
	t.Helper()
	if f.Schema != "" {
		body := f.Request.BodyBytes()
		newValue, ok := registry[provider].values[f.Schema]
		if !ok {
			return nil, nil
		}
		v := newValue()
		require.NoError(t, json.Unmarshal(body, v))
		return body, v
	}
	if f.Response == nil || len(bytes.TrimSpace(f.Response.BodyBytes())) == 0 {
		return nil, nil
	}
	body := f.Response.BodyBytes()
	header := f.Response.Header()
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/json")
	}
	parsed, err := registry[provider].responses[f.OperationID](&http.Response{StatusCode: f.Response.Status, Header: header, Body: io.NopCloser(bytes.NewReader(body))})
	require.NoError(t, err)
	value := reflect.ValueOf(parsed).Elem()
	field := value.FieldByName("JSON" + strconv.Itoa(f.Response.Status))
	if !field.IsValid() {
		field = value.FieldByName("JSONDefault")
	}
	if !field.IsValid() || field.IsNil() {
		return nil, nil
	}
	return body, field.Interface()
}

// dropped lists the paths of keys that carried a value in before and are
// missing from after. A zero value (0, "", false, null, {} or []) left out
// by omitzero is not lost: decoding gives it back.
func dropped(path string, before, after any) []string {
	var out []string
	switch b := before.(type) {
	case map[string]any:
		a, _ := after.(map[string]any)
		keys := make([]string, 0, len(b))
		for k := range b {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, ok := a[k]
			if !ok {
				if carries(b[k]) {
					out = append(out, path+"."+k)
				}
				continue
			}
			out = append(out, dropped(path+"."+k, b[k], v)...)
		}
	case []any:
		a, _ := after.([]any)
		for i, v := range b {
			if i >= len(a) {
				if carries(v) {
					out = append(out, path+"["+strconv.Itoa(i)+"]")
				}
				continue
			}
			out = append(out, dropped(path+"["+strconv.Itoa(i)+"]", v, a[i])...)
		}
	}
	return out
}

// carries reports whether a JSON value says more than its type's zero.
func carries(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case float64:
		return v != 0
	case string:
		return v != "" && v != "0"
	case map[string]any:
		for _, x := range v {
			if carries(x) {
				return true
			}
		}
		return false
	case []any:
		for _, x := range v {
			if carries(x) {
				return true
			}
		}
		return false
	}
	return true
}
