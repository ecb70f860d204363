package betaalkit_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pointerHelper matches a call or declaration of a pointer helper (ptr,
// deref, Ptr, a generic func(v T) *T …): what a user of models full of
// pointers writes.
var pointerHelper = regexp.MustCompile(`\b(ptr|deref|toPtr|ToPtr|fromPtr|FromPtr|Ptr|Deref|PtrTo)\s*(\[[^\]]*\])?\(|func\s+\w+\s*\[\w+ any\]\s*\(\s*\w+\s+\w+\s*\)\s*\*\w+`)

// goBlocks returns the ```go fenced blocks of a Markdown text.
func goBlocks(md string) []string {
	var out []string
	for _, part := range strings.Split(md, "```go")[1:] {
		block, _, _ := strings.Cut(part, "```")
		out = append(out, block)
	}
	return out
}

// Issue 13: the demo, the examples and the README need no pointer helpers;
// the models take values wherever absent and zero mean the same.
func TestDemoExamplesAndREADMENeedNoPointerHelpers(t *testing.T) {
	sources := map[string]string{}
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	blocks := goBlocks(string(readme))
	require.NotEmpty(t, blocks, "the README shows Go code")
	for i, b := range blocks {
		sources[fmt.Sprintf("README.md, Go block %d", i+1)] = b
	}
	examples, err := filepath.Glob("*example_test.go")
	require.NoError(t, err)
	more, err := filepath.Glob("*/*example_test.go")
	require.NoError(t, err)
	deeper, err := filepath.Glob("*/*/*example_test.go")
	require.NoError(t, err)
	examples = append(append(examples, more...), deeper...)
	require.GreaterOrEqual(t, len(examples), 7, "every client, checkout and the root have examples: %v", examples)
	demo, err := filepath.Glob("cmd/betaalkit/demo*.go")
	require.NoError(t, err)
	require.NotEmpty(t, demo)
	for _, f := range append(examples, demo...) {
		if strings.HasSuffix(f, "_test.go") && strings.HasPrefix(filepath.Base(f), "demo") {
			continue // the demo's tests are not the demo
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		sources[f] = string(b)
	}
	for name, src := range sources {
		for _, line := range strings.Split(src, "\n") {
			if m := pointerHelper.FindString(line); m != "" {
				t.Errorf("%s needs a pointer helper (%q): %s", name, m, strings.TrimSpace(line))
			}
		}
	}
}

func TestPointerHelperPattern(t *testing.T) {
	for _, s := range []string{"ptr(1)", "Gateway: ptr(\"IDEAL\")", "deref(o.Status)", "func ptr[T any](v T) *T { return &v }", "func p[T any](x T) *T", "lo.ToPtr(x)"} {
		assert.Regexp(t, pointerHelper, s)
	}
	for _, s := range []string{"encrypt(x)", "Receipt(x)", "p.Status.String()", "&opp.TransactionCreate{}"} {
		assert.NotRegexp(t, pointerHelper, s)
	}
}
