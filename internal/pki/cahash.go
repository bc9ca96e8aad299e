package pki

import (
	"crypto/sha256"
	"encoding/hex"
)

// CAHash is the hex SHA-256 of a CA certificate's PEM bytes, as k3s puts it
// in join tokens (K10<hash>::...): a joining node fetches /cacerts and
// accepts the server only if the bytes hash to this value. Pass the bytes
// exactly as stored (Bundle.ServerCAPEM), never a re-encoding.
func CAHash(caPEM []byte) string {
	sum := sha256.Sum256(caPEM)
	return hex.EncodeToString(sum[:])
}
