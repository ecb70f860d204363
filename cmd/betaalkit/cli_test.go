package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runMain(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelpListsEveryCommandWithALine(t *testing.T) {
	require.NotEmpty(t, commands)
	for _, flag := range []string{"-h", "--help", "help"} {
		code, out, errOut := runMain(flag)
		assert.Equal(t, 0, code, flag)
		assert.Empty(t, errOut, flag)
		for name := range commands {
			summary := summaries[name]
			if assert.NotEmpty(t, summary, "command %q has no line in summaries", name) {
				assert.Contains(t, out, name+" ", flag)
				assert.Contains(t, out, summary, flag)
			}
		}
	}
}

func TestUnknownCommandIsNamed(t *testing.T) {
	code, out, errOut := runMain("frobnicate")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, `unknown command "frobnicate"`)

	code, _, errOut = runMain("sign", "paypal")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unknown command "sign paypal"`)

	code, _, errOut = runMain()
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "usage: betaalkit")
}

// Every command: -h prints its flags to stdout and exits 0; a stray
// argument is refused by name.
func TestEveryCommandHasHelpAndRefusesStrayArguments(t *testing.T) {
	require.NotEmpty(t, commands)
	for name := range commands {
		args := strings.Fields(name)
		code, out, errOut := runMain(append(args, "-h")...)
		assert.Equal(t, 0, code, "%s -h: %s", name, errOut)
		assert.Contains(t, out, "usage: betaalkit "+name, name)

		code, _, errOut = runMain(append(args, "stray")...)
		assert.Equal(t, 2, code, name)
		assert.Contains(t, errOut, `unexpected argument "stray"`, name)
	}
}
