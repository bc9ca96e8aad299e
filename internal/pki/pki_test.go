package pki

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func testOptions(t *testing.T) Options {
	t.Helper()
	_, svc, err := net.ParseCIDR("10.43.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	return Options{
		Dir:           filepath.Join(t.TempDir(), "server", "tls"),
		NodeIP:        net.ParseIP("192.168.5.10"),
		Hostname:      "node-a",
		ClusterDomain: "cluster.local",
		ServiceCIDR:   svc,
		SANs:          []string{"10.0.0.7", "api.example.com"},
	}
}

func mustEnsure(t *testing.T, opts Options) *Bundle {
	t.Helper()
	b, err := EnsureServer(opts)
	if err != nil {
		t.Fatalf("EnsureServer: %v", err)
	}
	return b
}

// snapshot reads every file under dir, to compare two runs byte for byte.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		files[path] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestEnsureServerCreatesLayout(t *testing.T) {
	opts := testOptions(t)
	mustEnsure(t, opts)
	want := map[string]os.FileMode{
		"server-ca.crt": certMode, "server-ca.key": keyMode,
		"client-ca.crt": certMode, "client-ca.key": keyMode,
		"serving-kube-apiserver.crt": certMode, "serving-kube-apiserver.key": keyMode,
		"client-admin.crt": certMode, "client-admin.key": keyMode,
		"service.key":        keyMode,
		"etcd/server-ca.crt": certMode, "etcd/server-ca.key": keyMode,
		"etcd/peer-ca.crt": certMode, "etcd/peer-ca.key": keyMode,
		"etcd/server-client.crt": certMode, "etcd/server-client.key": keyMode,
		"etcd/peer-server-client.crt": certMode, "etcd/peer-server-client.key": keyMode,
		"etcd/client.crt": certMode, "etcd/client.key": keyMode,
	}
	got := snapshot(t, opts.Dir)
	if len(got) != len(want) {
		t.Errorf("got %d files, want %d: %v", len(got), len(want), slices.Sorted(mapKeys(got)))
	}
	for name, mode := range want {
		fi, err := os.Stat(filepath.Join(opts.Dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v", name, fi.Mode().Perm(), mode)
		}
	}
}

func mapKeys(m map[string][]byte) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestEnsureServerReusesFiles(t *testing.T) {
	opts := testOptions(t)
	first := mustEnsure(t, opts)
	before := snapshot(t, opts.Dir)
	second := mustEnsure(t, opts)
	after := snapshot(t, opts.Dir)
	if len(before) != len(after) {
		t.Fatalf("file count changed: %d -> %d", len(before), len(after))
	}
	for path, data := range before {
		if !bytes.Equal(data, after[path]) {
			t.Errorf("%s was rewritten", path)
		}
	}
	pairs := []struct {
		name string
		a, b *x509.Certificate
	}{
		{"server-ca", first.ServerCA.Cert, second.ServerCA.Cert},
		{"client-ca", first.ClientCA.Cert, second.ClientCA.Cert},
		{"serving", first.Serving.Cert, second.Serving.Cert},
		{"admin", first.Admin.Cert, second.Admin.Cert},
		{"etcd server", first.Etcd.Server.Cert, second.Etcd.Server.Cert},
		{"etcd peer", first.Etcd.Peer.Cert, second.Etcd.Peer.Cert},
		{"etcd client", first.Etcd.Client.Cert, second.Etcd.Client.Cert},
	}
	for _, p := range pairs {
		if p.a.SerialNumber.Cmp(p.b.SerialNumber) != 0 {
			t.Errorf("%s: serial changed", p.name)
		}
	}
	if CAHash(first.ServerCAPEM()) != CAHash(second.ServerCAPEM()) {
		t.Error("server CA hash changed")
	}
}

func TestServingAndEtcdSANs(t *testing.T) {
	opts := testOptions(t)
	b := mustEnsure(t, opts)
	tests := []struct {
		name string
		cert *x509.Certificate
		dns  []string
		ips  []string
	}{
		{
			name: "apiserver",
			cert: b.Serving.Cert,
			dns: []string{"localhost", "node-a", "kubernetes", "kubernetes.default",
				"kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "api.example.com"},
			ips: []string{"127.0.0.1", "::1", "192.168.5.10", "10.43.0.1", "10.0.0.7"},
		},
		{
			name: "etcd server",
			cert: b.Etcd.Server.Cert,
			dns:  []string{"localhost", "node-a"},
			ips:  []string{"127.0.0.1", "192.168.5.10"},
		},
		{
			name: "etcd peer",
			cert: b.Etcd.Peer.Cert,
			dns:  []string{"localhost", "node-a"},
			ips:  []string{"127.0.0.1", "192.168.5.10"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, d := range tt.dns {
				if err := tt.cert.VerifyHostname(d); err != nil {
					t.Errorf("DNS %s: %v", d, err)
				}
			}
			for _, ip := range tt.ips {
				if err := tt.cert.VerifyHostname(ip); err != nil {
					t.Errorf("IP %s: %v", ip, err)
				}
			}
		})
	}
	if got := b.Serving.Cert.NotAfter.Sub(b.Serving.Cert.NotBefore); got > LeafValidity+clockSkew {
		t.Errorf("leaf lifetime %v, want <= %v", got, LeafValidity+clockSkew)
	}
	if got := b.ServerCA.Cert.NotAfter.Sub(time.Now()); got < CAValidity-time.Hour {
		t.Errorf("CA lifetime %v, want about %v", got, CAValidity)
	}
}

func TestAddingSANReissuesServingCert(t *testing.T) {
	opts := testOptions(t)
	first := mustEnsure(t, opts)
	opts.SANs = append(opts.SANs, "203.0.113.9", "k8s.example.org")
	second := mustEnsure(t, opts)

	if first.Serving.Cert.SerialNumber.Cmp(second.Serving.Cert.SerialNumber) == 0 {
		t.Fatal("serving cert was not re-issued")
	}
	for _, name := range []string{"203.0.113.9", "k8s.example.org", "api.example.com"} {
		if err := second.Serving.Cert.VerifyHostname(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := second.Serving.Cert.Verify(x509.VerifyOptions{Roots: first.ServerCA.Pool}); err != nil {
		t.Errorf("re-issued cert does not verify against the same CA: %v", err)
	}
	if !bytes.Equal(first.ServerCAPEM(), second.ServerCAPEM()) {
		t.Error("server CA changed")
	}
	if !bytes.Equal(first.Admin.CertPEM, second.Admin.CertPEM) {
		t.Error("admin cert was re-issued, only the serving cert should be")
	}
	// Removing a SAN does not force a new certificate: extra names are harmless.
	opts.SANs = nil
	third := mustEnsure(t, opts)
	if !bytes.Equal(second.Serving.CertPEM, third.Serving.CertPEM) {
		t.Error("serving cert re-issued although its SANs still cover the request")
	}
}

func TestRenewalNearExpiry(t *testing.T) {
	opts := testOptions(t)
	start := time.Now()
	first, err := ensureServer(opts, func() time.Time { return start })
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		after   time.Duration
		renewed bool
	}{
		{"200 days in, 165 left", 200 * 24 * time.Hour, false},
		{"250 days in, 115 left", 250 * 24 * time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := start.Add(tt.after)
			b, err := ensureServer(opts, func() time.Time { return now })
			if err != nil {
				t.Fatal(err)
			}
			renewed := !bytes.Equal(first.Serving.CertPEM, b.Serving.CertPEM)
			if renewed != tt.renewed {
				t.Errorf("serving cert renewed = %v, want %v", renewed, tt.renewed)
			}
			if !bytes.Equal(first.ServerCAPEM(), b.ServerCAPEM()) || !bytes.Equal(first.ClientCAPEM(), b.ClientCAPEM()) {
				t.Error("a CA changed; CAs must never be renewed implicitly")
			}
			if tt.renewed && !b.Serving.Cert.NotAfter.After(now.Add(RenewBefore)) {
				t.Errorf("renewed cert still expires %v", b.Serving.Cert.NotAfter)
			}
		})
	}
}

func TestCACertWithoutKeyFails(t *testing.T) {
	opts := testOptions(t)
	mustEnsure(t, opts)
	if err := os.Remove(filepath.Join(opts.Dir, "client-ca.key")); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsureServer(opts); err == nil {
		t.Fatal("EnsureServer succeeded with a CA cert but no key")
	}
}

func TestReplacedCAReissuesLeaves(t *testing.T) {
	opts := testOptions(t)
	first := mustEnsure(t, opts)
	for _, f := range []string{"client-ca.crt", "client-ca.key"} {
		if err := os.Remove(filepath.Join(opts.Dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	second := mustEnsure(t, opts)
	if bytes.Equal(first.ClientCAPEM(), second.ClientCAPEM()) {
		t.Fatal("client CA was not recreated")
	}
	if _, err := second.Admin.Cert.Verify(x509.VerifyOptions{
		Roots:     second.ClientCA.Pool,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}); err != nil {
		t.Errorf("admin cert not re-issued from the new client CA: %v", err)
	}
}

func TestIssueClientCert(t *testing.T) {
	b := mustEnsure(t, testOptions(t))
	tests := []struct {
		name, cn string
		orgs     []string
	}{
		{"kubelet", "system:node:node-a", []string{"system:nodes"}},
		{"scheduler", "system:kube-scheduler", nil},
		{"controller", "system:kube-controller-manager", nil},
		{"kube-proxy", "system:kube-proxy", []string{"system:node-proxier"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certPEM, keyPEM, err := b.IssueClientCert(tt.name, tt.cn, tt.orgs)
			if err != nil {
				t.Fatal(err)
			}
			pair, err := tls.X509KeyPair(certPEM, keyPEM)
			if err != nil {
				t.Fatal(err)
			}
			cert := pair.Leaf
			if _, err := cert.Verify(x509.VerifyOptions{
				Roots:     b.ClientCA.Pool,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
			}); err != nil {
				t.Errorf("does not verify against client-ca: %v", err)
			}
			if cert.Subject.CommonName != tt.cn || !sameSet(cert.Subject.Organization, tt.orgs) {
				t.Errorf("subject %v, want CN=%s O=%v", cert.Subject, tt.cn, tt.orgs)
			}
			onDisk, err := os.ReadFile(filepath.Join(b.Dir, "client-"+tt.name+".crt"))
			if err != nil || !bytes.Equal(onDisk, certPEM) {
				t.Errorf("client-%s.crt not written: %v", tt.name, err)
			}
			again, _, err := b.IssueClientCert(tt.name, tt.cn, tt.orgs)
			if err != nil || !bytes.Equal(again, certPEM) {
				t.Errorf("second call re-issued the cert (err %v)", err)
			}
		})
	}

	t.Run("changed groups re-issue", func(t *testing.T) {
		before, _, err := b.IssueClientCert("kube-proxy", "system:kube-proxy", []string{"system:node-proxier"})
		if err != nil {
			t.Fatal(err)
		}
		after, _, err := b.IssueClientCert("kube-proxy", "system:kube-proxy", []string{"system:node-proxier", "extra"})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(before, after) {
			t.Error("cert not re-issued for new groups")
		}
	})

	for _, bad := range []string{"", "..", "../x", "a/b", ".hidden", "admin"} {
		if _, _, err := b.IssueClientCert(bad, "x", nil); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
}

func TestIssueServingCert(t *testing.T) {
	b := mustEnsure(t, testOptions(t))
	certPEM, keyPEM, err := b.IssueServingCert("kubelet", []string{"node-a", "192.168.5.10", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"node-a", "192.168.5.10", "127.0.0.1"} {
		if _, err := pair.Leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: b.ServerCA.Pool}); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	again, _, err := b.IssueServingCert("kubelet", []string{"192.168.5.10"})
	if err != nil || !bytes.Equal(again, certPEM) {
		t.Errorf("a subset of the hosts re-issued the cert (err %v)", err)
	}
	if _, _, err := b.IssueServingCert("empty", nil); err == nil {
		t.Error("serving cert without hosts accepted")
	}
}

func TestFirstIP(t *testing.T) {
	tests := []struct{ cidr, want string }{
		{"10.43.0.0/16", "10.43.0.1"},
		{"10.43.5.7/16", "10.43.0.1"},
		{"fd00:43::/112", "fd00:43::1"},
	}
	for _, tt := range tests {
		_, n, err := net.ParseCIDR(tt.cidr)
		if err != nil {
			t.Fatal(err)
		}
		if got := firstIP(n); got.String() != tt.want {
			t.Errorf("firstIP(%s) = %s, want %s", tt.cidr, got, tt.want)
		}
	}
	if firstIP(nil) != nil {
		t.Error("firstIP(nil) != nil")
	}
}

func TestCAHash(t *testing.T) {
	// sha256("x"), as `printf x | sha256sum` prints it.
	const want = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
	if got := CAHash([]byte("x")); got != want {
		t.Errorf("CAHash = %s, want %s", got, want)
	}
}
