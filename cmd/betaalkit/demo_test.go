package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemo runs `betaalkit demo` exactly as `make demo` does.
func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"demo"}, nil, &out, &errOut)
	t.Log("\n" + out.String())
	require.Equal(t, 0, code, "demo failed:\n%s%s", out.String(), errOut.String())
	assert.NotContains(t, out.String(), "FAILED")
	require.NotEmpty(t, demos)
	for name := range demos {
		assert.Regexp(t, `(?m)^`+name+` +ok$`, out.String(), "every provider's flow ends ok")
	}
	assert.Equal(t, len(demos), strings.Count(out.String(), " ok\n"))
}

// BenchmarkDemo is the demo's speed target: every provider's full flow,
// sandbox start-up included, well under the 10 s the issue allows.
func BenchmarkDemo(b *testing.B) {
	for b.Loop() {
		var out bytes.Buffer
		if code := run([]string{"demo"}, nil, &out, &out); code != 0 {
			b.Fatalf("demo failed:\n%s", out.String())
		}
	}
}
