package bootstraptoken

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Upstream's names for bootstrap-token Secrets and users.
const (
	SecretType      corev1.SecretType = "bootstrap.kubernetes.io/token"
	SecretPrefix                      = "bootstrap-token-"
	SecretNamespace                   = "kube-system"

	KeyTokenID         = "token-id"
	KeyTokenSecret     = "token-secret"
	KeyExpiration      = "expiration"
	KeyDescription     = "description"
	KeyUsageAuth       = "usage-bootstrap-authentication"
	KeyUsageSigning    = "usage-bootstrap-signing"
	KeyAuthExtraGroups = "auth-extra-groups"

	UserPrefix   = "system:bootstrap:"
	DefaultGroup = "system:bootstrappers"
)

var (
	tokenPattern      = regexp.MustCompile(`^([a-z0-9]{6})\.([a-z0-9]{16})$`)
	extraGroupPattern = regexp.MustCompile(`^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$`)
)

// Parse splits a token into its public id and its secret.
func Parse(token string) (id, secret string, err error) {
	m := tokenPattern.FindStringSubmatch(token)
	if m == nil {
		return "", "", fmt.Errorf("token does not match %s", tokenPattern)
	}
	return m[1], m[2], nil
}

// Generate makes a random token.
func Generate() (string, error) {
	id, err := randomString(6)
	if err != nil {
		return "", err
	}
	secret, err := randomString(16)
	if err != nil {
		return "", err
	}
	return id + "." + secret, nil
}

const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"

func randomString(n int) (string, error) {
	var b strings.Builder
	max := big.NewInt(int64(len(alphabet)))
	for range n {
		i, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b.WriteByte(alphabet[i.Int64()])
	}
	return b.String(), nil
}

// NewSecret is the Secret that makes token valid for authentication until
// expires (zero: no expiry), for the given extra groups (each
// system:bootstrappers:...).
func NewSecret(token string, expires time.Time, extraGroups ...string) (*corev1.Secret, error) {
	id, secret, err := Parse(token)
	if err != nil {
		return nil, err
	}
	for _, g := range extraGroups {
		if !extraGroupPattern.MatchString(g) {
			return nil, fmt.Errorf("extra group %q does not match %s", g, extraGroupPattern)
		}
	}
	data := map[string][]byte{
		KeyTokenID:     []byte(id),
		KeyTokenSecret: []byte(secret),
		KeyUsageAuth:   []byte("true"),
	}
	if !expires.IsZero() {
		data[KeyExpiration] = []byte(expires.UTC().Format(time.RFC3339))
	}
	if len(extraGroups) > 0 {
		data[KeyAuthExtraGroups] = []byte(strings.Join(extraGroups, ","))
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: SecretNamespace, Name: SecretPrefix + id},
		Type:       SecretType,
		Data:       data,
	}, nil
}
