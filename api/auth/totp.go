package auth

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// NewTOTP makes a TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s) for an
// account and returns it in base32 with its otpauth:// URI, for an
// authenticator app (typed in or pasted: the pages show no QR code).
func NewTOTP(issuer, account string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account})
	if err != nil {
		return "", "", err
	}
	return key.Secret(), key.URL(), nil
}

// TOTPURI is the otpauth:// URI of an existing secret.
func TOTPURI(issuer, account, secret string) string {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account,
		Secret: mustBase32(secret)})
	if err != nil {
		return ""
	}
	return key.URL()
}

func mustBase32(s string) []byte {
	b, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(s))
	return b
}

// TOTPStep checks a 6-digit code at time t, one 30-second step either
// side allowed for clock drift, and returns the time step (Unix time / 30)
// whose code it is, for the caller to refuse a second use.
func TOTPStep(code, secret string, t time.Time) (int64, bool) {
	code = strings.Join(strings.Fields(code), "")
	now := t.Unix() / totpPeriod
	for _, step := range []int64{now, now - 1, now + 1} {
		ok, err := totp.ValidateCustom(code, secret, time.Unix(step*totpPeriod, 0), totp.ValidateOpts{Period: totpPeriod,
			Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && ok {
			return step, true
		}
	}
	return 0, false
}

const totpPeriod = 30

// TOTPCode returns the code of a secret at time t (for tests and demos).
func TOTPCode(secret string, t time.Time) string {
	c, _ := totp.GenerateCode(secret, t)
	return c
}

// recoveryAlphabet has no look-alike characters (0/O, 1/l/I).
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// NewRecoveryCodes returns n one-time codes such as "k7dm-2xq9-pa4t".
func NewRecoveryCodes(n int) []string {
	out := make([]string, n)
	for i := range out {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		var sb strings.Builder
		for j, x := range b {
			if j > 0 && j%4 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlphabet[int(x)%len(recoveryAlphabet)])
		}
		out[i] = sb.String()
	}
	return out
}

// RecoveryCodeHash is the stored form of a recovery code; case, spaces and
// dashes do not matter.
func RecoveryCodeHash(code string) []byte {
	c := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(code))
	return TokenHash("recovery:" + c)
}
