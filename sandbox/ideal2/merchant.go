package ideal2

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	client "github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/signing"
)

// Defaults of a merchant made by NewMerchant.
const (
	DefaultMerchantID = "000100200"
	DefaultClientName = "BetaalkitSandbox"
)

// Merchant is the initiating party the sandbox accepts: its ids and the
// certificate whose key signs its requests. Nobody outside a bank contract
// has a Worldline key, so NewMerchant makes a throwaway one.
type Merchant struct {
	// ID is the initiating party id; SubID, if set, is also accepted as
	// "<ID>:<SubID>" in the token request's Id header.
	ID    string
	SubID string
	// ClientName is the acquirer's client name (the token request's Client header).
	ClientName string
	// Key signs the merchant's requests. The sandbox itself needs only the
	// Certificate; Key may be nil for a merchant configured by certificate.
	Key         *rsa.PrivateKey
	Certificate *x509.Certificate
}

// NewMerchant generates an RSA key and a self-signed certificate for a
// merchant with the default ids.
func NewMerchant() (*Merchant, error) {
	key, cert, err := newKeyPair("betaalkit sandbox merchant " + DefaultMerchantID)
	if err != nil {
		return nil, err
	}
	return &Merchant{ID: DefaultMerchantID, ClientName: DefaultClientName, Key: key, Certificate: cert}, nil
}

// KeyID is the keyId the merchant's signatures carry: the SHA-1 of its certificate.
func (m *Merchant) KeyID() string { return signing.IDEAL2KeyID(m.Certificate) }

// ClientConfig returns the configuration of our client for this merchant
// against a sandbox at sandboxURL (scheme and host) whose response-signing
// certificate is server.
func (m *Merchant) ClientConfig(sandboxURL string, server *x509.Certificate) client.Config {
	return client.Config{
		BaseURL:             sandboxURL + PISBasePath,
		MerchantID:          m.ID,
		SubID:               m.SubID,
		ClientName:          m.ClientName,
		MerchantKey:         m.Key,
		MerchantCertificate: m.Certificate,
		ServerCertificate:   server,
	}
}

// String keeps the private key out of logs.
func (m *Merchant) String() string {
	return fmt.Sprintf("ideal2 sandbox merchant{Id: %s, Client: %s, keyId: %s, key: [redacted]}", m.ID, m.ClientName, m.KeyID())
}

// GoString keeps the private key out of %#v.
func (m *Merchant) GoString() string { return m.String() }

// KeyPEM returns the private key as PKCS#8 PEM, the form ideal2.LoadKeyPair reads.
func (m *Merchant) KeyPEM() ([]byte, error) {
	if m.Key == nil {
		return nil, errors.New("ideal2 sandbox: the merchant has no key")
	}
	der, err := x509.MarshalPKCS8PrivateKey(m.Key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// CertificatePEM returns the certificate as PEM.
func (m *Merchant) CertificatePEM() []byte { return certificatePEM(m.Certificate) }

func certificatePEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// newKeyPair makes a 2048-bit RSA key and a self-signed certificate valid
// from an hour ago for ten years (a test clock moved forward stays inside it).
func newKeyPair(cn string) (*rsa.PrivateKey, *x509.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, fmt.Errorf("ideal2 sandbox: generate key: %w", err)
	}
	cert, err := selfSigned(cn, key)
	if err != nil {
		return nil, nil, err
	}
	return key, cert, nil
}

func selfSigned(cn string, key *rsa.PrivateKey) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"betaalkit sandbox"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("ideal2 sandbox: self-sign certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}
