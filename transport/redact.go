package transport

import (
	"regexp"
	"strings"
)

// Redacted replaces a secret in a log line.
const Redacted = "[redacted]"

// redactor removes secrets from what the log layer writes: the client's
// own credentials wherever they appear, every value of a credential header,
// JSON and form fields whose names say they hold a secret, and IBANs.
type redactor struct {
	secrets *strings.Replacer // nil without secrets
}

func newRedactor(secrets []string) *redactor {
	var pairs []string
	for _, s := range secrets {
		if s != "" {
			pairs = append(pairs, s, Redacted)
		}
	}
	r := &redactor{}
	if len(pairs) > 0 {
		r.secrets = strings.NewReplacer(pairs...)
	}
	return r
}

// sensitiveHeader reports a header whose value is a credential or signature:
// Authorization, api_key, Signature, Auth (MultiSafepay's notification
// HMAC), cookies, and anything named like a key, token or secret.
func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "signature", "auth", "cookie", "set-cookie", "digest-signature":
		return true
	}
	for _, part := range []string{"token", "secret", "password", "key", "signature", "auth"} {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

func (r *redactor) header(name string, values []string) string {
	if sensitiveHeader(name) {
		return Redacted
	}
	return r.text(strings.Join(values, ", "))
}

// sensitiveName matches JSON keys and form fields that hold secrets or
// account numbers (access_token, api_key, secretKey, iban, ConsumerIBAN,
// card_number, cvc, password, …).
const sensitiveName = `[A-Za-z0-9_\-]*(?i:token|secret|password|passwd|api_?key|apikey|iban|card_?number|cardnumber|cvc|cvv|authorization|signature)[A-Za-z0-9_\-]*`

var (
	jsonField = regexp.MustCompile(`("` + sensitiveName + `"\s*:\s*)("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+\-]*|true|false)`)
	formField = regexp.MustCompile(`((?:^|&)` + sensitiveName + `=)([^&]*)`)
	// ibanShape finds candidates; checksum decides (see isIBAN), so ids
	// that merely look like one stay readable.
	ibanShape = regexp.MustCompile(`\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b`)
)

// text redacts a header value, body or error message.
func (r *redactor) text(s string) string {
	if s == "" {
		return s
	}
	if r.secrets != nil {
		s = r.secrets.Replace(s)
	}
	s = jsonField.ReplaceAllString(s, `$1"`+Redacted+`"`)
	s = formField.ReplaceAllString(s, `${1}`+Redacted)
	return ibanShape.ReplaceAllStringFunc(s, func(m string) string {
		if isIBAN(strings.ReplaceAll(m, " ", "")) {
			return "[redacted IBAN]"
		}
		return m
	})
}

// isIBAN checks the ISO 13616 mod-97 checksum.
func isIBAN(s string) bool {
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	rem := 0
	for _, c := range s[4:] + s[:4] {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A'+10)) % 97
		default:
			return false
		}
	}
	return rem == 1
}
