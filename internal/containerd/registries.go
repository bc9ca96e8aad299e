package containerd

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/sirupsen/logrus"
	"sigs.k8s.io/yaml"
)

// Registries is registries.yaml in k3s's format.
type Registries struct {
	// Mirrors by registry name ("docker.io", "127.0.0.1:5000", "*" for all).
	Mirrors map[string]Mirror `json:"mirrors,omitempty"`
	// Configs by registry or endpoint host[:port].
	Configs map[string]RegistryConfig `json:"configs,omitempty"`
}

// Mirror lists the endpoints tried, in order, before the registry itself.
type Mirror struct {
	Endpoints []string `json:"endpoint,omitempty"`
	// Rewrites are k3s's repository rewrites; upstream containerd has no
	// equivalent in hosts.toml, so they are reported and ignored.
	Rewrites map[string]string `json:"rewrite,omitempty"`
}

// RegistryConfig is the credentials and TLS settings of one host.
type RegistryConfig struct {
	Auth *AuthConfig `json:"auth,omitempty"`
	TLS  *TLSConfig  `json:"tls,omitempty"`
}

// AuthConfig is a registry login, as in docker's config.json.
type AuthConfig struct {
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	Auth          string `json:"auth,omitempty"`
	IdentityToken string `json:"identitytoken,omitempty"`
}

// TLSConfig is the client side TLS of one host.
type TLSConfig struct {
	CAFile             string `json:"ca_file,omitempty"`
	CertFile           string `json:"cert_file,omitempty"`
	KeyFile            string `json:"key_file,omitempty"`
	InsecureSkipVerify bool   `json:"insecure_skip_verify,omitempty"`
}

// LoadRegistries reads a registries.yaml; a missing file is no registries.
func LoadRegistries(path string) (Registries, error) {
	var r Registries
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return r, err
	}
	if err := yaml.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("parsing %s: %w", path, err)
	}
	return r, nil
}

// Auths returns the credentials by host[:port], as the CRI plugin keys them.
func (r Registries) Auths() map[string]AuthConfig {
	out := map[string]AuthConfig{}
	for host, c := range r.Configs {
		if c.Auth != nil {
			out[configHost(host)] = *c.Auth
		}
	}
	return out
}

// HostsFiles turns registries into containerd hosts.toml files, keyed by
// their folder under certs.d ("docker.io", "127.0.0.1:5000", "_default").
// A registry named in configs but not mirrored still gets a file, so its TLS
// settings apply to direct pulls.
func HostsFiles(r Registries) (map[string]string, error) {
	tls := map[string]TLSConfig{}
	for host, c := range r.Configs {
		if c.TLS != nil {
			tls[configHost(host)] = *c.TLS
		}
	}
	out := map[string]string{}
	for name, m := range r.Mirrors {
		if len(m.Rewrites) > 0 {
			logrus.WithField("component", "containerd").WithField("registry", name).
				Warn("registries.yaml: rewrite is not supported by containerd's hosts.toml; ignored")
		}
		content, err := mirrorHostsFile(name, m, tls)
		if err != nil {
			return nil, err
		}
		out[hostsDir(name)] = content
	}
	for host := range r.Configs {
		host = configHost(host)
		if _, done := out[hostsDir(host)]; done {
			continue
		}
		t, ok := tls[host]
		if !ok {
			continue // credentials only: nothing for hosts.toml
		}
		var b strings.Builder
		fmt.Fprintf(&b, "server = %s\n", tomlString(defaultServer(host)))
		writeTLS(&b, t)
		out[hostsDir(host)] = b.String()
	}
	return out, nil
}

func mirrorHostsFile(name string, m Mirror, tls map[string]TLSConfig) (string, error) {
	var b strings.Builder
	server := ""
	if name != "*" {
		server = defaultServer(name)
		fmt.Fprintf(&b, "server = %s\n", tomlString(server))
		if t, ok := tls[name]; ok {
			writeTLS(&b, t)
		}
	}
	for _, ep := range m.Endpoints {
		u, err := endpointURL(ep)
		if err != nil {
			return "", fmt.Errorf("registries.yaml: mirror %q: %w", name, err)
		}
		if u.String() == server {
			continue // the registry itself is the fallback already
		}
		fmt.Fprintf(&b, "\n[host.%s]\n", tomlString(u.String()))
		b.WriteString("  capabilities = [\"pull\", \"resolve\"]\n")
		if t, ok := tls[u.Host]; ok {
			writeTLSIndented(&b, t, "  ")
		}
	}
	return b.String(), nil
}

func writeTLS(b *strings.Builder, t TLSConfig) { writeTLSIndented(b, t, "") }

func writeTLSIndented(b *strings.Builder, t TLSConfig, indent string) {
	if t.CAFile != "" {
		fmt.Fprintf(b, "%sca = %s\n", indent, tomlString(t.CAFile))
	}
	if t.CertFile != "" {
		if t.KeyFile != "" {
			fmt.Fprintf(b, "%sclient = [[%s, %s]]\n", indent, tomlString(t.CertFile), tomlString(t.KeyFile))
		} else {
			fmt.Fprintf(b, "%sclient = %s\n", indent, tomlString(t.CertFile))
		}
	}
	if t.InsecureSkipVerify {
		fmt.Fprintf(b, "%sskip_verify = true\n", indent)
	}
}

// endpointURL parses a mirror endpoint; without a scheme it is https, as in k3s.
func endpointURL(ep string) (*url.URL, error) {
	if !strings.Contains(ep, "://") {
		ep = "https://" + ep
	}
	u, err := url.Parse(ep)
	if err != nil {
		return nil, fmt.Errorf("endpoint %q: %w", ep, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("endpoint %q: scheme must be http or https", ep)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("endpoint %q has no host", ep)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// defaultServer is where a registry's images come from when no mirror answers.
func defaultServer(name string) string {
	if name == "docker.io" {
		return "https://registry-1.docker.io"
	}
	return "https://" + name
}

// hostsDir is the certs.d folder of a registry; "*" is containerd's _default.
func hostsDir(name string) string {
	if name == "*" {
		return "_default"
	}
	return name
}

// configHost accepts "host:port" as well as a URL as a configs key.
func configHost(key string) string {
	if u, err := url.Parse(key); err == nil && u.Host != "" {
		return u.Host
	}
	return key
}

// sortedKeys is used where output order must be stable.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
