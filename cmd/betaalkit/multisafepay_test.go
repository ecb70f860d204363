package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCLIMultiSafepaySignAndVerify(t *testing.T) {
	body := `{"order_id":"o-1","status":"completed"}`
	code, out, errOut := runCLI(body, "sign", "multisafepay", "--api-key", "k", "--timestamp", "1700000000")
	require.Equal(t, 0, code, errOut)
	header := strings.TrimPrefix(strings.TrimSpace(out), "Auth: ")

	code, out, errOut = runCLI(body, "verify", "multisafepay", "--api-key", "k", "--auth", header, "--now", "1700000060")
	assert.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "ok: signed at 2023-11-14T22:13:20Z")

	code, _, errOut = runCLI(body+"\n", "verify", "multisafepay", "--api-key", "k", "--auth", header, "--now", "1700000060")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "does not verify")
	assert.NotContains(t, errOut, "--api-key")

	code, _, errOut = runCLI(body, "verify", "multisafepay", "--api-key", "k", "--auth", header, "--now", "1700001000")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "tolerance")

	t.Setenv("MULTISAFEPAY_API_KEY", "k")
	code, _, errOut = runCLI(body, "verify", "multisafepay", "--auth", "Auth: "+header, "--now", "1700000000")
	assert.Equal(t, 0, code, errOut)

	code, _, _ = runCLI(body, "verify", "multisafepay")
	assert.Equal(t, 2, code)
}

func TestCLIMultiSafepayVectors(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "vectors", "multisafepay")
	body, err := os.ReadFile(filepath.Join(dir, "msp_vector.json"))
	if err != nil {
		t.Skipf("MultiSafepay vectors not available (%v)", err)
	}
	const header = "MTYxNjYwMTg1MTo2ZTRhZTg2MzhhYTJmOWUxNTkyYjA3NDM3NmY2ODE2MTk2NTQ2MzMxYTliOWU5NDlkMWFiNWVmNmE5MzFjYjA5ZWQ4M2FkMTJmODUzZjI5ZGYyMjMxZThmODgzZTJiMThhYWVmN2NiYWZmMTA5NGU5ZmQ5ZmNlMWRkMzYyZjJhNA=="
	code, _, errOut := runCLI(string(body), "verify", "multisafepay", "--api-key", "your-MultiSafepay-API-key", "--auth", header, "--now", "1616601851")
	assert.Equal(t, 0, code, errOut)
	code, out, _ := runCLI(string(body), "sign", "multisafepay", "--api-key", "your-MultiSafepay-API-key", "--timestamp", "1616601851")
	assert.Equal(t, 0, code)
	assert.Equal(t, "Auth: "+header+"\n", out)
}
