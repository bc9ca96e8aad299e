package bootstraptoken

import (
	"errors"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

type secrets map[string]*corev1.Secret

func (s secrets) Get(name string) (*corev1.Secret, error) {
	if v, ok := s[name]; ok {
		return v, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("secrets"), name)
}

type failing struct{}

func (failing) Get(string) (*corev1.Secret, error) { return nil, errors.New("cache not synced") }

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const token = "abcdef.0123456789abcdef"

func TestAuthenticateToken(t *testing.T) {
	valid := func(mutate ...func(*corev1.Secret)) *corev1.Secret {
		s, err := NewSecret(token, now.Add(time.Hour), "system:bootstrappers:hanok:agents")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mutate {
			m(s)
		}
		return s
	}
	set := func(k, v string) func(*corev1.Secret) { return func(s *corev1.Secret) { s.Data[k] = []byte(v) } }
	unset := func(k string) func(*corev1.Secret) { return func(s *corev1.Secret) { delete(s.Data, k) } }
	user := &authn.User{Name: "system:bootstrap:abcdef", Groups: []string{"system:bootstrappers", "system:bootstrappers:hanok:agents"}}

	tests := []struct {
		name   string
		token  string
		secret *corev1.Secret
		want   *authn.User
	}{
		{"valid", token, valid(), user},
		{"no expiry", token, valid(unset(KeyExpiration)), user},
		{"no extra groups", token, valid(unset(KeyAuthExtraGroups)), &authn.User{Name: "system:bootstrap:abcdef", Groups: []string{"system:bootstrappers"}}},
		{"extra groups de-duplicated and sorted", token, valid(set(KeyAuthExtraGroups, "system:bootstrappers:b,system:bootstrappers:a,system:bootstrappers:b")),
			&authn.User{Name: "system:bootstrap:abcdef", Groups: []string{"system:bootstrappers", "system:bootstrappers:a", "system:bootstrappers:b"}}},
		{"wrong secret", "abcdef.0123456789abcdee", valid(), nil},
		{"unknown id", "zzzzzz.0123456789abcdef", valid(), nil},
		{"expired", token, valid(set(KeyExpiration, now.Add(-time.Second).Format(time.RFC3339))), nil},
		{"unreadable expiry", token, valid(set(KeyExpiration, "tomorrow")), nil},
		{"not for authentication", token, valid(set(KeyUsageAuth, "false")), nil},
		{"usage missing", token, valid(unset(KeyUsageAuth)), nil},
		{"wrong type", token, valid(func(s *corev1.Secret) { s.Type = corev1.SecretTypeOpaque }), nil},
		{"id mismatch", token, valid(set(KeyTokenID, "zzzzzz")), nil},
		{"being deleted", token, valid(func(s *corev1.Secret) { d := metav1.NewTime(now); s.DeletionTimestamp = &d }), nil},
		{"bad extra group", token, valid(set(KeyAuthExtraGroups, "system:masters")), nil},
		{"upper case", "ABCDEF.0123456789ABCDEF", valid(), nil},
		{"too short", "abcdef.0123456789abcde", valid(), nil},
		{"jwt", "e30.e30.e30", valid(), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := New(secrets{tc.secret.Name: tc.secret})
			a.Now = func() time.Time { return now }
			u, ok, err := a.AuthenticateToken(t.Context(), tc.token)
			if err != nil {
				t.Fatal(err)
			}
			if ok != (tc.want != nil) || !reflect.DeepEqual(u, tc.want) {
				t.Errorf("got (%v, %v), want %v", u, ok, tc.want)
			}
		})
	}
}

func TestLookupErrorIsAnError(t *testing.T) {
	if _, ok, err := New(failing{}).AuthenticateToken(t.Context(), token); ok || err == nil {
		t.Errorf("got %v %v", ok, err)
	}
}

func TestAuthenticateRequest(t *testing.T) {
	s, _ := NewSecret(token, time.Time{})
	a := New(secrets{s.Name: s})
	for h, want := range map[string]bool{"Bearer " + token: true, "bearer " + token: true, token: false, "Basic " + token: false, "": false} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", h)
		if _, ok, err := a.Authenticate(r); ok != want || err != nil {
			t.Errorf("%q: %v %v", h, ok, err)
		}
	}
}

func TestGenerateAndParse(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		id, secret, err := Parse(tok)
		if err != nil || id+"."+secret != tok || seen[tok] {
			t.Fatalf("%q: %q %q %v", tok, id, secret, err)
		}
		seen[tok] = true
	}
	if _, err := NewSecret(token, time.Time{}, "devs"); err == nil {
		t.Error("extra group outside system:bootstrappers accepted")
	}
	if _, err := NewSecret("nope", time.Time{}); err == nil {
		t.Error("malformed token accepted")
	}
}

func FuzzAuthenticateToken(f *testing.F) {
	s, _ := NewSecret(token, now.Add(time.Hour))
	a := New(secrets{s.Name: s})
	a.Now = func() time.Time { return now }
	for _, seed := range []string{"", ".", "abcdef.0123456789abcdee", "abcdef.0123456789abcdef0", "e30.e30.e30"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		u, ok, err := a.AuthenticateToken(t.Context(), tok)
		if err != nil {
			t.Fatal(err)
		}
		if ok != (tok == token) || ok && u.Name != "system:bootstrap:abcdef" {
			t.Fatalf("%q: %v %v", tok, u, ok)
		}
	})
}
