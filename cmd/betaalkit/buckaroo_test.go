package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// The vector from DESIGN.md.
const (
	bkVectorBody   = `{"Currency":"EUR"}`
	bkVectorHeader = "hmac WEBSITE123:Hw0aw3Nd5g5Jg9Mv50h+vy+qS34hE+xAz4CfISejm5A=:abcdef0123456789:1500000000"
	bkVectorURL    = "https://testcheckout.buckaroo.nl/json/Transaction"
)

func runCLI(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCLISignBuckarooDesignVector(t *testing.T) {
	code, out, errOut := runCLI(bkVectorBody, "sign", "buckaroo",
		"--website-key", "WEBSITE123", "--secret", "SECRETAPIKEY", "--method", "POST",
		"--url", bkVectorURL, "--nonce", "abcdef0123456789", "--timestamp", "1500000000")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, bkVectorHeader+"\n", out)

	// A trailing newline on stdin is part of the body, and changes the header.
	code, out, _ = runCLI(bkVectorBody+"\n", "sign", "buckaroo",
		"--website-key", "WEBSITE123", "--secret", "SECRETAPIKEY",
		"--url", bkVectorURL, "--nonce", "abcdef0123456789", "--timestamp", "1500000000")
	require.Equal(t, 0, code)
	assert.NotEqual(t, bkVectorHeader+"\n", out)
}

func TestCLISignBuckarooExplainAndSecretFromEnv(t *testing.T) {
	t.Setenv(buckarooSecretEnv, "SECRETAPIKEY")
	code, out, errOut := runCLI(bkVectorBody, "sign", "buckaroo", "--website-key", "WEBSITE123",
		"--url", bkVectorURL, "--nonce", "abcdef0123456789", "--timestamp", "1500000000", "--explain")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, bkVectorHeader+"\n", out)
	assert.Contains(t, errOut, "uri:     testcheckout.buckaroo.nl%2fjson%2ftransaction")
	assert.NotContains(t, errOut, "SECRETAPIKEY")
}

func TestCLISignBuckarooRandomNonceAndBadInput(t *testing.T) {
	code, out, _ := runCLI("", "sign", "buckaroo", "--website-key", "W", "--secret", "S", "--url", "https://x/json/Transaction")
	require.Equal(t, 0, code)
	assert.Regexp(t, `^hmac W:[A-Za-z0-9+/]{43}=:[0-9a-f]{16}:[0-9]+\n$`, out)

	code, _, errOut := runCLI("", "sign", "buckaroo", "--secret", "S", "--url", "https://x/")
	assert.Equal(t, 2, code, "missing website key")
	assert.Contains(t, errOut, "missing required flag --website-key")
	t.Setenv(buckarooSecretEnv, "")
	code, _, errOut = runCLI("", "sign", "buckaroo", "--website-key", "W", "--url", "https://x/")
	assert.Equal(t, 2, code, "missing secret")
	assert.Contains(t, errOut, "missing required flag --secret (or set BUCKAROO_SECRET_KEY)")
	code, out, errOut = runCLI("", "sign", "buckaroo", "--website-key", "W", "--secret", "S", "--url", "not a url")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, `--url "not a url" is not an absolute http(s) URL`)
	code, out, errOut = runCLI("", "sign", "buckaroo", "--website-key", "W", "--secret", "S", "--url", "https://x/", "--method", "FOO")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, `--method "FOO" is not an HTTP method`)
	code, _, errOut = runCLI("", "sign", "buckaroo", "--website-key", "W", "--secret", "S", "--url", "https://x/", "--timestamp", "soon")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "--timestamp")
}

func TestCLIVerifyBuckarooPush(t *testing.T) {
	base := []string{"verify", "buckaroo-push", "--website-key", "WEBSITE123", "--secret", "SECRETAPIKEY", "--url", bkVectorURL}

	code, out, errOut := runCLI(bkVectorBody, append(base, "--header", bkVectorHeader, "--now", "1500000000")...)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "ok\n", out)

	code, _, errOut = runCLI(`{"Currency":"USD"}`, append(base, "--header", bkVectorHeader, "--now", "1500000000")...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "signature does not match")
	assert.NotContains(t, errOut, "SECRETAPIKEY")

	code, _, errOut = runCLI(bkVectorBody, append(base, "--header", bkVectorHeader)...)
	assert.Equal(t, 1, code, "a 2017 push is stale against today's clock")
	assert.Contains(t, errOut, "--now")

	code, _, _ = runCLI(bkVectorBody, append(base, "--header", bkVectorHeader, "--now", "1500000000", "--url", bkVectorURL+"/")...)
	assert.Equal(t, 1, code, "a trailing slash is another URL")

	code, _, errOut = runCLI(bkVectorBody, "verify", "buckaroo-push", "--website-key", "WEBSITE123", "--secret", "SECRETAPIKEY", "--url", bkVectorURL)
	assert.Equal(t, 2, code, "missing --header")
	assert.Contains(t, errOut, "missing required flag --header")

	code, _, errOut = runCLI(bkVectorBody, "verify", "buckaroo-push", "--website-key", "WEBSITE123", "--secret", "SECRETAPIKEY",
		"--url", "shop.example/push", "--header", bkVectorHeader)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `--url "shop.example/push" is not an absolute http(s) URL`)
}

// --form checks a classic form push (brq_signature): the buckaruby gem's
// recorded iDEAL push with the gem's test keys.
func TestCLIVerifyBuckarooFormPush(t *testing.T) {
	list, err := fixtures.Load("buckaroo")
	require.NoError(t, err)
	var fields map[string]string
	for _, f := range list {
		if f.Base() == "form-push-ideal" {
			require.NoError(t, json.Unmarshal(f.Request.BodyBytes(), &fields))
		}
	}
	require.NotEmpty(t, fields)
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, v)
	}
	base := []string{"verify", "buckaroo-push", "--form", "--website-key", "12345678", "--secret", "7C222FB2927D828AF22F592134E8932480637C0D"}

	code, out, errOut := runCLI(form.Encode()+"\n", append(base, "--explain")...)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "ok 41C48B55FA9164E123CC73B1157459E840BE5D24 190\n", out)
	assert.Contains(t, errOut, "signed:  brq_amount, brq_currency, brq_customer_name,")
	assert.NotContains(t, errOut, "7C222FB2927D828AF22F592134E8932480637C0D")

	form.Set("brq_amount", "11.00")
	code, _, errOut = runCLI(form.Encode(), base...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "signature does not match")

	code, _, errOut = runCLI(form.Encode(), "verify", "buckaroo-push", "--website-key", "12345678", "--secret", "S")
	assert.Equal(t, 2, code, "without --form a JSON push needs --url and --header")
	assert.Contains(t, errOut, "missing required flag --url (or pass --form for a form push)")
}
