package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// Worldline's test material stays outside the repository.
const ideal2Vectors = "../../../shared/vectors/ideal2"

func ideal2VectorPath(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(ideal2Vectors, name)
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("iDEAL 2.0 test material not found (%s): Worldline's test key and certificates are kept outside the repository", p)
	}
	return p
}

func ideal2CLI(stdin []byte, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, bytes.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func ideal2CLIFixture(t *testing.T, base string) fixtures.Fixture {
	t.Helper()
	list, err := fixtures.Load("ideal2")
	require.NoError(t, err)
	for _, f := range list {
		if f.Base() == base {
			return f
		}
	}
	t.Fatalf("no fixture %s", base)
	return fixtures.Fixture{}
}

// The seed's first request: the CLI prints its Digest and Signature byte for byte.
func TestCLISignIdeal2SeedVector(t *testing.T) {
	key := ideal2VectorPath(t, "TestCertificatesiDEAL.2.0.key")
	cert := ideal2VectorPath(t, "TestCertificatesiDEAL.2.0.pem")
	f := ideal2CLIFixture(t, "standard-payment-request-exact")
	want := f.Request.Header()

	code, out, errOut := ideal2CLI(f.Request.BodyBytes(), "sign", "ideal2", "--key", key, "--cert", cert,
		"--method", "POST", "--path", "/xs2a/routingservice/services/ob/pis/v3/payments",
		"--request-id", "fd3a9dae-5323-ea5a-5460-48857a264b9d", "--date", "2023-12-29T16:38:45.770Z")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "\nDigest: "+want.Get("Digest")+"\n")
	assert.Contains(t, out, "\nSignature: "+want.Get("Signature")+"\n")
	assert.Equal(t, "SHA-256=0P2tSst5wZ/1rBS+ZF5Pvp79klNUek7tetk0j9w+mNs=", want.Get("Digest"))

	// The status GET: empty stdin, the empty-body digest.
	g := ideal2CLIFixture(t, "payment-status").Request
	code, out, errOut = ideal2CLI(nil, "sign", "ideal2", "--key", key, "--cert", cert, "--method", "GET",
		"--path", "https://digitalroutingservice.awltest.de"+g.Path,
		"--request-id", g.Header().Get("X-Request-ID"), "--date", g.Header().Get("MessageCreateDateTime"), "--explain")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "\nSignature: "+g.Header().Get("Signature")+"\n")
	assert.Contains(t, errOut, "(request-target): get /xs2a/routingservice/services/ob/pis/v3/payments/143374/status")

	// One more byte of body changes both.
	_, out, _ = ideal2CLI(append(f.Request.BodyBytes(), '\n'), "sign", "ideal2", "--key", key, "--cert", cert,
		"--path", "/xs2a/routingservice/services/ob/pis/v3/payments",
		"--request-id", "fd3a9dae-5323-ea5a-5460-48857a264b9d", "--date", "2023-12-29T16:38:45.770Z")
	assert.NotContains(t, out, want.Get("Digest"))
	assert.NotContains(t, out, want.Get("Signature"))
}

func TestCLISignIdeal2Usage(t *testing.T) {
	code, _, errOut := ideal2CLI(nil, "sign", "ideal2", "--path", "/x")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "missing required flag --key, --cert")
	code, _, errOut = ideal2CLI(nil, "sign", "ideal2", "--key", "k", "--cert", "c", "--path", "/x", "--method", "FOO")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `--method "FOO" is not an HTTP method`)

	key := ideal2VectorPath(t, "TestCertificatesiDEAL.2.0.key")
	server := ideal2VectorPath(t, "iDEAL_2.0_Public_Certificate_Test_Environment.crt")
	code, _, errOut = ideal2CLI(nil, "sign", "ideal2", "--key", key, "--cert", server, "--path", "/x")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "does not belong")
	assert.NotContains(t, errOut, "PRIVATE KEY")
}

func statusResponseArgs(t *testing.T, f fixtures.Fixture, extra ...string) []string {
	args := []string{"verify", "ideal2-response", "--cert", ideal2VectorPath(t, "iDEAL_2.0_Public_Certificate_Test_Environment.crt")}
	for _, name := range []string{"X-Request-ID", "MessageCreateDateTime", "Digest", "Signature"} {
		args = append(args, "--header", name+": "+f.Response.Header().Get(name))
	}
	return append(args, extra...)
}

func TestCLIVerifyIdeal2ResponseSeedVector(t *testing.T) {
	f := ideal2CLIFixture(t, "payment-status-exact")
	body := f.Response.BodyBytes()

	code, out, errOut := ideal2CLI(body, statusResponseArgs(t, f, "--now", "2024-01-08T12:55:35Z")...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "ok")

	// The certificate has expired: without --now, the check fails unless waived.
	code, _, errOut = ideal2CLI(body, statusResponseArgs(t, f)...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "certificate is not valid")
	code, _, errOut = ideal2CLI(body, statusResponseArgs(t, f, "--ignore-validity")...)
	assert.Equal(t, 0, code, errOut)

	// A changed body, or a changed signed header, fails.
	code, _, errOut = ideal2CLI(bytes.Replace(body, []byte("143374"), []byte("143375"), 1), statusResponseArgs(t, f, "--now", "2024-01-08T12:55:35Z")...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "Digest does not match")
	args := statusResponseArgs(t, f, "--now", "2024-01-08T12:55:35Z")
	for i, a := range args {
		if strings.HasPrefix(a, "MessageCreateDateTime: ") {
			args[i] = strings.Replace(a, "35.032Z", "35.033Z", 1)
		}
	}
	code, _, errOut = ideal2CLI(body, args...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "signature does not match")
}

// The creation responses' signatures verify, but the document's re-printed
// bodies do not match their Digest; --explain shows which check fails.
func TestCLIVerifyIdeal2ResponseExplain(t *testing.T) {
	f := ideal2CLIFixture(t, "standard-payment-create")
	code, _, errOut := ideal2CLI(f.Response.BodyBytes(), statusResponseArgs(t, f, "--now", "2023-12-29T16:38:46Z", "--explain")...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "signature over the headers: ok")
	assert.Contains(t, errOut, "messagecreatedatetime: 2023-12-29T16:38:45.949Z\nx-request-id: d04820e1-d2da-4def-8def-13062b57d3a6\ndigest: SHA-256=kyULomhnKJVz5IfrMDOWTs5ZpmBTKwjFrF6HO/LQG6s=")
	assert.Contains(t, errOut, "Digest does not match")

	code, _, errOut = ideal2CLI(nil, "verify", "ideal2-response", "--cert", "x.crt")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "missing required flag --header")
	code, _, _ = ideal2CLI(nil, "verify", "ideal2-response", "--cert", "x.crt", "--header", "no colon")
	assert.Equal(t, 2, code)
}
