package signing

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// The iDEAL 2.0 header formatting as first written (fmt and
// http.Header.Values): the faster versions must agree with it on every input.

func refIDEAL2SignatureString(p IDEAL2SignatureParams) string {
	return fmt.Sprintf(`keyId=%q,algorithm=%q,headers=%q,signature=%q`,
		p.KeyID, p.Algorithm, strings.Join(p.Headers, " "), p.Signature)
}

func refIDEAL2SigningString(names []string, method, target string, header http.Header) (string, error) {
	if len(names) == 0 {
		return "", fmt.Errorf("%w: no headers to sign", ErrIDEAL2Malformed)
	}
	var b strings.Builder
	for i, name := range names {
		name = strings.ToLower(name)
		if i > 0 {
			b.WriteByte('\n')
		}
		if name == ideal2RequestTarget {
			if method == "" || target == "" {
				return "", fmt.Errorf("%w: (request-target) needs the method and path", ErrIDEAL2Malformed)
			}
			b.WriteString(ideal2RequestTarget + ": " + strings.ToLower(method) + " " + target)
			continue
		}
		values := header.Values(name)
		if len(values) == 0 {
			return "", fmt.Errorf("%w: signed header %q is missing", ErrIDEAL2Malformed, name)
		}
		b.WriteString(name + ": " + strings.Join(values, ", "))
	}
	return b.String(), nil
}

func checkIDEAL2AgainstReference(t *testing.T, p IDEAL2SignatureParams, method, target string, header http.Header) {
	t.Helper()
	if got, want := p.String(), refIDEAL2SignatureString(p); got != want {
		t.Fatalf("%#v.String() = %q, reference %q", p, got, want)
	}
	got, err := IDEAL2SigningString(p.Headers, method, target, header)
	want, refErr := refIDEAL2SigningString(p.Headers, method, target, header)
	if got != want || fmt.Sprint(err) != fmt.Sprint(refErr) {
		t.Fatalf("IDEAL2SigningString(%q, %q, %q, %v) = %q, %v; reference %q, %v", p.Headers, method, target, header, got, err, want, refErr)
	}
}

func ideal2ReferenceHeader(value string) http.Header {
	h := http.Header{}
	for _, name := range []string{"X-Request-ID", "Digest", "MessageCreateDateTime", "App", "Client", "Id", "Date", "X-Other"} {
		h.Set(name, value)
	}
	h.Add("Digest", "second "+value)
	h["lower-case"] = []string{value} // not canonical: Values does not find it
	return h
}

func TestIDEAL2FormattingMatchesReference(t *testing.T) {
	values := []string{"", "abc", "a\"b", `a\b`, "tab\there", "é", "\x7f", "\xff", "W/6ViHZJ/x0/+==", "39d8e82bb33e7e2a09cbcb3ef3eab351ee1c5e8f"}
	headerSets := [][]string{nil, {}, IDEAL2RequestHeaders, IDEAL2TokenHeaders, {"x-other", "X-REQUEST-ID"}, {"lower-case"}, {"missing"}, {"(request-target)", "digest"}, {"a\"b"}}
	for _, v := range values {
		for _, hs := range headerSets {
			p := IDEAL2SignatureParams{KeyID: v, Algorithm: IDEAL2Algorithm, Headers: hs, Signature: v}
			checkIDEAL2AgainstReference(t, p, "POST", "/payments", ideal2ReferenceHeader(v))
			checkIDEAL2AgainstReference(t, p, "", "", ideal2ReferenceHeader(v))
			p.Algorithm = v
			checkIDEAL2AgainstReference(t, p, "get", "/p?q="+v, ideal2ReferenceHeader(v))
		}
	}
}

func FuzzIDEAL2FormattingMatchesReference(f *testing.F) {
	f.Add("39d8e82bb33e7e2a09cbcb3ef3eab351ee1c5e8f", "SHA256withRSA", "x-request-id (request-target) digest messagecreatedatetime", "c2ln", "POST", "/payments", "v")
	f.Add("k\"", "a\\", "digest\tx", "é", "", "", "\x00")
	f.Fuzz(func(t *testing.T, keyID, algorithm, headers, signature, method, target, value string) {
		p := IDEAL2SignatureParams{KeyID: keyID, Algorithm: algorithm, Headers: strings.Fields(headers), Signature: signature}
		checkIDEAL2AgainstReference(t, p, method, target, ideal2ReferenceHeader(value))
		// Headers with spaces inside one name, which Fields cannot produce.
		p.Headers = strings.Split(headers, ",")
		checkIDEAL2AgainstReference(t, p, method, target, ideal2ReferenceHeader(value))
	})
}
