package manager

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// fakeTokens is a TokenRequest API: it issues "<account>-<n>" tokens and
// answers NotFound until the account was created.
type fakeTokens struct {
	client   *fake.Clientset
	now      time.Time
	accounts map[string]bool
	issued   int
	lifetime time.Duration
}

func newFakeTokens() *fakeTokens {
	f := &fakeTokens{client: fake.NewClientset(), now: time.Unix(1_000_000, 0), accounts: map[string]bool{}}
	f.client.PrependReactor("create", "serviceaccounts", func(a k8stesting.Action) (bool, runtime.Object, error) {
		create := a.(k8stesting.CreateAction)
		switch create.GetSubresource() {
		case "":
			sa := create.GetObject().(*corev1.ServiceAccount)
			f.accounts[sa.Name] = true
			return true, sa, nil
		case "token":
			name := create.(k8stesting.CreateActionImpl).Name
			if !f.accounts[name] {
				return true, nil, apierrors.NewNotFound(corev1.Resource("serviceaccounts"), name)
			}
			req := create.GetObject().(*authenticationv1.TokenRequest)
			f.issued++
			f.lifetime = time.Duration(*req.Spec.ExpirationSeconds) * time.Second
			out := req.DeepCopy()
			out.Status.Token = name + "-" + string(rune('0'+f.issued))
			out.Status.ExpirationTimestamp = metav1.NewTime(f.now.Add(f.lifetime))
			return true, out, nil
		}
		return false, nil, nil
	})
	return f
}

func TestTokenSource(t *testing.T) {
	f := newFakeTokens()
	s := newTokenSource(f.client, "job-controller", time.Hour)
	s.now = func() time.Time { return f.now }
	ctx := context.Background()
	get := func(want string) {
		t.Helper()
		got, err := s.get(ctx)
		if err != nil || got != want {
			t.Fatalf("token %q, %v; want %q", got, err, want)
		}
	}

	get("job-controller-1") // the account is created on the way
	if !f.accounts["job-controller"] || f.lifetime != time.Hour {
		t.Fatalf("account created %v, lifetime asked %v", f.accounts["job-controller"], f.lifetime)
	}
	f.now = f.now.Add(47 * time.Minute)
	get("job-controller-1") // cached until 80% of its hour
	f.now = f.now.Add(2 * time.Minute)
	get("job-controller-2") // 49 minutes in: refreshed
	s.reset("job-controller-1")
	get("job-controller-2") // an old token's refusal does not drop the new one
	s.reset("job-controller-2")
	get("job-controller-3")
}

func TestRefreshTime(t *testing.T) {
	issued := time.Unix(0, 0)
	tests := []struct{ lifetime, want time.Duration }{
		{time.Hour, 48 * time.Minute},
		{10 * time.Minute, 8 * time.Minute},
		{0, 0},
	}
	for _, tt := range tests {
		if got := refreshTime(issued, issued.Add(tt.lifetime)).Sub(issued); got != tt.want {
			t.Errorf("lifetime %v: refresh after %v, want %v", tt.lifetime, got, tt.want)
		}
	}
}

// recordingTransport answers requests with a status code, recording the
// Authorization header it saw.
type recordingTransport struct {
	status int
	auth   []string
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.auth = append(r.auth, req.Header.Get("Authorization"))
	return &http.Response{StatusCode: r.status, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

func TestBearerTransport(t *testing.T) {
	f := newFakeTokens()
	s := newTokenSource(f.client, "pod-garbage-collector", time.Hour)
	s.now = func() time.Time { return f.now }
	next := &recordingTransport{status: http.StatusUnauthorized}
	rt := &bearerTransport{source: s, next: next}
	req, _ := http.NewRequest(http.MethodGet, "https://127.0.0.1/api", nil)
	for range 2 {
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if req.Header.Get("Authorization") != "" {
		t.Error("the caller's request was changed")
	}
	// Refused: the second request carries a new token.
	want := []string{"Bearer pod-garbage-collector-1", "Bearer pod-garbage-collector-2"}
	if strings.Join(next.auth, ",") != strings.Join(want, ",") {
		t.Errorf("Authorization headers %v, want %v", next.auth, want)
	}
}
