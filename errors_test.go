package betaalkit

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestSnippetNeverSplitsACharacter(t *testing.T) {
	s := Snippet([]byte(strings.Repeat("a", 199) + "é and more"))
	assert.True(t, utf8.ValidString(s), s)
	assert.Equal(t, strings.Repeat("a", 199)+"…", s)
	assert.Equal(t, "(empty)", Snippet([]byte("  \n")))
	assert.Equal(t, "short", Snippet([]byte(" short ")))
}

func FuzzSnippet(f *testing.F) {
	f.Add([]byte(strings.Repeat("é", 150)))
	f.Fuzz(func(t *testing.T, body []byte) {
		s := Snippet(body)
		if utf8.Valid(body) && !utf8.ValidString(s) {
			t.Fatalf("valid text became invalid: %q", s)
		}
		if len(s) > 200+len("…") {
			t.Fatalf("%d bytes", len(s))
		}
	})
}
