package signing

import (
	"bytes"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ideal2Signed is one validly signed iDEAL 2.0 message and how to verify it.
type ideal2Signed struct {
	name   string
	header http.Header
	verify func(h http.Header) error
}

// ideal2SignedMessages are the seed document's signed messages (the status
// response, and the requests whose bodies are the exact bytes), and
// messages signed here with a generated key: a response (upper-case keyId,
// rsa-sha256) and a request (lower-case keyId, SHA256withRSA).
func ideal2SignedMessages(t *testing.T) []ideal2Signed {
	var out []ideal2Signed
	now := time.Now()
	key, cert := testIDEAL2Key(t, now)
	v, err := NewIDEAL2Verifier(cert)
	require.NoError(t, err)

	body := []byte(`{"CommonPaymentData":{"PaymentId":"1","PaymentStatus":"Open"}}`)
	resp := http.Header{}
	signIDEAL2Response(t, resp, key, cert, body)
	out = append(out, ideal2Signed{"generated response", resp, func(h http.Header) error { return v.Verify(h, body) }})

	target := "/xs2a/routingservice/services/ob/pis/v3/payments"
	reqBody := []byte(`{"PaymentProduct":["IDEAL"]}`)
	req := http.Header{}
	req.Set("X-Request-ID", IDEAL2RequestID())
	req.Set("MessageCreateDateTime", now.UTC().Format(IDEAL2TimeFormat))
	req.Set("Digest", IDEAL2Digest(reqBody))
	ss, err := IDEAL2SigningString(IDEAL2RequestHeaders, http.MethodPost, target, req)
	require.NoError(t, err)
	sig, err := IDEAL2Sign(key, ss)
	require.NoError(t, err)
	req.Set("Signature", IDEAL2SignatureParams{KeyID: IDEAL2KeyID(cert), Algorithm: IDEAL2Algorithm, Headers: IDEAL2RequestHeaders, Signature: sig}.String())
	out = append(out, ideal2Signed{"generated request", req, func(h http.Header) error {
		r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(reqBody))
		r.Header = h
		return v.VerifyRequest(r, reqBody)
	}})

	// The seed's messages, when Worldline's test material is at hand.
	if _, err := ideal2VectorFile("iDEAL_2.0_Public_Certificate_Test_Environment.crt"); err != nil {
		t.Logf("seed messages skipped: %v", err)
		return out
	}
	server := ideal2ServerVerifier(t)
	st := ideal2Fixture(t, "payment-status-exact")
	stBody := st.Response.BodyBytes()
	out = append(out, ideal2Signed{"seed status response", st.Response.Header(), func(h http.Header) error { return server.Verify(h, stBody) }})

	_, merchantCert := ideal2MerchantKey(t)
	merchant, err := NewIDEAL2Verifier(merchantCert)
	require.NoError(t, err)
	merchant.IgnoreValidity = true
	for _, name := range []string{"standard-payment-request-exact", "payment-status"} {
		f := ideal2Fixture(t, name)
		b := f.Request.BodyBytes()
		out = append(out, ideal2Signed{"seed request " + name, f.Request.Header(), func(h http.Header) error {
			r := httptest.NewRequest(f.Request.Method, f.Request.Path, bytes.NewReader(b))
			r.Header = h
			return merchant.VerifyRequest(r, b)
		}})
	}
	return out
}

func ideal2VectorFile(name string) (string, error) {
	_, err := os.ReadFile(filepath.Join(ideal2VectorDir, name))
	return name, err
}

var ideal2ParamRE = regexp.MustCompile(`(\w+)="([^"]*)"`)

// ideal2Variants returns variants of a Signature header value that must
// all be refused, by class: parameter names in another case or misspelt,
// parameters missing, duplicated or unknown, keyId in mixed case, header
// names or the algorithm in another case, the headers list reordered or
// spaced otherwise, an auth-scheme before the parameters.
func ideal2Variants(value string) map[string][]string {
	type param struct{ name, value string }
	var params []param
	for _, m := range ideal2ParamRE.FindAllStringSubmatch(value, -1) {
		params = append(params, param{m[1], m[2]})
	}
	render := func(ps []param) string {
		parts := make([]string, len(ps))
		for i, p := range ps {
			parts[i] = p.name + `="` + p.value + `"`
		}
		return strings.Join(parts, ",")
	}
	with := func(i int, p param) []param {
		ps := append([]param(nil), params...)
		ps[i] = p
		return ps
	}
	out := map[string][]string{}
	add := func(class string, v string) {
		if v != value {
			out[class] = append(out[class], v)
		}
	}
	for i, p := range params {
		// Names in another letter case.
		for _, n := range caseVariants(p.name) {
			add("parameter name case", render(with(i, param{n, p.value})))
		}
		// Misspelt names: a letter dropped, doubled, swapped with the
		// next, or replaced.
		for _, n := range misspellings(p.name) {
			add("parameter name misspelt", render(with(i, param{n, p.value})))
		}
		// Missing.
		add("parameter missing", render(append(append([]param(nil), params[:i]...), params[i+1:]...)))
		// Duplicated: the same value or another, before or after.
		add("parameter duplicated", render(append(append([]param(nil), params...), p)))
		add("parameter duplicated", render(append([]param{p}, params...)))
		add("parameter duplicated", render(append(append([]param(nil), params...), param{p.name, p.value + "x"})))
		switch p.name {
		case "keyId":
			for _, k := range caseVariants(p.value) {
				if k != strings.ToLower(k) && k != strings.ToUpper(k) {
					add("keyId in mixed case", render(with(i, param{p.name, k})))
				}
			}
		case "algorithm":
			for _, a := range caseVariants(p.value) {
				add("algorithm case", render(with(i, param{p.name, a})))
			}
			for _, a := range misspellings(p.value) {
				add("algorithm misspelt", render(with(i, param{p.name, a})))
			}
			add("algorithm empty", render(with(i, param{p.name, ""})))
		case "headers":
			names := strings.Split(p.value, " ")
			for j, n := range names {
				for _, c := range caseVariants(n) {
					hs := append([]string(nil), names...)
					hs[j] = c
					add("header name case", render(with(i, param{p.name, strings.Join(hs, " ")})))
				}
				dup := append(append([]string(nil), names...), n)
				add("header name duplicated", render(with(i, param{p.name, strings.Join(dup, " ")})))
				if j > 0 {
					sw := append([]string(nil), names...)
					sw[j-1], sw[j] = sw[j], sw[j-1]
					add("headers reordered", render(with(i, param{p.name, strings.Join(sw, " ")})))
				}
			}
			for _, spaced := range []string{" " + p.value, p.value + " ", strings.ReplaceAll(p.value, " ", "  "), strings.ReplaceAll(p.value, " ", "\t")} {
				add("headers spacing", render(with(i, param{p.name, spaced})))
			}
		}
	}
	for _, extra := range []string{"created", "expires", "keyid", "x", "Signature", "algorithmm"} {
		add("unknown parameter", render(append(append([]param(nil), params...), param{extra, "1"})))
	}
	add("auth-scheme prefix", "Signature "+value)
	add("auth-scheme prefix", "signature "+value)
	return out
}

// caseVariants are s all in lower case, all in upper case, and with each
// letter's case flipped alone.
func caseVariants(s string) []string {
	out := []string{strings.ToLower(s), strings.ToUpper(s)}
	for i := range len(s) {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			out = append(out, s[:i]+string(c-'a'+'A')+s[i+1:])
		case c >= 'A' && c <= 'Z':
			out = append(out, s[:i]+string(c-'A'+'a')+s[i+1:])
		}
	}
	return out
}

// misspellings are s with one letter dropped, doubled, swapped with the
// next, or replaced by the next letter of the alphabet.
func misspellings(s string) []string {
	var out []string
	for i := range len(s) {
		out = append(out, s[:i]+s[i+1:], s[:i+1]+s[i:])
		if i+1 < len(s) && s[i] != s[i+1] {
			out = append(out, s[:i]+string(s[i+1])+string(s[i])+s[i+2:])
		}
		if c := s[i]; c >= 'a' && c < 'z' {
			out = append(out, s[:i]+string(c+1)+s[i+1:])
		}
	}
	return out
}

// TestIDEAL2SignatureVariantsRefused: the seed's and vectors' signed
// messages, and messages signed here, verify; every variant of their
// Signature header that the scheme does not define (above), and a second
// Signature header, is refused.
func TestIDEAL2SignatureVariantsRefused(t *testing.T) {
	total, refused := 0, 0
	perClass := map[string][2]int{}
	for _, m := range ideal2SignedMessages(t) {
		t.Run(m.name, func(t *testing.T) {
			require.NoError(t, m.verify(m.header), "the message as signed")
			value := m.header.Get("Signature")
			variants := ideal2Variants(value)
			variants["Signature header twice"] = []string{value}
			for class, list := range variants {
				for _, v := range list {
					h := m.header.Clone()
					if class == "Signature header twice" {
						h.Add("Signature", v)
					} else {
						h.Set("Signature", v)
					}
					err := m.verify(h)
					total++
					c := perClass[class]
					c[0]++
					if err != nil {
						refused++
						c[1]++
					} else {
						t.Errorf("%s: accepted %q", class, v)
					}
					perClass[class] = c
				}
			}
			// The two cases in which keyIds are written are both accepted.
			for _, k := range []func(string) string{strings.ToLower, strings.ToUpper} {
				h := m.header.Clone()
				h.Set("Signature", ideal2ParamRE.ReplaceAllStringFunc(value, func(p string) string {
					if strings.HasPrefix(p, "keyId=") {
						return "keyId=" + k(strings.TrimPrefix(p, "keyId="))
					}
					return p
				}))
				assert.NoError(t, m.verify(h), "keyId %s", h.Get("Signature"))
			}
		})
	}
	for _, class := range slices.Sorted(maps.Keys(perClass)) {
		c := perClass[class]
		t.Logf("%-28s %4d variants, %4d refused", class, c[0], c[1])
	}
	t.Logf("all: %d variants, %d refused", total, refused)
}
