// Package specs embeds the providers' OpenAPI documents so that tests, the
// fixture checks and the sandbox all read one source.
package specs

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed *.yaml
var files embed.FS

// Providers lists the providers that have a spec, sorted.
func Providers() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// Raw returns the YAML text of a provider's spec.
func Raw(provider string) ([]byte, error) {
	data, err := files.ReadFile(provider + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("specs: no spec for provider %q (have %v)", provider, Providers())
	}
	return data, nil
}

// Load parses a provider's spec into a fresh kin-openapi document, checked
// with Validate. Callers may change the returned document (e.g. its Servers).
func Load(provider string) (*openapi3.T, error) {
	data, err := Raw(provider)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("specs: parse %s.yaml: %w", provider, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("specs: %s.yaml is not a valid OpenAPI document: %w", provider, err)
	}
	return doc, nil
}
