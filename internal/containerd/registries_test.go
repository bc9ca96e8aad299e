package containerd

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/containerd/containerd/v2/core/remotes/docker/config"
	"github.com/google/go-cmp/cmp"
)

func TestHostsFiles(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want map[string]string
	}{{
		name: "plain-HTTP registry mirrored to itself",
		yaml: `mirrors: {"127.0.0.1:5000": {endpoint: ["http://127.0.0.1:5000"]}}`,
		want: map[string]string{"127.0.0.1:5000": `server = "https://127.0.0.1:5000"

[host."http://127.0.0.1:5000"]
  capabilities = ["pull", "resolve"]
`},
	}, {
		name: "docker.io mirrors in order, TLS per endpoint host, scheme defaults to https",
		yaml: `
mirrors:
  docker.io:
    endpoint: ["mirror.local:5000", "http://10.0.0.1:80/cache", "https://registry-1.docker.io"]
configs:
  "mirror.local:5000":
    auth: {username: u, password: p}
    tls: {ca_file: /ca.pem, cert_file: /c.pem, key_file: /k.pem, insecure_skip_verify: true}
`,
		want: map[string]string{
			"docker.io": `server = "https://registry-1.docker.io"

[host."https://mirror.local:5000"]
  capabilities = ["pull", "resolve"]
  ca = "/ca.pem"
  client = [["/c.pem", "/k.pem"]]
  skip_verify = true

[host."http://10.0.0.1:80/cache"]
  capabilities = ["pull", "resolve"]
`,
			"mirror.local:5000": `server = "https://mirror.local:5000"
ca = "/ca.pem"
client = [["/c.pem", "/k.pem"]]
skip_verify = true
`,
		},
	}, {
		name: "wildcard mirror is containerd's _default, with no server of its own",
		yaml: `mirrors: {"*": {endpoint: ["http://127.0.0.1:5001"]}}`,
		want: map[string]string{"_default": `
[host."http://127.0.0.1:5001"]
  capabilities = ["pull", "resolve"]
`},
	}, {
		name: "credentials alone need no hosts file",
		yaml: `configs: {"registry.example.com": {auth: {auth: dTpw}}}`,
		want: map[string]string{},
	}, {
		name: "rewrites are ignored, endpoints kept",
		yaml: `mirrors: {"docker.io": {endpoint: ["http://127.0.0.1:5000"], rewrite: {"^(.*)$": "lib/$1"}}}`,
		want: map[string]string{"docker.io": `server = "https://registry-1.docker.io"

[host."http://127.0.0.1:5000"]
  capabilities = ["pull", "resolve"]
`},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reg := loadYAML(t, c.yaml)
			got, err := HostsFiles(reg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("hosts files (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHostsFilesRejectsBadEndpoints(t *testing.T) {
	for _, ep := range []string{"ftp://x", "http://", "http://a b"} {
		reg := Registries{Mirrors: map[string]Mirror{"docker.io": {Endpoints: []string{ep}}}}
		if _, err := HostsFiles(reg); err == nil {
			t.Errorf("endpoint %q: no error", ep)
		}
	}
}

func TestAuthsAreKeyedByHost(t *testing.T) {
	reg := loadYAML(t, `
configs:
  "127.0.0.1:5000": {auth: {username: u, password: p}}
  "https://ghcr.io": {auth: {identitytoken: tok}}
  "tls-only:443": {tls: {insecure_skip_verify: true}}
`)
	want := map[string]AuthConfig{
		"127.0.0.1:5000": {Username: "u", Password: "p"},
		"ghcr.io":        {IdentityToken: "tok"},
	}
	if diff := cmp.Diff(want, reg.Auths()); diff != "" {
		t.Errorf("auths (-want +got):\n%s", diff)
	}
}

// containerd itself must read the files as meant: the plain-HTTP mirror is
// tried first over http, then the registry over https.
func TestContainerdReadsHostsFiles(t *testing.T) {
	reg := loadYAML(t, `mirrors: {"127.0.0.1:5000": {endpoint: ["http://127.0.0.1:5000"]}, "docker.io": {endpoint: ["http://127.0.0.1:5001/v2"]}}`)
	files, err := HostsFiles(reg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for d, content := range files {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, d, "hosts.toml"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hosts := config.ConfigureHosts(context.Background(), config.HostOptions{HostDir: config.HostDirFromRoot(dir)})
	cases := map[string][]string{
		"127.0.0.1:5000": {"http://127.0.0.1:5000/v2", "https://127.0.0.1:5000/v2"},
		"docker.io":      {"http://127.0.0.1:5001/v2", "https://registry-1.docker.io/v2"},
	}
	for registry, want := range cases {
		got, err := hosts(registry)
		if err != nil {
			t.Fatal(err)
		}
		var urls []string
		for _, h := range got {
			urls = append(urls, h.Scheme+"://"+h.Host+h.Path)
		}
		if diff := cmp.Diff(want, urls); diff != "" {
			t.Errorf("%s: hosts (-want +got):\n%s", registry, diff)
		}
	}
}

func TestMissingRegistriesFileIsEmpty(t *testing.T) {
	reg, err := LoadRegistries(filepath.Join(t.TempDir(), "absent.yaml"))
	if err != nil || len(reg.Mirrors) != 0 || len(reg.Configs) != 0 {
		t.Fatalf("got %+v, %v", reg, err)
	}
}

func loadYAML(t *testing.T, y string) Registries {
	t.Helper()
	path := filepath.Join(t.TempDir(), "registries.yaml")
	if err := os.WriteFile(path, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	reg, err := LoadRegistries(path)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}
