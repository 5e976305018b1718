package signature

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
)

// syntheticModulus returns an odd number of exactly bits bits; no need for a
// real key to test size limits.
func syntheticModulus(bits int) *big.Int {
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	return n.Add(n, big.NewInt(12345)) // odd, top bit set
}

func pemString(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func TestParsePublicKeyPEM(t *testing.T) {
	key := testKey(t)
	pub := &key.PublicKey
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pkixPEM := pemString("PUBLIC KEY", pkix)
	pkcs1PEM := pemString("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(pub))
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	synth := func(bits, e int) string {
		der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: syntheticModulus(bits), E: e})
		if err != nil {
			t.Fatal(err)
		}
		return pemString("PUBLIC KEY", der)
	}
	withHeaders := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: pkix}))

	tests := []struct {
		name, in string
		ok       bool
	}{
		{"PKIX", pkixPEM, true},
		{"PKIX as in actor JSON (trailing newline, leading space)", " \n" + pkixPEM + "\n", true},
		{"PKCS#1", pkcs1PEM, true},
		{"EncodePublicKeyPEM output", EncodePublicKeyPEM(pub), true},
		{"4096 bits synthetic", synth(4096, 65537), true},
		{"8192 bits synthetic", synth(8192, 65537), true},
		{"empty", "", false},
		{"garbage", "hello world", false},
		{"garbage PEM body", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", false},
		{"EC key", pemString("PUBLIC KEY", ecDER), false},
		{"1024 bits", synth(1024, 65537), false},
		{"2047 bits", synth(2047, 65537), false},
		{"8193 bits", synth(8193, 65537), false},
		{"16384 bits", synth(16384, 65537), false},
		{"exponent 3", synth(2048, 3), false},
		{"two blocks", pkixPEM + pkcs1PEM, false},
		{"trailing data", pkixPEM + "junk", false},
		{"leading data", "junk\n" + pkixPEM, false},
		{"wrong block type", pemString("CERTIFICATE", pkix), false},
		{"PKCS#1 DER in PUBLIC KEY block", pemString("PUBLIC KEY", x509.MarshalPKCS1PublicKey(pub)), false},
		{"PKIX DER in RSA PUBLIC KEY block", pemString("RSA PUBLIC KEY", pkix), false},
		{"private key", EncodePrivateKeyPEM(key), false},
		{"PEM headers", withHeaders, false},
		{"huge input", strings.Repeat("A", 1<<20), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePublicKeyPEM(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("ok=%v, err=%v", tt.ok, err)
			}
			if tt.ok && strings.Contains(tt.name, "PK") && !got.Equal(pub) {
				t.Fatal("parsed key differs")
			}
		})
	}
}

func TestPEMPrivateKeyRoundTrip(t *testing.T) {
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if k.N.BitLen() != 2048 {
		t.Fatalf("bits = %d", k.N.BitLen())
	}
	enc := EncodePrivateKeyPEM(k)
	if !strings.HasPrefix(enc, "-----BEGIN PRIVATE KEY-----\n") {
		t.Fatalf("not PKCS#8: %q", enc[:40])
	}
	dec, err := DecodePrivateKeyPEM(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !dec.Equal(k) {
		t.Fatal("round trip changed the key")
	}
	pkcs1 := pemString("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k))
	if dec, err := DecodePrivateKeyPEM(pkcs1); err != nil || !dec.Equal(k) {
		t.Fatalf("PKCS#1: %v", err)
	}
	pub, err := ParsePublicKeyPEM(EncodePublicKeyPEM(&k.PublicKey))
	if err != nil || !pub.Equal(&k.PublicKey) {
		t.Fatalf("public round trip: %v", err)
	}
	for _, bad := range []string{"", "x", EncodePublicKeyPEM(&k.PublicKey), enc + enc} {
		if _, err := DecodePrivateKeyPEM(bad); err == nil {
			t.Errorf("DecodePrivateKeyPEM(%.30q) succeeded", bad)
		}
	}
}
