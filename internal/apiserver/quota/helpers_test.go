package quota

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func list(kv ...string) corev1.ResourceList {
	l := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

// show prints a list sorted, "a=1,b=2", for comparing in tests.
func show(l corev1.ResourceList) string {
	var parts []string
	for n, q := range l {
		parts = append(parts, string(n)+"="+q.String())
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

func expectList(t *testing.T, got, want corev1.ResourceList) {
	t.Helper()
	ok := len(got) == len(want)
	for n, q := range want {
		g, found := got[n]
		ok = ok && found && g.Cmp(q) == 0
	}
	if !ok {
		t.Errorf("got  %s\nwant %s", show(got), show(want))
	}
}

func container(name string, requests, limits corev1.ResourceList) corev1.Container {
	return corev1.Container{Name: name, Resources: corev1.ResourceRequirements{Requests: requests, Limits: limits}}
}

func podWith(containers ...corev1.Container) *corev1.Pod {
	return &corev1.Pod{Spec: corev1.PodSpec{Containers: containers}}
}
