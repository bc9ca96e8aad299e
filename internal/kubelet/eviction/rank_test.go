package eviction

import (
	"fmt"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// testPod is a one-container pod requesting memReq memory and storReq
// ephemeral storage (empty: none), with priority prio.
func testPod(name string, prio int32, memReq, storReq string) *v1.Pod {
	req := v1.ResourceList{}
	if memReq != "" {
		req[v1.ResourceMemory] = resource.MustParse(memReq)
	}
	if storReq != "" {
		req[v1.ResourceEphemeralStorage] = resource.MustParse(storReq)
	}
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID("uid-" + name)},
		Spec: v1.PodSpec{
			Priority:   &prio,
			Containers: []v1.Container{{Name: "app", Resources: v1.ResourceRequirements{Requests: req}}},
		},
		Status: v1.PodStatus{Phase: v1.PodRunning},
	}
}

// usages maps pod names to usage; pods missing have no stats.
func usages(m map[string]Usage) PodUsageFunc {
	return func(p *v1.Pod) (PodUsage, bool) {
		u, ok := m[p.Name]
		return PodUsage{Usage: u, Containers: map[string]Usage{"app": u}}, ok
	}
}

func names(pods []*v1.Pod) string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return fmt.Sprint(out)
}

func TestRank(t *testing.T) {
	for _, tc := range []struct {
		name  string
		res   v1.ResourceName
		pods  []*v1.Pod
		usage map[string]Usage
		want  string
	}{
		{
			name: "memory: over request beats priority",
			res:  v1.ResourceMemory,
			pods: []*v1.Pod{testPod("low-within", 0, "1Gi", ""), testPod("high-over", 1000, "100Mi", "")},
			usage: map[string]Usage{
				"low-within": {Memory: 512 * mi}, "high-over": {Memory: 200 * mi},
			},
			want: "[high-over low-within]",
		},
		{
			name: "memory: among pods over request, lower priority first",
			res:  v1.ResourceMemory,
			pods: []*v1.Pod{testPod("high", 1000, "", ""), testPod("low", 0, "", ""), testPod("mid", 500, "", "")},
			usage: map[string]Usage{
				"high": {Memory: 900 * mi}, "low": {Memory: 10 * mi}, "mid": {Memory: 500 * mi},
			},
			want: "[low mid high]",
		},
		{
			name: "memory: same priority, larger usage above request first",
			res:  v1.ResourceMemory,
			pods: []*v1.Pod{testPod("a", 0, "100Mi", ""), testPod("b", 0, "", ""), testPod("c", 0, "1Gi", "")},
			usage: map[string]Usage{
				"a": {Memory: 400 * mi}, // 300Mi over
				"b": {Memory: 200 * mi}, // 200Mi over (BestEffort)
				"c": {Memory: gi + 500*mi},
			},
			want: "[c a b]",
		},
		{
			name:  "memory: pods without stats first",
			res:   v1.ResourceMemory,
			pods:  []*v1.Pod{testPod("measured", 0, "", ""), testPod("unknown", 1000, "", "")},
			usage: map[string]Usage{"measured": {Memory: gi}},
			want:  "[unknown measured]",
		},
		{
			name: "disk: over storage request first, then priority, then usage",
			res:  v1.ResourceEphemeralStorage,
			pods: []*v1.Pod{testPod("within", 0, "", "10Gi"), testPod("over-high", 100, "", "1Gi"), testPod("over-low", 0, "", "1Gi"), testPod("over-low-big", 0, "", "")},
			usage: map[string]Usage{
				"within": {Storage: 5 * gi}, "over-high": {Storage: 2 * gi}, "over-low": {Storage: 2 * gi}, "over-low-big": {Storage: 3 * gi},
			},
			want: "[over-low-big over-low over-high within]",
		},
		{
			name: "pids: priority, then process count",
			res:  resourcePIDs,
			pods: []*v1.Pod{testPod("few", 0, "", ""), testPod("many-high", 10, "", ""), testPod("many", 0, "", "")},
			usage: map[string]Usage{
				"few": {Processes: 3}, "many-high": {Processes: 500}, "many": {Processes: 400},
			},
			want: "[many few many-high]",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := names(rank(tc.pods, tc.res, usages(tc.usage))); got != tc.want {
				t.Errorf("rank = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestEvictableSparesCriticalAndFinishedPods(t *testing.T) {
	static := testPod("static", 0, "", "")
	static.Annotations = map[string]string{"kubernetes.io/config.source": "file"}
	mirror := testPod("mirror", 0, "", "")
	mirror.Annotations = map[string]string{v1.MirrorPodAnnotationKey: "abc"}
	apiPod := testPod("api", 0, "", "")
	apiPod.Annotations = map[string]string{"kubernetes.io/config.source": "api"}
	done := testPod("done", 0, "", "")
	done.Status.Phase = v1.PodSucceeded
	pods := []*v1.Pod{
		static, mirror, apiPod, done,
		testPod("system", 2000001000, "", ""),
		testPod("plain", 0, "", ""),
	}
	if got := names(evictable(pods)); got != "[api plain]" {
		t.Errorf("evictable = %s, want [api plain]", got)
	}
}

func TestMessage(t *testing.T) {
	p := testPod("web", 0, "", "")
	p.Spec.Containers = append(p.Spec.Containers, v1.Container{Name: "sidecar", Resources: v1.ResourceRequirements{
		Requests: v1.ResourceList{v1.ResourceMemory: resource.MustParse("64Mi")},
	}})
	u := PodUsage{Containers: map[string]Usage{"app": {Memory: gi}, "sidecar": {Memory: 10 * mi}}}
	m := Met{Signal: SignalMemoryAvailable, Resource: v1.ResourceMemory, Threshold: 100 * mi, Available: 50 * mi}
	want := "The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. " +
		"Container app was using 1Gi, request is 0, has larger consumption of memory. "
	if got := message(p, m, u); got != want {
		t.Errorf("message =\n%q\nwant\n%q", got, want)
	}
	disk := Met{Signal: SignalNodeFsAvailable, Resource: v1.ResourceEphemeralStorage, Threshold: 10 * gi, Available: 2 * gi}
	want = "The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: 2Gi. "
	if got := message(p, disk, PodUsage{}); got != want {
		t.Errorf("message =\n%q\nwant\n%q", got, want)
	}
}
