package webhook

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// serviceCert is a self-signed certificate for name, valid on 127.0.0.1
// too; it is its own caBundle.
func serviceCert(t *testing.T, name string) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		DNSNames: []string{name}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// listers builds client-go listers over fixed objects, as an informer's
// would be.
func listers(t *testing.T, objs ...any) (corelisters.ServiceLister, corelisters.EndpointsLister) {
	svcs := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	eps := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for _, o := range objs {
		var err error
		switch o.(type) {
		case *corev1.Service:
			err = svcs.Add(o)
		case *corev1.Endpoints:
			err = eps.Add(o)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return corelisters.NewServiceLister(svcs), corelisters.NewEndpointsLister(eps)
}

// TestServiceReference: a webhook named by service is called at the
// endpoint behind the service port, and its certificate is checked for
// <service>.<namespace>.svc.
func TestServiceReference(t *testing.T) {
	cert, ca := serviceCert(t, "hook.webhooks.svc")
	srv := httptest.NewUnstartedServer(http.HandlerFunc((&fakeWebhook{respond: deny(0, "from the service")}).serve))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	defer srv.Close()
	_, portStr, _ := net.SplitHostPort(srv.Listener.Addr().String())
	port, _ := strconv.Atoi(portStr)

	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "hook", Namespace: "webhooks"}, Spec: corev1.ServiceSpec{
		Ports: []corev1.ServicePort{{Name: "metrics", Port: 9090}, {Name: "https", Port: 443, TargetPort: intstr.FromInt32(int32(port))}},
	}}
	eps := &corev1.Endpoints{ObjectMeta: svc.ObjectMeta, Subsets: []corev1.EndpointSubset{{
		Addresses: []corev1.EndpointAddress{{IP: "127.0.0.1"}},
		Ports:     []corev1.EndpointPort{{Name: "metrics", Port: 1}, {Name: "https", Port: int32(port)}},
	}}}
	svcLister, epLister := listers(t, svc, eps)

	ref := func(name string, port int32) admissionregistrationv1.WebhookClientConfig {
		return admissionregistrationv1.WebhookClientConfig{CABundle: ca, Service: &admissionregistrationv1.ServiceReference{
			Namespace: "webhooks", Name: name, Port: &port, Path: ptr("/validate")}}
	}
	tests := []struct {
		name    string
		cc      admissionregistrationv1.WebhookClientConfig
		wantMsg string
	}{
		{"resolved", ref("hook", 443), `admission webhook "svc.example.com" denied the request: from the service`},
		{"unknown service", ref("nothere", 443), `service webhooks/nothere`},
		{"unknown port", ref("hook", 8443), `service webhooks/hook has no port 8443`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := NewValidating(Deps{Services: svcLister, Endpoints: epLister, ValidatingConfigs: validatingConfigs{validatingConfig("c",
				validatingHook("svc.example.com", "", nil, func(h *admissionregistrationv1.ValidatingWebhook) { h.ClientConfig = tt.cc }))}})
			_, msg := statusOf(v.Validate(ctx(t), podAttrs(admission.Create, "ns", "p", nil)))
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("got %q, want %q", msg, tt.wantMsg)
			}
		})
	}

	// The same certificate reached by URL fails: it is not valid for
	// 127.0.0.1, only for the service name.
	v := NewValidating(Deps{ValidatingConfigs: validatingConfigs{validatingConfig("c",
		validatingHook("url.example.com", srv.URL+"/validate", ca))}})
	if _, msg := statusOf(v.Validate(ctx(t), podAttrs(admission.Create, "ns", "p", nil))); !strings.Contains(msg, "certificate") {
		t.Errorf("got %q, want a certificate error", msg)
	}
}

func TestServiceAddress(t *testing.T) {
	meta := metav1.ObjectMeta{Name: "s", Namespace: "ns"}
	tests := []struct {
		name    string
		objs    []any
		want    string
		wantErr string
	}{
		{"unnamed single port", []any{
			&corev1.Service{ObjectMeta: meta, Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 443}}}},
			&corev1.Endpoints{ObjectMeta: meta, Subsets: []corev1.EndpointSubset{{
				Addresses: []corev1.EndpointAddress{{IP: "10.42.0.5"}}, Ports: []corev1.EndpointPort{{Port: 8443}}}}},
		}, "10.42.0.5:8443", ""},
		{"external name", []any{
			&corev1.Service{ObjectMeta: meta, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "hooks.example.com"}},
		}, "hooks.example.com:443", ""},
		{"no ready endpoints", []any{
			&corev1.Service{ObjectMeta: meta, Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 443}}}},
			&corev1.Endpoints{ObjectMeta: meta, Subsets: []corev1.EndpointSubset{{
				NotReadyAddresses: []corev1.EndpointAddress{{IP: "10.42.0.5"}}, Ports: []corev1.EndpointPort{{Port: 8443}}}}},
		}, "", "no ready endpoints"},
		{"no endpoints object", []any{
			&corev1.Service{ObjectMeta: meta, Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 443}}}},
		}, "", "endpoints ns/s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e := listers(t, tt.objs...)
			d := &Deps{Services: s, Endpoints: e}
			got, err := d.serviceAddress("ns", "s", 443)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := (&Deps{}).serviceAddress("ns", "s", 443); err == nil {
		t.Error("no listers: no error")
	}
}
