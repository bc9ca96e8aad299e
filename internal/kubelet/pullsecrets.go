package kubelet

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	v1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// dockerConfigEntry is one registry's credentials in a docker config.
type dockerConfigEntry struct {
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	Auth          string `json:"auth,omitempty"`
	IdentityToken string `json:"identitytoken,omitempty"`
	RegistryToken string `json:"registrytoken,omitempty"`
}

// pullCredentials returns the credentials from the pull secrets that match
// the image's registry (and path prefix), best match first. Malformed secrets
// are skipped, as upstream.
func pullCredentials(image string, secrets []*v1.Secret) []*runtimeapi.AuthConfig {
	host, repo := splitImage(image)
	type match struct {
		auth  *runtimeapi.AuthConfig
		score int
	}
	var matches []match
	for _, s := range secrets {
		for key, e := range dockerConfigEntries(s) {
			khost, kpath := splitRegistryKey(key)
			if normalizeRegistry(khost) != normalizeRegistry(host) {
				continue
			}
			if kpath != "" && repo != kpath && !strings.HasPrefix(repo, kpath+"/") {
				continue
			}
			a := &runtimeapi.AuthConfig{
				Username: e.Username, Password: e.Password, Auth: e.Auth,
				IdentityToken: e.IdentityToken, RegistryToken: e.RegistryToken,
				ServerAddress: khost,
			}
			if a.Username == "" && a.Auth != "" {
				if raw, err := base64.StdEncoding.DecodeString(a.Auth); err == nil {
					a.Username, a.Password, _ = strings.Cut(string(raw), ":")
				}
			}
			matches = append(matches, match{a, len(kpath)})
		}
	}
	// Longer path prefixes are more specific; keep secret order otherwise.
	for i := 1; i < len(matches); i++ {
		for j := i; j > 0 && matches[j].score > matches[j-1].score; j-- {
			matches[j], matches[j-1] = matches[j-1], matches[j]
		}
	}
	out := make([]*runtimeapi.AuthConfig, len(matches))
	for i, m := range matches {
		out[i] = m.auth
	}
	return out
}

// dockerConfigEntries reads a dockerconfigjson or dockercfg secret.
func dockerConfigEntries(s *v1.Secret) map[string]dockerConfigEntry {
	switch s.Type {
	case v1.SecretTypeDockerConfigJson:
		var cfg struct {
			Auths map[string]dockerConfigEntry `json:"auths"`
		}
		if json.Unmarshal(s.Data[v1.DockerConfigJsonKey], &cfg) == nil {
			return cfg.Auths
		}
	case v1.SecretTypeDockercfg:
		var cfg map[string]dockerConfigEntry
		if json.Unmarshal(s.Data[v1.DockerConfigKey], &cfg) == nil {
			return cfg
		}
	}
	return nil
}

// splitImage returns an image reference's registry host and repository path
// ("busybox" -> "docker.io", "library/busybox").
func splitImage(image string) (host, repo string) {
	name := image
	if i := strings.IndexByte(name, '@'); i >= 0 {
		name = name[:i]
	}
	if i := strings.LastIndexByte(name, ':'); i >= 0 && !strings.Contains(name[i:], "/") {
		name = name[:i]
	}
	first, rest, found := strings.Cut(name, "/")
	if !found || (!strings.ContainsAny(first, ".:") && first != "localhost") {
		if !found {
			return "docker.io", "library/" + name
		}
		return "docker.io", name
	}
	return first, rest
}

// splitRegistryKey reads a docker config key ("https://host:5000/v2/",
// "host/path") into a host and a path prefix.
func splitRegistryKey(key string) (host, path string) {
	key = strings.TrimPrefix(strings.TrimPrefix(key, "https://"), "http://")
	host, path, _ = strings.Cut(key, "/")
	path = strings.Trim(path, "/")
	if path == "v1" || path == "v2" || strings.HasPrefix(path, "v1/") || strings.HasPrefix(path, "v2/") {
		path = ""
	}
	return host, path
}

// normalizeRegistry folds Docker Hub's aliases together.
func normalizeRegistry(host string) string {
	switch host {
	case "index.docker.io", "registry-1.docker.io", "docker.io":
		return "docker.io"
	}
	return host
}

// pullPolicy is the container's imagePullPolicy, defaulted as the API does
// (Always for :latest or no tag, else IfNotPresent).
func pullPolicy(c *v1.Container) v1.PullPolicy {
	if c.ImagePullPolicy != "" {
		return c.ImagePullPolicy
	}
	if imageTag(c.Image) == "latest" {
		return v1.PullAlways
	}
	return v1.PullIfNotPresent
}

// imageTag returns the tag, "latest" when none is given, "" for digests.
func imageTag(image string) string {
	if strings.Contains(image, "@") {
		return ""
	}
	if i := strings.LastIndexByte(image, ':'); i >= 0 && !strings.Contains(image[i:], "/") {
		return image[i+1:]
	}
	return "latest"
}
