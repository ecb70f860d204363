package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// fixtureDir is specs/fixtures, where the embedded fixtures live as files.
var fixtureDir = filepath.Join("..", "..", "specs", "fixtures")

func validateJSON(t *testing.T, args ...string) (int, report) {
	t.Helper()
	code, out, errOut := runMain(append([]string{"validate"}, args...)...)
	var r report
	require.NoError(t, json.Unmarshal([]byte(out), &r), "%s\n%s", out, errOut)
	return code, r
}

// TestValidateEveryFixture: validate passes every positive fixture of
// every provider and fails every negative one, naming the field the
// fixture says it must fail on.
func TestValidateEveryFixture(t *testing.T) {
	for _, p := range specs.Providers() {
		t.Run(p, func(t *testing.T) {
			good, err := fixtures.Load(p)
			require.NoError(t, err)
			var files []string
			for _, f := range good {
				files = append(files, filepath.Join(fixtureDir, f.Name))
			}
			code, r := validateJSON(t, append([]string{p, "--json"}, files...)...)
			assert.Equal(t, 0, code)
			assert.Equal(t, len(good), r.Checked)
			assert.Equal(t, len(good), r.Passed)
			for _, e := range r.Exchanges {
				assert.True(t, e.OK, "%s: %v %s", e.File, e.Violations, e.Error)
			}

			bad, err := fixtures.LoadInvalid(p)
			require.NoError(t, err)
			require.NotEmpty(t, bad)
			for _, f := range bad {
				code, r := validateJSON(t, p, filepath.Join(fixtureDir, f.Name), "--json")
				assert.Equal(t, 1, code, f.Name)
				require.Len(t, r.Exchanges, 1)
				e := r.Exchanges[0]
				assert.False(t, e.OK, f.Name)
				assert.True(t, namesField(e.Violations, f.Reject), "%s: no violation names %q: %v", f.Name, f.Reject, e.Violations)
				for _, v := range e.Violations {
					assert.NotEmpty(t, v.Expected)
					assert.NotContains(t, v.Expected, "Schema:", "no schema dumps")
				}
			}
		})
	}
}

// namesField: reject's segments ("amount", or a JSON pointer such as
// "/ClientIP/Type") appear whole and in a row in a violation's field.
func namesField(violations []specs.Violation, reject string) bool {
	want := "." + strings.ReplaceAll(strings.TrimPrefix(reject, "/"), "/", ".") + "."
	for _, v := range violations {
		if strings.Contains("."+v.Field+".", want) {
			return true
		}
	}
	return false
}

func TestValidateTextOutput(t *testing.T) {
	bad := filepath.Join(fixtureDir, "kassacompleet", "invalid", "amount-wrong-type.json")
	good := filepath.Join(fixtureDir, "kassacompleet", "issuers.json")
	code, out, _ := runMain("validate", "kassacompleet", good, bad)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "ok    "+good+"  listIdealIssuers\n")
	assert.Contains(t, out, "FAIL  "+bad+"  createOrder\n        request amount: value must be an integer (got \"0.99\")\n")
	assert.Contains(t, out, "kassacompleet: 2 checked, 1 ok, 1 failed\n")
}

func TestValidateBareBodies(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
		return path
	}
	order := write("order.json", `{"currency":"EUR","amount":"12","transactions":[{"payment_method":"ideal"}]}`)
	answer := write("answer.json", `{"id":"o1","status":"new","amount":12,"currency":"EUR"}`)
	push := write("push.json", `{"Transaction":{"Key":"K","Status":{"Code":{"Code":"190"}}}}`)

	code, r := validateJSON(t, "kassacompleet", "--operation", "createOrder", "--request", order, "--json")
	assert.Equal(t, 1, code)
	require.Len(t, r.Exchanges, 1)
	assert.Equal(t, []specs.Violation{{Side: "request", Field: "amount", Expected: "value must be an integer", Got: `"12"`}}, r.Exchanges[0].Violations)

	// Flags may follow the files.
	code, r = validateJSON(t, "kassacompleet", answer, "--operation", "createOrder", "--response", "--status", "201", "--json")
	assert.Equal(t, 0, code, "%+v", r)
	code, r = validateJSON(t, "kassacompleet", answer, "--operation", "createOrder", "--response", "--status", "400", "--json")
	assert.Equal(t, 1, code, "an order is not the error answer")
	assert.Equal(t, "error", r.Exchanges[0].Violations[0].Field)

	code, r = validateJSON(t, "buckaroo", "--schema", "Push", push, "--json")
	assert.Equal(t, 1, code)
	assert.True(t, namesField(r.Exchanges[0].Violations, "Transaction.Status.Code.Code"), "%v", r.Exchanges[0].Violations)

	code, out, _ := runMain("validate", "kassacompleet", order)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "neither a fixture nor a HAR file (for a bare body, pass --operation or --schema)")
}

func TestValidateUsageErrors(t *testing.T) {
	file := filepath.Join(fixtureDir, "kassacompleet", "issuers.json")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"kassacompleet"}, "no FILE"},
		{[]string{}, "missing the provider"},
		{[]string{"paypal", file}, `unexpected argument "paypal": not a provider`},
		{[]string{"kassacompleet", "--request", file}, "need --operation"},
		{[]string{"kassacompleet", "--operation", "createOrder", file}, "exactly one of --request and --response"},
		{[]string{"kassacompleet", "--operation", "createOrder", "--request", "--response", file}, "exactly one of"},
		{[]string{"kassacompleet", "--operation", "createOrder", "--request", "--status", "201", file}, "--status needs --response"},
		{[]string{"kassacompleet", "--operation", "nope", "--request", file}, `no operation "nope"`},
		{[]string{"kassacompleet", "--schema", "Nope", file}, `no component schema "Nope"`},
		{[]string{"kassacompleet", "--frobnicate", file}, "flag provided but not defined"},
	} {
		code, _, errOut := runMain(append([]string{"validate"}, tc.args...)...)
		assert.Equal(t, 2, code, "%v", tc.args)
		assert.Contains(t, errOut, tc.want, "%v", tc.args)
	}
	code, out, _ := runMain("validate", "kassacompleet", "no-such-file.json")
	assert.Equal(t, 1, code, "an unreadable file fails; it is no usage error")
	assert.Contains(t, out, "FAIL  no-such-file.json\n        open no-such-file.json: no such file or directory\n")
}

// TestValidateHAR: entries are matched to operations by method and path;
// entries to other hosts and paths outside the spec are skipped and
// counted; base64 bodies, HTTP/2 pseudo-headers and gzip (which a HAR keeps
// decoded) are handled.
func TestValidateHAR(t *testing.T) {
	type header struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	entry := func(method, url string, reqBody string, status int, respBody string, base64Body bool) map[string]any {
		e := map[string]any{
			"request": map[string]any{"method": method, "url": url, "headers": []header{{":authority", "x"}, {"content-type", "application/json"}}},
		}
		if reqBody != "" {
			e["request"].(map[string]any)["postData"] = map[string]any{"mimeType": "application/json", "text": reqBody}
		}
		content := map[string]any{"size": len(respBody), "mimeType": "application/json", "text": respBody}
		if base64Body {
			content["text"], content["encoding"] = base64.StdEncoding.EncodeToString([]byte(respBody)), "base64"
		}
		e["response"] = map[string]any{"status": status, "headers": []header{{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}}, "content": content}
		return e
	}
	har := map[string]any{"log": map[string]any{"version": "1.2", "entries": []any{
		entry("POST", "https://api.kassacompleet.nl/v1/orders/", `{"currency":"EUR","amount":995}`, 201,
			`{"id":"o1","status":"new","amount":995,"currency":"EUR"}`, false),
		entry("GET", "https://api.kassacompleet.nl/v1/orders/o1/", "", 200, `{"id":"o1","status":"new","amount":"995","currency":"EUR"}`, true),
		entry("GET", "https://shop.example/v1/orders/o1/", "", 200, `{}`, false),
		entry("GET", "http://127.0.0.1:8080/favicon.ico", "", 404, ``, false),
		entry("GET", "http://127.0.0.1:8080/v1/ideal/issuers/", "", 200, `[{"id":"INGBNL2A","name":"ING","list_type":"Nederland"}]`, false),
	}}}
	data, err := json.Marshal(har)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "shop.har")
	require.NoError(t, os.WriteFile(file, data, 0o644))

	code, r := validateJSON(t, "kassacompleet", file, "--json")
	assert.Equal(t, 1, code)
	assert.Equal(t, 3, r.Checked)
	assert.Equal(t, 2, r.Skipped, "another host, and a path outside the spec")
	require.Len(t, r.Exchanges, 3)
	assert.Equal(t, []int{1, 2, 5}, []int{r.Exchanges[0].Entry, r.Exchanges[1].Entry, r.Exchanges[2].Entry})
	assert.True(t, r.Exchanges[0].OK, "%v", r.Exchanges[0].Violations)
	assert.Equal(t, "getOrder", r.Exchanges[1].OperationID)
	assert.Equal(t, []specs.Violation{{Side: "response", Field: "amount", Expected: "value must be an integer", Got: `"995"`}}, r.Exchanges[1].Violations)
	assert.True(t, r.Exchanges[2].OK, "%v", r.Exchanges[2].Violations)

	_, out, _ := runMain("validate", "kassacompleet", file)
	assert.Contains(t, out, "FAIL  "+file+"#2 GET /v1/orders/o1/ → 200  getOrder\n        response amount: value must be an integer (got \"995\")\n")
	assert.Contains(t, out, "2 HAR entries skipped")

	code, r = validateJSON(t, "kassacompleet", file, "--json", "--host", "*")
	assert.Equal(t, 1, code)
	assert.Equal(t, 4, r.Checked, "any host")
	code, r = validateJSON(t, "kassacompleet", file, "--json", "--host", "shop.example")
	assert.Equal(t, 1, code)
	assert.Equal(t, 1, r.Checked)

	code, _, errOut := runMain("validate", "kassacompleet", file, "--host", "nowhere.example")
	assert.Equal(t, 1, code, "nothing checked is no success")
	assert.Contains(t, errOut, "no exchange was checked")
}
