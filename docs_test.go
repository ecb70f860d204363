package betaalkit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// internalName matches a doc comment that names an unexported package's
// type: a user cannot import it, so the doc leads nowhere.
var internalName = regexp.MustCompile(`\b(apiclient|internal/\w+|syncbuf|jsontest|apiclienttest)\b\.?`)

// publicDocs calls fn for the doc comment of every exported declaration
// (types, their fields and methods, funcs, consts and vars) in the
// packages users import: everything but internal/, gen/ and tests.
func publicDocs(t *testing.T, fn func(pos string, doc string)) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "internal", "gen", "testdata", ".bin", ".git", "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil
		}
		at := func(n ast.Node) string { return fset.Position(n.Pos()).String() }
		if f.Doc != nil {
			fn(at(f), f.Doc.Text())
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() && d.Doc != nil {
					fn(at(d), d.Doc.Text())
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						for _, doc := range []*ast.CommentGroup{d.Doc, s.Doc} {
							if doc != nil {
								fn(at(s), doc.Text())
							}
						}
						if st, ok := s.Type.(*ast.StructType); ok {
							for _, fld := range st.Fields.List {
								if fld.Doc != nil && len(fld.Names) > 0 && fld.Names[0].IsExported() {
									fn(at(fld), fld.Doc.Text())
								}
							}
						}
					case *ast.ValueSpec:
						if len(s.Names) > 0 && s.Names[0].IsExported() {
							for _, doc := range []*ast.CommentGroup{d.Doc, s.Doc} {
								if doc != nil {
									fn(at(s), doc.Text())
								}
							}
						}
					}
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
}

func TestNoPublicDocNamesAnInternalType(t *testing.T) {
	n := 0
	publicDocs(t, func(pos, doc string) {
		n++
		if m := internalName.FindString(doc); m != "" {
			t.Errorf("%s: the doc names %q, which users cannot import; name the public type (e.g. *betaalkit.FieldError)", pos, m)
		}
	})
	assert.Greater(t, n, 200, "the walk found the public docs")
}

// Every model a client uses is reachable from the client package in one
// step: `go doc clients/<provider> X` shows X's doc with every field, its
// JSON name and its description (models.gen.go, written by internal/cmd/generate).
func TestClientDocsListEveryModelField(t *testing.T) {
	for _, provider := range []string{"kassacompleet", "opp", "multisafepay", "buckaroo", "ideal2"} {
		t.Run(provider, func(t *testing.T) {
			fset := token.NewFileSet()
			genFile, err := parser.ParseFile(fset, filepath.Join("gen", provider, provider+".gen.go"), nil, parser.ParseComments)
			require.NoError(t, err)
			pkgDocs := map[string]string{} // type name → its doc in the client package
			entries, err := filepath.Glob(filepath.Join("clients", provider, "*.go"))
			require.NoError(t, err)
			for _, path := range entries {
				if strings.HasSuffix(path, "_test.go") {
					continue
				}
				f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
				require.NoError(t, err)
				for _, d := range f.Decls {
					g, ok := d.(*ast.GenDecl)
					if !ok || g.Tok != token.TYPE {
						continue
					}
					for _, s := range g.Specs {
						ts := s.(*ast.TypeSpec)
						doc := ts.Doc
						if doc == nil {
							doc = g.Doc
						}
						pkgDocs[ts.Name.Name] = doc.Text()
					}
				}
			}
			models := 0
			for _, d := range genFile.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.TYPE {
					continue
				}
				for _, s := range g.Specs {
					ts := s.(*ast.TypeSpec)
					st, ok := ts.Type.(*ast.StructType)
					if !ok || isPlumbing(ts.Name.Name, st) {
						continue
					}
					models++
					doc, ok := pkgDocs[ts.Name.Name]
					if !assert.True(t, ok, "gen model %s is not reachable from clients/%s", ts.Name.Name, provider) {
						continue
					}
					for _, f := range st.Fields.List {
						for _, n := range f.Names {
							assert.Contains(t, doc, "  - "+n.Name+" ", "clients/%s %s: the doc does not list field %s", provider, ts.Name.Name, n.Name)
						}
					}
				}
			}
			assert.Greater(t, models, 3)
		})
	}
}

func isPlumbing(name string, st *ast.StructType) bool {
	if strings.Contains(name, "Params") || strings.HasSuffix(name, "Headers") || name == "Client" || name == "ClientWithResponses" {
		return true
	}
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.Name == "HTTPResponse" {
				return true
			}
		}
	}
	return false
}
