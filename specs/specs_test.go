package specs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// decoders maps a provider's operationIds to the generated ParseXxxResponse
// function and its component schemas to a decode into the generated type,
// so every fixture is also proven to fit the Go types.
type decoders struct {
	responses map[string]func(*http.Response) (any, error)
	schemas   map[string]func([]byte) error
	// values makes a new value of a schema's generated type, for the
	// round trip of TestNoSilentDrop (nil: schemas are not round-tripped).
	values map[string]func() any
}

var registry = map[string]decoders{}

func register(provider string, d decoders) { registry[provider] = d }

// decodeInto decodes a payload into a generated type.
func decodeInto[T any](body []byte) error {
	var v T
	return json.Unmarshal(body, &v)
}

func TestEverySpecLoadsAndValidates(t *testing.T) {
	require.NotEmpty(t, specs.Providers())
	for _, p := range specs.Providers() {
		t.Run(p, func(t *testing.T) {
			doc, err := specs.Load(p)
			require.NoError(t, err)
			require.NoError(t, doc.Validate(context.Background()))
			assert.Equal(t, "3.0.3", doc.OpenAPI)
			for path, item := range doc.Paths.Map() {
				for method, op := range item.Operations() {
					assert.NotEmpty(t, op.OperationID, "%s %s has no operationId", method, path)
					assert.NotEmpty(t, op.Summary, "%s %s has no summary", method, path)
				}
			}
		})
	}
}

func TestEveryProviderHasFixtures(t *testing.T) {
	have := map[string]bool{}
	for _, p := range fixtures.Providers() {
		have[p] = true
	}
	for _, p := range specs.Providers() {
		assert.True(t, have[p], "spec %s has no fixtures", p)
		_, ok := registry[p]
		assert.True(t, ok, "spec %s has no decoders registered", p)
	}
}

func TestFixturesValidate(t *testing.T) {
	for _, p := range specs.Providers() {
		v, err := specs.NewValidator(p)
		require.NoError(t, err)
		list, err := fixtures.Load(p)
		require.NoError(t, err)
		require.NotEmpty(t, list, p)
		for _, f := range list {
			t.Run(f.Name, func(t *testing.T) {
				require.NotEmpty(t, f.Source, "fixture needs a source")
				require.Empty(t, f.Reject, "a positive fixture must not say what to reject")
				require.NoError(t, check(t, p, v, f))
			})
		}
	}
}

func TestInvalidFixturesAreRejected(t *testing.T) {
	for _, p := range specs.Providers() {
		v, err := specs.NewValidator(p)
		require.NoError(t, err)
		list, err := fixtures.LoadInvalid(p)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, len(list), 3, "%s needs at least three negative fixtures", p)
		for _, f := range list {
			t.Run(f.Name, func(t *testing.T) {
				require.NotEmpty(t, f.Reject, "a negative fixture must say what the error names")
				err := check(t, p, v, f)
				require.Error(t, err, "the spec accepted an invalid exchange")
				// The error must name the field, not merely mention the word
				// somewhere in kin-openapi's schema dump.
				assert.True(t, namesField(specs.Problems(err), f.Reject), "error does not name %q: %s", f.Reject, specs.Describe(err))
			})
		}
	}
}

// check validates one fixture and returns the first validation error.
func check(t *testing.T, provider string, v *specs.Validator, f fixtures.Fixture) error {
	t.Helper()
	if f.Schema != "" {
		require.NotNil(t, f.Request, "a schema fixture carries its payload as the request")
		body := f.Request.BodyBytes()
		if err := v.ValidateSchema(f.Schema, body); err != nil {
			return err
		}
		decode, ok := registry[provider].schemas[f.Schema]
		require.True(t, ok, "no decoder for schema %s", f.Schema)
		require.NoError(t, decode(body), "payload does not decode into the generated type")
		return nil
	}

	require.NotEmpty(t, f.OperationID)
	require.NotNil(t, f.Request, "an operation fixture needs at least the request line")
	route, err := v.RouteByOperationID(f.OperationID)
	require.NoError(t, err)

	req := httptest.NewRequest(f.Request.Method, f.Request.Path, bytes.NewReader(f.Request.BodyBytes()))
	req.Header = f.Request.Header()
	if len(f.Request.BodyBytes()) > 0 && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	matched, params, err := v.Route(req.Method, req.URL.EscapedPath())
	require.NoError(t, err)
	require.Equal(t, route.Operation.OperationID, matched.Operation.OperationID, "the path matches another operation")

	if _, _, err := v.ValidateRequest(context.Background(), req); err != nil {
		return err
	}
	if f.Response == nil {
		return nil
	}
	body := f.Response.BodyBytes()
	header := f.Response.Header()
	if len(body) > 0 && header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/json")
	}
	if err := v.ValidateResponse(context.Background(), req, matched, params, f.Response.Status, header, body); err != nil {
		return err
	}
	decodeResponse(t, provider, f, header, body)
	return nil
}

// namesField reports whether a problem concerns the field reject names:
// its segments ("amount", or a JSON pointer such as "/ClientIP/Type") must
// appear, whole and in a row, in a problem's path.
func namesField(problems []specs.Problem, reject string) bool {
	want := "." + strings.ReplaceAll(strings.TrimPrefix(reject, "/"), "/", ".") + "."
	for _, p := range problems {
		if strings.Contains("."+p.Field+".", want) {
			return true
		}
	}
	return false
}

// decodeResponse runs the generated parser and checks that the typed body
// for the status (JSON201, JSONDefault, …) was filled.
func decodeResponse(t *testing.T, provider string, f fixtures.Fixture, header http.Header, body []byte) {
	t.Helper()
	parse, ok := registry[provider].responses[f.OperationID]
	require.True(t, ok, "no generated parser registered for %s", f.OperationID)
	rsp := &http.Response{StatusCode: f.Response.Status, Header: header, Body: io.NopCloser(bytes.NewReader(body))}
	parsed, err := parse(rsp)
	require.NoError(t, err, "response does not decode into the generated type")
	if len(body) == 0 {
		return
	}
	value := reflect.ValueOf(parsed).Elem()
	field := value.FieldByName("JSON" + strconv.Itoa(f.Response.Status))
	if !field.IsValid() {
		field = value.FieldByName("JSONDefault")
	}
	require.True(t, field.IsValid(), "generated response has no typed body for status %d", f.Response.Status)
	require.False(t, field.IsNil(), "typed body for status %d was not filled", f.Response.Status)
}
