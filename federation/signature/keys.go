package signature

// RSA keys as actors publish them (publicKeyPem) and as the node stores its
// own: PEM encoding, decoding and the size and exponent rules of D27.

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// maxKeyPEMBytes bounds PEM input; an 8192-bit public key is ~1.5 KB.
const maxKeyPEMBytes = 16 << 10

// checkRSAPublicKey enforces D27: 2048..8192-bit modulus, exponent 65537.
func checkRSAPublicKey(pub *rsa.PublicKey) error {
	if pub.N == nil || pub.N.Sign() <= 0 {
		return errors.New("rsa key has no modulus")
	}
	if bits := pub.N.BitLen(); bits < MinRSAKeyBits || bits > MaxRSAKeyBits {
		return fmt.Errorf("rsa modulus of %d bits outside %d..%d", bits, MinRSAKeyBits, MaxRSAKeyBits)
	}
	if pub.E != 65537 {
		return fmt.Errorf("rsa public exponent %d is not 65537", pub.E)
	}
	return nil
}

// singlePEMBlock decodes exactly one PEM block with no headers and nothing
// but whitespace around it.
func singlePEMBlock(s string) (*pem.Block, error) {
	if len(s) > maxKeyPEMBytes {
		return nil, errors.New("PEM input too large")
	}
	trimmed := bytes.TrimSpace([]byte(s))
	if !bytes.HasPrefix(trimmed, []byte("-----BEGIN ")) {
		return nil, errors.New("not a PEM block")
	}
	block, rest := pem.Decode(trimmed)
	if block == nil {
		return nil, errors.New("invalid PEM")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("trailing data after PEM block")
	}
	if len(block.Headers) != 0 {
		return nil, errors.New("PEM headers not supported")
	}
	return block, nil
}

// ParsePublicKeyPEM parses an RSA public key as published in an actor's
// publicKeyPem: a "PUBLIC KEY" (PKIX) or "RSA PUBLIC KEY" (PKCS#1) block;
// both occur in the wild. It refuses other key types, extra data, moduli
// outside MinRSAKeyBits..MaxRSAKeyBits and exponents other than 65537.
func ParsePublicKeyPEM(s string) (*rsa.PublicKey, error) {
	block, err := singlePEMBlock(s)
	if err != nil {
		return nil, fmt.Errorf("signature: public key: %w", err)
	}
	var pub *rsa.PublicKey
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signature: public key: %w", err)
		}
		var ok bool
		if pub, ok = k.(*rsa.PublicKey); !ok {
			return nil, fmt.Errorf("signature: public key: %T is not RSA", k)
		}
	case "RSA PUBLIC KEY":
		if pub, err = x509.ParsePKCS1PublicKey(block.Bytes); err != nil {
			return nil, fmt.Errorf("signature: public key: %w", err)
		}
	default:
		return nil, fmt.Errorf("signature: public key: unexpected PEM type %q", block.Type)
	}
	if err := checkRSAPublicKey(pub); err != nil {
		return nil, fmt.Errorf("signature: public key: %w", err)
	}
	return pub, nil
}

// GenerateKey returns a new RSA-2048 key for an actor.
func GenerateKey() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 2048)
}

// EncodePrivateKeyPEM encodes key as a PKCS#8 "PRIVATE KEY" PEM block. It
// panics if key is invalid, which cannot happen for keys from GenerateKey or
// DecodePrivateKeyPEM.
func EncodePrivateKeyPEM(key *rsa.PrivateKey) string {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic("signature: EncodePrivateKeyPEM: " + err.Error())
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// DecodePrivateKeyPEM decodes an RSA private key from a PKCS#8 "PRIVATE KEY"
// or PKCS#1 "RSA PRIVATE KEY" PEM block.
func DecodePrivateKeyPEM(s string) (*rsa.PrivateKey, error) {
	block, err := singlePEMBlock(s)
	if err != nil {
		return nil, fmt.Errorf("signature: private key: %w", err)
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signature: private key: %w", err)
		}
		var ok bool
		if key, ok = k.(*rsa.PrivateKey); !ok {
			return nil, fmt.Errorf("signature: private key: %T is not RSA", k)
		}
	case "RSA PRIVATE KEY":
		if key, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			return nil, fmt.Errorf("signature: private key: %w", err)
		}
	default:
		return nil, fmt.Errorf("signature: private key: unexpected PEM type %q", block.Type)
	}
	if err := checkRSAPublicKey(&key.PublicKey); err != nil {
		return nil, fmt.Errorf("signature: private key: %w", err)
	}
	return key, nil
}

// EncodePublicKeyPEM encodes pub as a PKIX "PUBLIC KEY" PEM block, the form
// Mastodon publishes in publicKeyPem.
func EncodePublicKeyPEM(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil { // only for unsupported key types; *rsa.PublicKey is supported
		panic("signature: EncodePublicKeyPEM: " + err.Error())
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
