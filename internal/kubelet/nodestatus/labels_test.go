package nodestatus

import (
	"testing"

	v1 "k8s.io/api/core/v1"
)

func TestRestrictedLabel(t *testing.T) {
	for key, want := range map[string]bool{
		"kubernetes.io/hostname":                 false,
		"kubernetes.io/os":                       false,
		"beta.kubernetes.io/arch":                false,
		"topology.kubernetes.io/zone":            false,
		"node.kubernetes.io/instance-type":       false,
		"node.kubernetes.io/custom":              false,
		"kubelet.kubernetes.io/anything":         false,
		"sub.node.kubernetes.io/x":               false,
		"example.com/team":                       false,
		"plain":                                  false,
		"node-role.kubernetes.io/control-plane":  true,
		"node-role.kubernetes.io/worker":         true,
		"node-restriction.kubernetes.io/trusted": true,
		"foo.node-restriction.kubernetes.io/x":   true,
		"kubernetes.io/made-up":                  true,
		"k8s.io/whatever":                        true,
		"sub.k8s.io/whatever":                    true,
		"notkubernetes.io/x":                     false,
	} {
		if got := restrictedLabel(key); got != want {
			t.Errorf("restrictedLabel(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestSelfAndRestrictedLabels(t *testing.T) {
	cfg := Config{
		NodeName: "n1", Hostname: "Host-1", ControlPlane: true,
		Labels: map[string]string{"example.com/team": "a", "node-role.kubernetes.io/worker": "true", "kubernetes.io/hostname": "ignored"},
	}
	self := SelfLabels(cfg)
	for k, v := range map[string]string{
		v1.LabelHostname: "host-1", v1.LabelOSStable: "linux", "beta.kubernetes.io/os": "linux", "example.com/team": "a",
	} {
		if self[k] != v {
			t.Errorf("self label %s = %q, want %q", k, self[k], v)
		}
	}
	if _, ok := self[v1.LabelArchStable]; !ok {
		t.Error("no arch label")
	}
	for _, k := range []string{"node-role.kubernetes.io/worker", LabelControlPlane} {
		if _, ok := self[k]; ok {
			t.Errorf("self labels carry %s, which NodeRestriction refuses", k)
		}
	}
	r := RestrictedLabels(cfg)
	if len(r) != 2 || r[LabelControlPlane] != "true" || r["node-role.kubernetes.io/worker"] != "true" {
		t.Errorf("restricted = %v", r)
	}
}
