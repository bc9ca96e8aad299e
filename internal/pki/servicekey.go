package pki

import (
	"crypto"
	"fmt"
)

// ensureKey loads a private key file or creates it. Used for service.key:
// rotating it would invalidate every service-account token in the cluster,
// so an existing key (ECDSA or RSA) is always kept as it is.
func ensureKey(path string) (crypto.Signer, error) {
	data, err := readOptional(path)
	if err != nil {
		return nil, err
	}
	if data != nil {
		key, err := parseKey(data)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
		return key, nil
	}
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	data, err = encodeKey(key)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(path, data, keyMode); err != nil {
		return nil, err
	}
	return key, nil
}
