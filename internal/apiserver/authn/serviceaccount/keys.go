package serviceaccount

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// signatureAlgorithms are the only algorithms a token may claim: the ones
// our keys sign with. Everything else ("none", HMAC with a public key as
// secret) is refused before any key is tried.
var signatureAlgorithms = []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.ES512, jose.RS256}

// algorithmFor picks the JWS algorithm for a key, as upstream does.
func algorithmFor(pub crypto.PublicKey) (jose.SignatureAlgorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return jose.ES256, nil
		case elliptic.P384():
			return jose.ES384, nil
		case elliptic.P521():
			return jose.ES512, nil
		}
		return "", fmt.Errorf("unsupported ECDSA curve %s", k.Curve.Params().Name)
	case *rsa.PublicKey:
		return jose.RS256, nil
	}
	return "", fmt.Errorf("unsupported service-account key type %T", pub)
}

// KeyID is the "kid" of a public key: the unpadded URL-safe base64 of the
// SHA-256 of its PKIX DER form, which is what upstream publishes in its
// JWKS, so tokens and keys can be matched across servers.
func KeyID(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// newSigner signs with the private key under its key ID.
func newSigner(key crypto.Signer) (jose.Signer, error) {
	alg, err := algorithmFor(key.Public())
	if err != nil {
		return nil, err
	}
	kid, err := KeyID(key.Public())
	if err != nil {
		return nil, err
	}
	var k any
	switch key := key.(type) {
	case *ecdsa.PrivateKey, *rsa.PrivateKey:
		k = key
	default:
		return nil, fmt.Errorf("unsupported service-account private key type %T", key)
	}
	return jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: k, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
}

// verifyKey is a public key with its ID.
type verifyKey struct {
	id  string
	key crypto.PublicKey
}

func newVerifyKeys(keys []crypto.PublicKey) ([]verifyKey, error) {
	out := make([]verifyKey, 0, len(keys))
	for _, k := range keys {
		if _, err := algorithmFor(k); err != nil {
			return nil, err
		}
		id, err := KeyID(k)
		if err != nil {
			return nil, err
		}
		out = append(out, verifyKey{id: id, key: k})
	}
	return out, nil
}
