package transport_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/betaalkit/betaalkit/transport"
)

func TestRedactHeader(t *testing.T) {
	for _, name := range []string{"Authorization", "api_key", "Api_key", "Signature", "Auth", "Set-Cookie", "X-Access-Token"} {
		assert.Equal(t, transport.Redacted, transport.RedactHeader(name, []string{"hmac W:sig:nonce:1"}), name)
	}
	assert.Equal(t, "SHA-256=abc, x", transport.RedactHeader("Digest", []string{"SHA-256=abc", "x"}))
	assert.Equal(t, "from [redacted IBAN]", transport.RedactHeader("X-Note", []string{"from nl91 abna 0417 1643 00"}))
}
