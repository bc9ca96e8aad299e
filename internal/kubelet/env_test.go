package kubelet

import (
	"context"
	"errors"
	"reflect"
	"testing"

	v1 "k8s.io/api/core/v1"
)

type fakeEnvSource struct {
	cms     map[string]*v1.ConfigMap
	secrets map[string]*v1.Secret
}

var errNotFound = errors.New("not found")

func (f fakeEnvSource) ConfigMap(_ context.Context, _, name string) (*v1.ConfigMap, error) {
	if c, ok := f.cms[name]; ok {
		return c, nil
	}
	return nil, errNotFound
}

func (f fakeEnvSource) Secret(_ context.Context, _, name string) (*v1.Secret, error) {
	if s, ok := f.secrets[name]; ok {
		return s, nil
	}
	return nil, errNotFound
}

func TestExpandVars(t *testing.T) {
	lookup := func(n string) (string, bool) {
		v, ok := map[string]string{"A": "1", "B": "two"}[n]
		return v, ok
	}
	cases := map[string]string{
		"$(A)":           "1",
		"x$(A)y$(B)z":    "x1ytwoz",
		"$(MISSING)":     "$(MISSING)",
		"$$(A)":          "$(A)",
		"$A":             "$A",
		"cost: $":        "cost: $",
		"$(unterminated": "$(unterminated",
	}
	for in, want := range cases {
		if got := expandVars(in, lookup); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContainerEnv(t *testing.T) {
	yes := true
	src := fakeEnvSource{
		cms:     map[string]*v1.ConfigMap{"cm": {Data: map[string]string{"k1": "v1", "k2": "v2"}}},
		secrets: map[string]*v1.Secret{"sec": {Data: map[string][]byte{"pw": []byte("s3cret")}}},
	}
	pod := &v1.Pod{}
	pod.Name, pod.Namespace, pod.UID = "web", "prod", "u-1"
	pod.Labels = map[string]string{"app": "web"}
	pod.Spec.NodeName, pod.Spec.ServiceAccountName = "n1", "sa"
	c := &v1.Container{
		Name:      "app",
		Resources: v1.ResourceRequirements{Limits: v1.ResourceList{"memory": mustQ("128Mi"), "cpu": mustQ("500m")}},
		EnvFrom: []v1.EnvFromSource{
			{ConfigMapRef: &v1.ConfigMapEnvSource{LocalObjectReference: v1.LocalObjectReference{Name: "cm"}}, Prefix: "CM_"},
			{SecretRef: &v1.SecretEnvSource{LocalObjectReference: v1.LocalObjectReference{Name: "missing"}, Optional: &yes}},
		},
		Env: []v1.EnvVar{
			{Name: "PLAIN", Value: "x-$(CM_k1)"},
			{Name: "CM_k2", Value: "override"},
			{Name: "PW", ValueFrom: &v1.EnvVarSource{SecretKeyRef: &v1.SecretKeySelector{LocalObjectReference: v1.LocalObjectReference{Name: "sec"}, Key: "pw"}}},
			{Name: "OPT", ValueFrom: &v1.EnvVarSource{ConfigMapKeyRef: &v1.ConfigMapKeySelector{LocalObjectReference: v1.LocalObjectReference{Name: "cm"}, Key: "nope", Optional: &yes}}},
			{Name: "NAME", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
			{Name: "NS", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
			{Name: "APP", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.labels['app']"}}},
			{Name: "NODE", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}},
			{Name: "IP", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
			{Name: "HOSTIPS", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "status.hostIPs"}}},
			{Name: "MEM_MI", ValueFrom: &v1.EnvVarSource{ResourceFieldRef: &v1.ResourceFieldSelector{Resource: "limits.memory", Divisor: mustQ("1Mi")}}},
			{Name: "CPU_M", ValueFrom: &v1.EnvVarSource{ResourceFieldRef: &v1.ResourceFieldSelector{Resource: "limits.cpu", Divisor: mustQ("1m")}}},
			{Name: "CPU", ValueFrom: &v1.EnvVarSource{ResourceFieldRef: &v1.ResourceFieldSelector{Resource: "limits.cpu"}}},
		},
	}
	got, err := containerEnv(context.Background(), src, pod, c, envContext{PodIPs: []string{"10.0.0.7"}, HostIPs: []string{"192.168.1.2", "fd00::2"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []envVar{
		{"CM_k1", "v1"}, {"CM_k2", "override"}, {"PLAIN", "x-v1"}, {"PW", "s3cret"}, {"NAME", "web"}, {"NS", "prod"},
		{"APP", "web"}, {"NODE", "n1"}, {"IP", "10.0.0.7"}, {"HOSTIPS", "192.168.1.2,fd00::2"},
		{"MEM_MI", "128"}, {"CPU_M", "500"}, {"CPU", "1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("env:\n got %v\nwant %v", got, want)
	}

	// A required missing key is an error naming it.
	c2 := &v1.Container{Env: []v1.EnvVar{{Name: "X", ValueFrom: &v1.EnvVarSource{
		SecretKeyRef: &v1.SecretKeySelector{LocalObjectReference: v1.LocalObjectReference{Name: "sec"}, Key: "nokey"}}}}}
	if _, err := containerEnv(context.Background(), src, pod, c2, envContext{}); err == nil || err.Error() != "couldn't find key nokey in Secret prod/sec" {
		t.Errorf("err = %v", err)
	}
}
