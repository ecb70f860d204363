package betaalkit

import "github.com/betaalkit/betaalkit/internal/redact"

// Redact returns s with every IBAN and every secret it can recognise
// replaced by a marker: IBANs in any letter case, with or without spaces
// between their characters, wherever they stand (a valid ISO 13616
// checksum and the country's length decide, so ids that merely look like
// one stay readable), and the values of JSON and form fields named like a
// secret (token, secret, password, api key, iban, card number, cvc,
// signature).
//
// Everything betaalkit lets out goes through it: log lines, every error's
// Error() and %#v, and ProviderMessage. Use it for your own lines that
// quote a provider's answer; the raw bodies the errors keep (RawBody,
// ResponseBody) are exact and not redacted.
func Redact(s string) string { return redact.Text(s) }
