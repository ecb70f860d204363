package specs_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/specs"
)

// The generated models are the library's documentation and what users fill:
// these tests keep them readable (every type and field described by the
// spec, no description pasted onto fields it does not describe) and keep
// pointers to the fields where "not sent" and zero differ on the wire.

// skipPointer is the spec's way of keeping a pointer and saying why.
const skipPointer = "x-go-type-skip-optional-pointer"

// maxPointerFields is the budget over all of gen/ (854 before).
const maxPointerFields = 250

// genFile parses gen/<provider>/<provider>.gen.go.
func genFile(t *testing.T, provider string) *ast.File {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "gen", provider, provider+".gen.go"), nil, parser.ParseComments)
	require.NoError(t, err)
	return f
}

func TestNoModelIsLeftUndescribed(t *testing.T) {
	for _, p := range specs.Providers() {
		src, err := os.ReadFile(filepath.Join("..", "gen", p, p+".gen.go"))
		require.NoError(t, err)
		n := strings.Count(string(src), "defines model for")
		assert.Zero(t, n, "%s: %d generated types are documented only as \"X defines model for X\": give their schemas a description", p, n)
	}
}

// pointerField is one pointer-typed field of a generated model, by its path
// from the model: "Order.customer", "Order.items[].price".
type pointerField struct{ typ, path string }

// modelPointers lists the pointer fields of every model struct in f (the
// generated client's response wrappers, which are nil for other statuses,
// are not models).
func modelPointers(f *ast.File) []pointerField {
	var out []pointerField
	var walk func(typ, prefix string, st *ast.StructType)
	walk = func(typ, prefix string, st *ast.StructType) {
		for _, fld := range st.Fields.List {
			name := jsonName(fld)
			if name == "" || name == "-" {
				continue
			}
			expr := fld.Type
			if star, ok := expr.(*ast.StarExpr); ok {
				out = append(out, pointerField{typ, prefix + name})
				expr = star.X
			}
			suffix := ""
			if arr, ok := expr.(*ast.ArrayType); ok {
				expr, suffix = arr.Elt, "[]"
			}
			if inner, ok := expr.(*ast.StructType); ok {
				walk(typ, prefix+name+suffix+".", inner)
			}
		}
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, s := range g.Specs {
			ts := s.(*ast.TypeSpec)
			st, ok := ts.Type.(*ast.StructType)
			if !ok || isResponseWrapper(st) {
				continue
			}
			walk(ts.Name.Name, "", st)
		}
	}
	return out
}

func isResponseWrapper(st *ast.StructType) bool {
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.Name == "HTTPResponse" {
				return true
			}
		}
	}
	return false
}

func jsonName(f *ast.Field) string {
	if f.Tag == nil {
		return ""
	}
	tag := reflect.StructTag(strings.Trim(f.Tag.Value, "`")).Get("json")
	name, _, _ := strings.Cut(tag, ",")
	return name
}

// normalize makes a schema or operation name comparable with the Go name
// oapi-codegen gives it.
func normalize(s string) string {
	return strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]`).ReplaceAllString(s, ""))
}

// justifiedPointers lists "type.path" for every property the spec marks
// with x-go-type-skip-optional-pointer: false (and every query parameter).
func justifiedPointers(doc *openapi3.T) map[string]bool {
	out := map[string]bool{}
	marked := func(ref *openapi3.SchemaRef) bool {
		for _, ext := range []map[string]any{ref.Extensions, valueExtensions(ref)} {
			if v, ok := ext[skipPointer].(bool); ok && !v {
				return true
			}
		}
		return false
	}
	var walk func(typ, prefix string, s *openapi3.Schema, depth int)
	walk = func(typ, prefix string, s *openapi3.Schema, depth int) {
		if s == nil || depth > 6 {
			return
		}
		for _, member := range s.AllOf {
			if member.Ref == "" {
				walk(typ, prefix, member.Value, depth+1)
			}
		}
		for name, prop := range s.Properties {
			if marked(prop) {
				out[typ+"."+prefix+name] = true
			}
			if prop.Ref != "" || prop.Value == nil {
				continue
			}
			walk(typ, prefix+name+".", prop.Value, depth+1)
			if items := prop.Value.Items; items != nil && items.Ref == "" {
				walk(typ, prefix+name+"[].", items.Value, depth+1)
			}
		}
	}
	for name, ref := range doc.Components.Schemas {
		walk(normalize(name), "", ref.Value, 0)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, p := range append(item.Parameters, op.Parameters...) {
				if p.Value != nil && p.Value.Extensions[skipPointer] == false {
					out[normalize(op.OperationID+"Params")+"."+p.Value.Name] = true
				}
			}
		}
	}
	return out
}

func valueExtensions(ref *openapi3.SchemaRef) map[string]any {
	if ref.Value == nil {
		return nil
	}
	return ref.Value.Extensions
}

func TestEveryPointerFieldIsJustifiedBySpec(t *testing.T) {
	total := 0
	for _, p := range specs.Providers() {
		doc, err := specs.Load(p)
		require.NoError(t, err)
		ok := justifiedPointers(doc)
		for _, pf := range modelPointers(genFile(t, p)) {
			assert.True(t, ok[normalize(pf.typ)+"."+pf.path],
				"%s: %s.%s is a pointer, but its spec property does not say %s: false (and why): make it a value, or mark it",
				p, pf.typ, pf.path, skipPointer)
		}
		src, err := os.ReadFile(filepath.Join("..", "gen", p, p+".gen.go"))
		require.NoError(t, err)
		n := len(regexp.MustCompile(`(?m)^\s+\w+\s+\*`).FindAll(src, -1))
		t.Logf("%s: %d pointer fields (response wrappers included)", p, n)
		total += n
	}
	assert.LessOrEqual(t, total, maxPointerFields, "pointer fields across gen/")
}

// A description belongs to one field. The same text on fields with
// different JSON names means a shared schema's description was pasted
// onto fields it does not describe (the issue found one on 31 fields).
func TestNoDescriptionOnFieldsItDoesNotDescribe(t *testing.T) {
	for _, p := range specs.Providers() {
		byText := map[string]map[string]bool{}
		ast.Inspect(genFile(t, p), func(n ast.Node) bool {
			st, ok := n.(*ast.StructType)
			if !ok || isResponseWrapper(st) {
				return true
			}
			for _, f := range st.Fields.List {
				name := jsonName(f)
				if f.Doc == nil || name == "" || len(f.Names) == 0 {
					continue
				}
				text := strings.TrimSpace(strings.TrimPrefix(f.Doc.Text(), f.Names[0].Name))
				if byText[text] == nil {
					byText[text] = map[string]bool{}
				}
				byText[text][name] = true
			}
			return true
		})
		for text, names := range byText {
			if len(names) > 1 {
				list := make([]string, 0, len(names))
				for n := range names {
					list = append(list, n)
				}
				sort.Strings(list)
				t.Errorf("%s: one description on %d different fields %v: %q", p, len(list), list, text)
			}
		}
	}
}

// OpenAPI 3.0.3 allows nullable only beside a type; a strict reader (and
// Redocly's recommended rules) reject the spec otherwise.
func TestNullableHasAType(t *testing.T) {
	for _, p := range specs.Providers() {
		doc, err := specs.Load(p)
		require.NoError(t, err)
		seen := map[*openapi3.Schema]bool{}
		var walk func(path string, s *openapi3.Schema)
		walk = func(path string, s *openapi3.Schema) {
			if s == nil || seen[s] {
				return
			}
			seen[s] = true
			if s.Nullable && (s.Type == nil || len(*s.Type) == 0) {
				t.Errorf("%s: %s is nullable without a type", p, path)
			}
			for name, prop := range s.Properties {
				walk(path+"."+name, prop.Value)
			}
			if s.Items != nil {
				walk(path+"[]", s.Items.Value)
			}
			for i, group := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.OneOf} {
				for j, m := range group {
					walk(path+"/"+[]string{"allOf", "anyOf", "oneOf"}[i]+"["+string(rune('0'+j))+"]", m.Value)
				}
			}
		}
		for name, ref := range doc.Components.Schemas {
			walk(name, ref.Value)
		}
	}
}

// Every component schema, property and parameter says what it is, so the
// generated models document every field (a $ref property through allOf,
// or the referenced schema's own description where it fits the field).
func TestEverySpecIsDescribed(t *testing.T) {
	for _, p := range specs.Providers() {
		doc, err := specs.Load(p)
		require.NoError(t, err)
		for name, ref := range doc.Components.Schemas {
			assert.NotEmpty(t, strings.TrimSpace(ref.Value.Description), "%s: schema %s has no description", p, name)
			for prop, pr := range ref.Value.Properties {
				assert.NotEmpty(t, strings.TrimSpace(pr.Value.Description), "%s: %s.%s has no description", p, name, prop)
			}
		}
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				for _, prm := range append(item.Parameters, op.Parameters...) {
					assert.NotEmpty(t, strings.TrimSpace(prm.Value.Description), "%s: %s %s parameter %s has no description", p, method, path, prm.Value.Name)
				}
			}
		}
	}
}
