package core

import (
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
)

func TestConfigMap(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*v1.ConfigMap)
		want   string
	}{
		{"valid", func(*v1.ConfigMap) {}, ""},
		{"bad key", func(c *v1.ConfigMap) { c.Data["bad/key"] = "x" },
			`data[bad/key]: Invalid value: "bad/key": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`},
		{"key in both bags", func(c *v1.ConfigMap) { c.BinaryData = map[string][]byte{"app.conf": []byte("x")} },
			`data[app.conf]: Invalid value: "app.conf": duplicate of key present in binaryData`},
		{"too big", func(c *v1.ConfigMap) { c.Data["big"] = strings.Repeat("x", 1<<20) },
			"Too long: may not be more than 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cm := &v1.ConfigMap{ObjectMeta: objMeta("cfg"), Data: map[string]string{"app.conf": "a=1"}}
			tt.mutate(cm)
			expectErrors(t, create(configMapStrategy{}, cm), tt.want)
		})
	}
}

func TestConfigMapImmutable(t *testing.T) {
	tests := []struct {
		name      string
		immutable bool
		mutate    func(*v1.ConfigMap)
		want      string
	}{
		{"mutable data change", false, func(c *v1.ConfigMap) { c.Data["app.conf"] = "a=2" }, ""},
		{"immutable data change", true, func(c *v1.ConfigMap) { c.Data["app.conf"] = "a=2" },
			"data: Forbidden: field is immutable when `immutable` is set"},
		{"immutable flag cleared", true, func(c *v1.ConfigMap) { c.Immutable = nil },
			"immutable: Forbidden: field is immutable when `immutable` is set"},
		{"immutable labels change", true, func(c *v1.ConfigMap) { c.Labels = map[string]string{"a": "b"} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := &v1.ConfigMap{ObjectMeta: objMeta("cfg"), Data: map[string]string{"app.conf": "a=1"}}
			if tt.immutable {
				old.Immutable = ptr(true)
			}
			old = stored(t, configMapStrategy{}, old).(*v1.ConfigMap)
			cm := old.DeepCopy()
			tt.mutate(cm)
			expectErrors(t, update(configMapStrategy{}, cm, old), tt.want)
		})
	}
}

func TestConfigMapTableRow(t *testing.T) {
	cm := &v1.ConfigMap{Data: map[string]string{"a": "1", "b": "2"}, BinaryData: map[string][]byte{"c": nil}}
	if got := (configMapStrategy{}).TableRow(cm)[0]; got != int64(3) {
		t.Errorf("DATA = %v, want 3", got)
	}
}

func TestSecret(t *testing.T) {
	tests := []struct {
		name   string
		secret v1.Secret
		want   string
	}{
		{"opaque by default", v1.Secret{Data: map[string][]byte{"k": []byte("v")}}, ""},
		{"tls complete", v1.Secret{Type: v1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": nil, "tls.key": nil}}, ""},
		{"tls missing key", v1.Secret{Type: v1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": []byte("x")}},
			"data[tls.key]: Required value"},
		{"dockerconfigjson not json", v1.Secret{Type: v1.SecretTypeDockerConfigJson, Data: map[string][]byte{".dockerconfigjson": []byte("{")}},
			`data[.dockerconfigjson]: Invalid value: "<secret contents redacted>"`},
		{"basic auth empty", v1.Secret{Type: v1.SecretTypeBasicAuth}, "data[username]: Required value"},
		{"ssh auth empty", v1.Secret{Type: v1.SecretTypeSSHAuth}, "data[ssh-privatekey]: Required value"},
		{"sa token without account", v1.Secret{Type: v1.SecretTypeServiceAccountToken},
			"metadata.annotations[kubernetes.io/service-account.name]: Required value"},
		{"bad key", v1.Secret{Data: map[string][]byte{"a b": nil}}, `data[a b]: Invalid value: "a b"`},
		{"stringData folded in", v1.Secret{Type: v1.SecretTypeTLS, StringData: map[string]string{"tls.crt": "c", "tls.key": "k"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.secret.DeepCopy()
			s.ObjectMeta = objMeta("creds")
			expectErrors(t, create(secretStrategy{}, s), tt.want)
			if s.Type == "" || s.StringData != nil {
				t.Errorf("after defaulting: type %q stringData %v", s.Type, s.StringData)
			}
		})
	}
}

func TestSecretUpdate(t *testing.T) {
	tests := []struct {
		name      string
		immutable bool
		mutate    func(*v1.Secret)
		want      string
	}{
		{"data change", false, func(s *v1.Secret) { s.Data["tls.key"] = []byte("new") }, ""},
		{"type change", false, func(s *v1.Secret) { s.Type = v1.SecretTypeOpaque },
			`type: Invalid value: "Opaque": field is immutable`},
		{"type omitted keeps old", false, func(s *v1.Secret) { s.Type = "" }, ""},
		{"immutable data change", true, func(s *v1.Secret) { s.Data["tls.key"] = []byte("new") },
			"data: Forbidden: field is immutable when `immutable` is set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := &v1.Secret{ObjectMeta: objMeta("tls"), Type: v1.SecretTypeTLS,
				Data: map[string][]byte{"tls.crt": []byte("c"), "tls.key": []byte("k")}}
			if tt.immutable {
				old.Immutable = ptr(true)
			}
			old = stored(t, secretStrategy{}, old).(*v1.Secret)
			s := old.DeepCopy()
			tt.mutate(s)
			expectErrors(t, update(secretStrategy{}, s, old), tt.want)
		})
	}
}

func TestSecretFieldsAndTable(t *testing.T) {
	s := &v1.Secret{ObjectMeta: objMeta("x"), Type: v1.SecretTypeTLS, Data: map[string][]byte{"a": nil, "b": nil}}
	if got := (secretStrategy{}).SelectableFields(s)["type"]; got != "kubernetes.io/tls" {
		t.Errorf("type field = %q", got)
	}
	row := secretStrategy{}.TableRow(s)
	if row[0] != "kubernetes.io/tls" || row[1] != int64(2) {
		t.Errorf("row = %v", row)
	}
}
