package signing

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"net/url"
	"slices"
	"strings"
)

// Buckaroo's classic HTTP push ("HTTP post" in a website's push settings)
// is a form signed with a brq_signature field instead of an Authorization
// header: the hex digest of name=value for each signed field, in Buckaroo's
// order, followed by the secret key. It covers no URL, nonce or time.

const buckarooFormSignatureField = "brq_signature"

// buckarooSignedPrefixes are the prefixes of the fields brq_signature covers.
var buckarooSignedPrefixes = []string{"brq_", "add_", "cust_"}

// BuckarooFormFields lists the names of the fields brq_signature covers, in
// the order they are signed: every brq_, add_ and cust_ field (prefixes in
// any case) but brq_signature, sorted case-insensitively with symbols
// before digits before letters, as Buckaroo documents (docs.buckaroo.io,
// Security: "the ordering should not be case-sensitive"; BPE 3.0 NVP,
// chapter 4: "symbols first, then numbers, then case insensitive letters",
// so brq_a_a sorts before brq_a0).
func BuckarooFormFields(fields url.Values) []string {
	names, _ := buckarooFormFields(fields)
	return names
}

// buckarooFormFields returns BuckarooFormFields and the brq_signature
// values sent (any case of the name).
func buckarooFormFields(fields url.Values) (names, signatures []string) {
	for name, vs := range fields {
		lower := strings.ToLower(name)
		switch {
		case lower == buckarooFormSignatureField:
			signatures = append(signatures, vs...)
		case slices.ContainsFunc(buckarooSignedPrefixes, func(p string) bool { return strings.HasPrefix(lower, p) }):
			names = append(names, name)
		}
	}
	slices.SortFunc(names, compareBuckarooFieldNames)
	return names, signatures
}

// compareBuckarooFieldNames orders names as Buckaroo's signature does; a
// name that is the start of another comes first.
func compareBuckarooFieldNames(a, b string) int {
	a, b = strings.ToLower(a), strings.ToLower(b)
	for i := 0; i < len(a) && i < len(b); i++ {
		if ra, rb := buckarooFieldRank(a[i]), buckarooFieldRank(b[i]); ra != rb {
			return ra - rb
		}
	}
	return len(a) - len(b)
}

// buckarooFieldRank puts symbols (by byte) before digits before letters.
func buckarooFieldRank(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return 1<<8 + int(c)
	case c >= 'a' && c <= 'z':
		return 2<<8 + int(c)
	}
	return int(c)
}

// BuckarooFormSignature is brq_signature for fields (decoded, as
// url.ParseQuery gives them): the hexadecimal SHA-1 of name=value for each
// of BuckarooFormFields, without separators, followed by secretKey.
func BuckarooFormSignature(fields url.Values, secretKey string) string {
	return hex.EncodeToString(buckarooFormDigest(sha1.New(), BuckarooFormFields(fields), fields, secretKey))
}

func buckarooFormDigest(h hash.Hash, names []string, fields url.Values, secretKey string) []byte {
	for _, name := range names {
		h.Write([]byte(name + "=" + fields.Get(name)))
	}
	h.Write([]byte(secretKey))
	return h.Sum(nil)
}

// VerifyBuckarooForm checks a form push's brq_signature (its name in any
// case, sent once) in constant time: SHA-1, or the SHA-256 or SHA-512 a
// website may choose instead, told apart by length. A failure wraps
// ErrSignatureMismatch.
func VerifyBuckarooForm(fields url.Values, secretKey string) error {
	names, sent := buckarooFormFields(fields)
	if len(sent) != 1 || sent[0] == "" {
		return fmt.Errorf("brq_signature is missing or not hexadecimal: %w", ErrSignatureMismatch)
	}
	want, err := hex.DecodeString(sent[0])
	if err != nil {
		return fmt.Errorf("brq_signature is missing or not hexadecimal: %w", ErrSignatureMismatch)
	}
	var h hash.Hash
	switch len(want) {
	case sha1.Size:
		h = sha1.New()
	case sha256.Size:
		h = sha256.New()
	case sha512.Size:
		h = sha512.New()
	default:
		return fmt.Errorf("brq_signature has %d hex digits, not 40, 64 or 128: %w", len(sent[0]), ErrSignatureMismatch)
	}
	if !macEqual(buckarooFormDigest(h, names, fields, secretKey), want) {
		return fmt.Errorf("brq_signature over %d fields: %w", len(names), ErrSignatureMismatch)
	}
	return nil
}
