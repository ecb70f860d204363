// Package redact is the one redaction every text that leaves betaalkit goes
// through: log lines, error messages and formatted values. It is exported
// as betaalkit.Redact; the transport adds the client's own credentials.
package redact

import (
	"regexp"
	"strings"
)

// Marker replaces a secret; IBANMarker replaces an IBAN.
const (
	Marker     = "[redacted]"
	IBANMarker = "[redacted IBAN]"
)

// sensitiveName matches JSON keys and form fields that hold secrets or
// account numbers (access_token, api_key, secretKey, iban, ConsumerIBAN,
// card_number, cvc, password, …).
const sensitiveName = `[A-Za-z0-9_\-]*(?i:token|secret|password|passwd|api_?key|apikey|iban|card_?number|cardnumber|cvc|cvv|authorization|signature)[A-Za-z0-9_\-]*`

var (
	jsonField = regexp.MustCompile(`("` + sensitiveName + `"\s*:\s*)("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+\-]*|true|false)`)
	formField = regexp.MustCompile(`((?:^|&)` + sensitiveName + `=)([^&]*)`)
)

// Text returns s with every IBAN and the value of every JSON or form field
// named like a secret (token, secret, password, api key, iban, card number,
// cvc, signature) replaced by a marker.
//
// An IBAN is found in any letter case, with or without spaces (or tabs,
// no-break spaces, hyphens, or JSON's escapes of them; up to three) between
// any two of its characters, inside other text or not: two letters of a country that has
// IBANs, two check digits, then exactly as many characters as that
// country's IBANs have, whose ISO 13616 mod-97 checksum is valid. Ids that
// merely look like one (the checksum fails, 96 times in 97) stay readable.
func Text(s string) string {
	if s == "" {
		return s
	}
	if strings.ContainsAny(s, `:=`) {
		s = jsonField.ReplaceAllString(s, `$1"`+Marker+`"`)
		s = formField.ReplaceAllString(s, `${1}`+Marker)
	}
	return IBANs(s)
}

// IBANs replaces every IBAN in s (as Text finds them) by IBANMarker.
func IBANs(s string) string {
	var b strings.Builder
	last := 0 // s[last:i] is not yet written
	for i := 0; i+15 <= len(s); i++ {
		end, ok := ibanAt(s, i)
		if !ok {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:i])
		b.WriteString(IBANMarker)
		last = end
		i = end - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// ContainsIBAN reports whether s holds an IBAN as Text finds them.
func ContainsIBAN(s string) bool {
	for i := 0; i+15 <= len(s); i++ {
		if _, ok := ibanAt(s, i); ok {
			return true
		}
	}
	return false
}

// maxSeparators is how many separators may stand between two characters
// of an IBAN ("NL91  ABNA", "NL91\u00a0ABNA").
const maxSeparators = 3

// ibanAt reports whether an IBAN starts at s[i], and where it ends.
func ibanAt(s string, i int) (end int, ok bool) {
	c0 := upper(s[i])
	if c0 < 'A' || c0 > 'Z' {
		return 0, false
	}
	var head [4]byte // country and check digits
	head[0] = c0
	j := i + 1
	for k := 1; k < 4; k++ {
		c, next, ok := nextChar(s, j)
		if !ok || (k == 1) != (c >= 'A' && c <= 'Z') || (k > 1) != isDigit(c) {
			return 0, false
		}
		head[k], j = c, next
	}
	n := int(lengths[int(head[0]-'A')*26+int(head[1]-'A')])
	if n == 0 {
		return 0, false
	}
	// The checksum is over BBAN + country + check digits: the BBAN's
	// characters first, the first four last.
	rem := 0
	for count := 4; count < n; count++ {
		c, next, ok := nextChar(s, j)
		switch {
		case !ok:
			return 0, false
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A'+10)) % 97
		default:
			return 0, false
		}
		j = next
	}
	rem = (rem*100 + int(head[0]-'A'+10)) % 97
	rem = (rem*100 + int(head[1]-'A'+10)) % 97
	rem = (rem*100 + int(head[2]-'0')*10 + int(head[3]-'0')) % 97
	return j, rem == 1
}

// nextChar skips up to maxSeparators separators from s[j] and returns the
// character after them, upper-cased, and the index after it.
func nextChar(s string, j int) (c byte, next int, ok bool) {
	for seps := 0; j < len(s); seps++ {
		w := separator(s, j)
		if w == 0 {
			return upper(s[j]), j + 1, true
		}
		if seps == maxSeparators {
			return 0, 0, false
		}
		j += w
	}
	return 0, 0, false
}

// separator returns the length of the separator at s[j] (0: none): a
// space, tab, line break, hyphen or no-break space, or JSON's escape of one.
func separator(s string, j int) int {
	switch s[j] {
	case ' ', '\t', '\n', '\r', '-':
		return 1
	case 0xc2: // U+00A0 no-break space
		if j+1 < len(s) && s[j+1] == 0xa0 {
			return 2
		}
	case 0xe2: // U+202F narrow no-break space, U+2007 figure space
		if j+2 < len(s) && s[j+1] == 0x80 && (s[j+2] == 0xaf || s[j+2] == 0x87) {
			return 3
		}
	case '\\':
		// An escape, or an escape escaped again (a JSON body quoted in a
		// JSON log line, or by %q): \t, \\t, \u00a0, \\u00a0, …
		k := j
		for k < len(s) && k-j < 4 && s[k] == '\\' {
			k++
		}
		if k < len(s) {
			switch s[k] {
			case 't', 'n', 'r':
				return k + 1 - j
			case 'u':
				if k+5 <= len(s) {
					switch strings.ToLower(s[k+1 : k+5]) {
					case "0020", "00a0", "202f", "2007", "0009", "000a", "002d":
						return k + 5 - j
					}
				}
			}
		}
	}
	return 0
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// IsIBAN reports whether s is exactly one IBAN (any case, no separators).
func IsIBAN(s string) bool {
	end, ok := 0, false
	if len(s) >= 15 {
		end, ok = ibanAt(s, 0)
	}
	return ok && end == len(s)
}

// ibanLength is the length of each country's IBANs (SWIFT's IBAN registry,
// and the countries that use IBANs outside it).
var ibanLength = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AO": 25, "AT": 20, "AZ": 28, "BA": 20, "BE": 16,
	"BF": 28, "BG": 22, "BH": 22, "BI": 27, "BJ": 28, "BR": 29, "BY": 28, "CF": 27,
	"CG": 27, "CH": 21, "CI": 28, "CM": 27, "CR": 22, "CV": 25, "CY": 28, "CZ": 24,
	"DE": 22, "DJ": 27, "DK": 18, "DO": 28, "DZ": 26, "EE": 20, "EG": 29, "ES": 24,
	"FI": 18, "FK": 18, "FO": 18, "FR": 27, "GA": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GQ": 27, "GR": 27, "GT": 28, "GW": 25, "HN": 28, "HR": 21, "HU": 28,
	"IE": 22, "IL": 23, "IQ": 23, "IR": 26, "IS": 26, "IT": 27, "JO": 30, "KM": 27,
	"KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
	"LY": 25, "MA": 28, "MC": 27, "MD": 24, "ME": 22, "MG": 27, "MK": 19, "ML": 28,
	"MN": 20, "MR": 27, "MT": 31, "MU": 30, "MZ": 25, "NE": 28, "NI": 28, "NL": 18,
	"NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24,
	"RS": 22, "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24,
	"SM": 27, "SN": 28, "SO": 23, "ST": 25, "SV": 28, "TD": 27, "TG": 28, "TL": 23,
	"TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// lengths is ibanLength indexed by the country code's two letters.
var lengths = func() (t [26 * 26]uint8) {
	for cc, n := range ibanLength {
		t[int(cc[0]-'A')*26+int(cc[1]-'A')] = uint8(n)
	}
	return t
}()

// Countries lists the country codes Text knows IBANs of, with their
// lengths (for tests that generate IBANs).
func Countries() map[string]int {
	out := make(map[string]int, len(ibanLength))
	for k, v := range ibanLength {
		out[k] = v
	}
	return out
}
