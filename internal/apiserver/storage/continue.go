package storage

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// continueToken is upstream's pagination token, so tokens look and decode
// the same as kube-apiserver's: base64url(JSON{v, rv, start}) where start is
// the next key relative to the list prefix and rv the revision the first
// page was read at (-1: "continue at the latest revision", handed out with an
// expired token so a client may choose an inconsistent continuation).
type continueToken struct {
	APIVersion      string `json:"v"`
	ResourceVersion int64  `json:"rv"`
	StartKey        string `json:"start"`
}

const continueTokenVersion = "meta.k8s.io/v1"

// encodeContinue builds the token for a list of prefix continuing at key.
func encodeContinue(key, prefix string, rev int64) (string, error) {
	next := strings.TrimPrefix(key, prefix)
	if next == key {
		return "", fmt.Errorf("continue key %q is not below prefix %q", key, prefix)
	}
	out, err := json.Marshal(&continueToken{APIVersion: continueTokenVersion, ResourceVersion: rev, StartKey: next})
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// decodeContinue returns the absolute start key and revision of a token for
// a list of prefix. Errors are 400s naming what is wrong.
func decodeContinue(token, prefix string) (string, int64, error) {
	start, rev, err := parseContinue(token, prefix)
	if err != nil {
		return "", 0, apierrors.NewBadRequest(fmt.Sprintf("invalid continue token: %v", err))
	}
	return start, rev, nil
}

func parseContinue(token, prefix string) (string, int64, error) {
	data, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", 0, fmt.Errorf("continue key is not valid: %v", err)
	}
	var c continueToken
	if err := json.Unmarshal(data, &c); err != nil {
		return "", 0, fmt.Errorf("continue key is not valid: %v", err)
	}
	if c.APIVersion != continueTokenVersion {
		return "", 0, fmt.Errorf("continue key is not valid: server does not recognize this encoded version %q", c.APIVersion)
	}
	if c.ResourceVersion == 0 {
		return "", 0, errors.New("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
	}
	if c.StartKey == "" {
		return "", 0, errors.New("continue key is not valid: encoded start key empty (version meta.k8s.io/v1)")
	}
	// A client could craft "../secrets/x" to page through another resource:
	// a cleaned path can never climb above prefix.
	key := c.StartKey
	if !strings.HasPrefix(key, "/") {
		key = "/" + key
	}
	if cleaned := path.Clean(key); cleaned != key {
		return "", 0, fmt.Errorf("continue key is not valid: %s", c.StartKey)
	}
	return prefix + key[1:], c.ResourceVersion, nil
}

// expiredContinueError is the 410 for a token whose revision etcd has
// compacted; it carries a token (rv -1) to continue inconsistently, as
// upstream does.
func expiredContinueError(startKey, prefix string) error {
	token, err := encodeContinue(startKey, prefix, -1)
	if err != nil {
		return apierrors.NewResourceExpired(continueExpiredMsg)
	}
	st := apierrors.NewResourceExpired(inconsistentContinueMsg)
	st.ErrStatus.ListMeta.Continue = token
	return st
}
