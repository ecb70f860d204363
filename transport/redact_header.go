package transport

// RedactHeader returns a header's values as the log shows them: Redacted
// for a credential or signature header (Authorization, api_key, Signature,
// Auth, cookies, anything named like a key, token or secret), otherwise the
// values joined by ", " with IBANs and secret fields redacted. betaalkit
// proxy's recordings use it, so that they hide what the log hides.
func RedactHeader(name string, values []string) string {
	return (&redactor{}).header(name, values)
}
