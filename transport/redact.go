package transport

import (
	"regexp"
	"strings"

	"github.com/betaalkit/betaalkit/internal/redact"
)

// Redacted replaces a secret in a log line.
const Redacted = redact.Marker

// redactor removes secrets from what the log layer writes: the client's
// own credentials wherever they appear (in any letter case), every value of
// a credential header, and whatever betaalkit.Redact removes (IBANs in any
// case and spacing, JSON and form fields named like a secret).
type redactor struct {
	secrets *regexp.Regexp // nil without secrets
}

func newRedactor(secrets []string) *redactor {
	var alts []string
	for _, s := range secrets {
		if s != "" {
			alts = append(alts, regexp.QuoteMeta(s))
		}
	}
	r := &redactor{}
	if len(alts) > 0 {
		r.secrets = regexp.MustCompile(`(?i:` + strings.Join(alts, "|") + `)`)
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

// text redacts a header value, path, body or error message.
func (r *redactor) text(s string) string {
	if s == "" {
		return s
	}
	if r.secrets != nil {
		s = r.secrets.ReplaceAllLiteralString(s, Redacted)
	}
	return redact.Text(s)
}
