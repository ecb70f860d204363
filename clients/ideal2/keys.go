package ideal2

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"

	"github.com/betaalkit/betaalkit/signing"
)

// LoadKeyPair parses the merchant's RSA private key (PKCS#8 or PKCS#1 PEM)
// and its certificate (PEM), and checks that they belong together.
func LoadKeyPair(keyPEM, certPEM []byte) (*rsa.PrivateKey, *x509.Certificate, error) {
	key, err := signing.ParseIDEAL2PrivateKey(keyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("ideal2: merchant key: %w", err)
	}
	cert, err := signing.ParseIDEAL2Certificate(certPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("ideal2: merchant certificate: %w", err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, nil, fmt.Errorf("ideal2: the merchant key does not match the merchant certificate")
	}
	return key, cert, nil
}

// LoadCertificate parses a PEM certificate, e.g. the routing service's
// response-signing certificate for Config.ServerCertificate.
func LoadCertificate(certPEM []byte) (*x509.Certificate, error) {
	cert, err := signing.ParseIDEAL2Certificate(certPEM)
	if err != nil {
		return nil, fmt.Errorf("ideal2: %w", err)
	}
	return cert, nil
}
