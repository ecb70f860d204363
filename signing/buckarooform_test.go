package signing

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
)

// The buckaruby gem's signature vector; clients/buckaroo's tests add the
// pushes the gem recorded.
func TestBuckarooFormSignatureVector(t *testing.T) {
	form := url.Values{"brq_test": {"abcdef"}, "brq_test2": {"foobar"}}
	sig := BuckarooFormSignature(form, "secret")
	assert.Equal(t, "c864c2abad67580274b2df00fd2a53739952b924", sig)

	form.Set("BRQ_SIGNATURE", strings.ToUpper(sig))
	require.NoError(t, VerifyBuckarooForm(form, "secret"))
	assert.Equal(t, []string{"brq_test", "brq_test2"}, BuckarooFormFields(form), "brq_signature is not signed")
}

func TestVerifyBuckarooFormRefuses(t *testing.T) {
	signed := func(change func(url.Values)) url.Values {
		form := url.Values{"brq_test": {"abcdef"}, "add_x": {"1"}}
		form.Set("brq_signature", BuckarooFormSignature(form, "secret"))
		change(form)
		return form
	}
	for name, form := range map[string]url.Values{
		"a signed field changed":  signed(func(f url.Values) { f.Set("add_x", "2") }),
		"a signed field added":    signed(func(f url.Values) { f.Set("cust_y", "1") }),
		"another secret's":        signed(func(f url.Values) { f.Set("brq_signature", BuckarooFormSignature(f, "other")) }),
		"no signature":            signed(func(f url.Values) { f.Del("brq_signature") }),
		"an empty signature":      signed(func(f url.Values) { f.Set("brq_signature", "") }),
		"not hexadecimal":         signed(func(f url.Values) { f.Set("brq_signature", "zz") }),
		"a length of no digest":   signed(func(f url.Values) { f.Set("brq_signature", "abcd") }),
		"two signatures":          signed(func(f url.Values) { f.Add("brq_signature", f.Get("brq_signature")) }),
		"two, in different cases": signed(func(f url.Values) { f.Set("BRQ_SIGNATURE", f.Get("brq_signature")) }),
	} {
		err := VerifyBuckarooForm(form, "secret")
		assert.ErrorIs(t, err, ErrSignatureMismatch, name)
		assert.ErrorIs(t, err, betaalkit.ErrVerification, name)
	}
	// An unsigned field may change.
	assert.NoError(t, VerifyBuckarooForm(signed(func(f url.Values) { f.Set("other", "1") }), "secret"))
}
