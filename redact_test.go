package betaalkit_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/betaalkit/betaalkit"
)

// TestErrorsNeverShowAnIBAN: every error type's Error, and every fmt verb
// on the error and on a copy of it, redacts IBANs in any case and spacing;
// %#v shows a raw body by its length only. The raw body stays on the field.
func TestErrorsNeverShowAnIBAN(t *testing.T) {
	const iban = "nl91 Abna 0417 1643 00"
	body := []byte(`{"error":"account ` + iban + ` blocked"}`)
	de := &betaalkit.DecodeError{StatusCode: 200, RawBody: body, Err: errors.New("paid from " + iban)}
	errs := map[string]error{
		"DecodeError":    de,
		"FieldError":     &betaalkit.FieldError{Field: "description", Reason: fmt.Sprintf("%q is too long", iban)},
		"ConfigError":    &betaalkit.ConfigError{Provider: "opp", Setting: "apiKey", Reason: iban},
		"TransportError": &betaalkit.TransportError{Attempts: 2, Err: errors.New("GET /orders/" + iban)},
	}
	for name, err := range errs {
		outs := []string{err.Error()}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			outs = append(outs, fmt.Sprintf(verb, err))
		}
		switch e := err.(type) {
		case *betaalkit.DecodeError:
			outs = append(outs, fmt.Sprintf("%+v", *e), fmt.Sprintf("%#v", *e), fmt.Sprint(*e))
		case *betaalkit.FieldError:
			outs = append(outs, fmt.Sprintf("%+v", *e), fmt.Sprintf("%#v", *e))
		}
		for _, out := range outs {
			assert.NotContains(t, strings.ToUpper(strings.ReplaceAll(out, " ", "")), "NL91ABNA0417164300", "%s: %s", name, out)
			assert.NotContains(t, out, "4e4c3931", "%s: no hex of it either: %s", name, out)
		}
		assert.Contains(t, err.Error(), "[redacted IBAN]", name)
	}
	assert.Contains(t, fmt.Sprintf("%#v", de), fmt.Sprintf("RawBody:[]uint8{/* %d bytes */}", len(body)))
	assert.Equal(t, body, de.RawBody, "the raw body is kept as it came")
	assert.Equal(t, "to [redacted IBAN]", betaalkit.Redact("to "+iban))
}
