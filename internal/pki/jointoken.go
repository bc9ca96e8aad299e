package pki

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
)

// joinTokenPrefix marks a full join token, as K10 does for k3s.
const joinTokenPrefix = "H10"

// JoinToken is what a node presents to join a cluster, in k3s's shape:
// H10<sha256 of the server CA>::<user>:<secret>. The CA hash lets the node
// refuse a server it did not mean to join before it sends the secret.
type JoinToken struct {
	CAHash string // empty for a bare secret: the CA is then not pinned
	User   string // "node" for agents
	Secret string
}

// ParseJoinToken reads a full token or a bare secret.
func ParseJoinToken(s string) (JoinToken, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return JoinToken{}, fmt.Errorf("empty token")
	}
	if !strings.HasPrefix(s, joinTokenPrefix) {
		return JoinToken{User: "node", Secret: s}, nil
	}
	hash, cred, ok := strings.Cut(strings.TrimPrefix(s, joinTokenPrefix), "::")
	if !ok {
		return JoinToken{}, fmt.Errorf("token %s...: want H10<ca-hash>::<user>:<secret>", s[:min(len(s), 8)])
	}
	if len(hash) != 64 {
		return JoinToken{}, fmt.Errorf("token: the CA hash must be 64 hex digits, got %d characters", len(hash))
	}
	if _, err := hex.DecodeString(hash); err != nil {
		return JoinToken{}, fmt.Errorf("token: the CA hash is not hex")
	}
	user, secret, ok := strings.Cut(cred, ":")
	if !ok || user == "" || secret == "" {
		return JoinToken{}, fmt.Errorf("token: want <user>:<secret> after the CA hash")
	}
	return JoinToken{CAHash: hash, User: user, Secret: secret}, nil
}

// String is the full token form.
func (t JoinToken) String() string {
	return joinTokenPrefix + t.CAHash + "::" + t.User + ":" + t.Secret
}

// NewJoinSecret is a random secret for a cluster started without --token.
func NewJoinSecret() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
