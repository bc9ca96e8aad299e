package plugins

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	schedulinglisters "k8s.io/client-go/listers/scheduling/v1"
	"k8s.io/utils/ptr"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

func priorityClass(name string, value int32, globalDefault bool, policy corev1.PreemptionPolicy) *schedulingv1.PriorityClass {
	pc := &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Value: value, GlobalDefault: globalDefault}
	if policy != "" {
		pc.PreemptionPolicy = &policy
	}
	return pc
}

func TestPriorityPods(t *testing.T) {
	classes := []*schedulingv1.PriorityClass{
		priorityClass("high", 1000, false, corev1.PreemptLowerPriority),
		priorityClass("batch", 10, false, corev1.PreemptNever),
	}
	withDefault := append(classes, priorityClass("normal", 100, true, corev1.PreemptLowerPriority), priorityClass("normal2", 200, true, ""))
	lister := func(pcs []*schedulingv1.PriorityClass) schedulinglisters.PriorityClassLister {
		idx := indexer(t)
		for _, pc := range pcs {
			_ = idx.Add(pc)
		}
		return schedulinglisters.NewPriorityClassLister(idx)
	}
	client := fake.NewClientset(priorityClass("late", 7, false, ""))
	podWith := func(ns, class string, priority *int32) *corev1.Pod {
		p := pod(ns, "p")
		p.Spec.PriorityClassName, p.Spec.Priority = class, priority
		return p
	}
	tests := []struct {
		name       string
		classes    []*schedulingv1.PriorityClass
		pod        *corev1.Pod
		want       string
		class      string
		priority   int32
		preemption corev1.PreemptionPolicy
	}{
		{name: "no class, no default", classes: classes, pod: podWith("ns", "", nil), priority: 0, preemption: corev1.PreemptLowerPriority},
		{name: "global default, lowest wins", classes: withDefault, pod: podWith("ns", "", nil), class: "normal", priority: 100, preemption: corev1.PreemptLowerPriority},
		{name: "named class", classes: classes, pod: podWith("ns", "batch", nil), class: "batch", priority: 10, preemption: corev1.PreemptNever},
		{name: "class only in the API", classes: classes, pod: podWith("ns", "late", nil), class: "late", priority: 7},
		{name: "matching priority given", classes: classes, pod: podWith("ns", "high", ptr.To[int32](1000)), class: "high", priority: 1000, preemption: corev1.PreemptLowerPriority},
		{name: "unknown class", classes: classes, pod: podWith("ns", "ghost", nil),
			want: `pods "p" is forbidden: no PriorityClass with name ghost was found`},
		{name: "priority given by hand", classes: classes, pod: podWith("ns", "high", ptr.To[int32](5)),
			want: `pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name`},
		{name: "system class outside kube-system", classes: classes, pod: podWith("ns", SystemNodeCritical, nil),
			want: `pods "p" is forbidden: pods with system-node-critical priorityClass is not permitted in ns namespace`},
		{name: "system class in kube-system, built in", classes: classes, pod: podWith("kube-system", SystemClusterCritical, nil),
			class: SystemClusterCritical, priority: 2000000000, preemption: corev1.PreemptLowerPriority},
		{name: "node-critical value", classes: classes, pod: podWith("kube-system", SystemNodeCritical, nil),
			class: SystemNodeCritical, priority: 2000001000, preemption: corev1.PreemptLowerPriority},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plugin := &Priority{Classes: lister(tt.classes), Client: client.SchedulingV1()}
			err := plugin.Admit(context.Background(), createPod(tt.pod))
			expect(t, err, tt.want)
			if err != nil {
				return
			}
			s := tt.pod.Spec
			if s.PriorityClassName != tt.class || s.Priority == nil || *s.Priority != tt.priority ||
				ptr.Deref(s.PreemptionPolicy, "") != tt.preemption {
				t.Errorf("class %q priority %v policy %v", s.PriorityClassName, ptr.Deref(s.Priority, -1), ptr.Deref(s.PreemptionPolicy, ""))
			}
		})
	}
}

// TestPriorityUpdateKeepsValues: an update that leaves priority out keeps
// the stored one.
func TestPriorityUpdateKeepsValues(t *testing.T) {
	old := pod("ns", "p")
	old.Spec.Priority, old.Spec.PreemptionPolicy = ptr.To[int32](10), ptr.To(corev1.PreemptNever)
	cur := pod("ns", "p")
	if err := (&Priority{}).Admit(context.Background(), attrs(admission.Update, podGVR, "Pod", cur, old)); err != nil {
		t.Fatal(err)
	}
	if ptr.Deref(cur.Spec.Priority, 0) != 10 || ptr.Deref(cur.Spec.PreemptionPolicy, "") != corev1.PreemptNever {
		t.Errorf("priority %v policy %v", cur.Spec.Priority, cur.Spec.PreemptionPolicy)
	}
}

func TestPriorityOneGlobalDefault(t *testing.T) {
	lister := schedulinglisters.NewPriorityClassLister(indexer(t, priorityClass("normal", 100, true, "")))
	plugin := &Priority{Classes: lister}
	gvr := schedulingv1.SchemeGroupVersion.WithResource("priorityclasses")
	tests := []struct {
		name string
		op   admission.Operation
		pc   *schedulingv1.PriorityClass
		want string
	}{
		{"second default", admission.Create, priorityClass("other", 5, true, ""),
			`priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass normal is already marked as default. Only one default can exist`},
		{"not a default", admission.Create, priorityClass("other", 5, false, ""), ""},
		{"updating the default itself", admission.Update, priorityClass("normal", 100, true, ""), ""},
		{"marking another default", admission.Update, priorityClass("other", 5, true, ""),
			`priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass normal is already marked as default. Only one default can exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, plugin.Validate(context.Background(), attrs(tt.op, gvr, "PriorityClass", tt.pc, nil)), tt.want)
		})
	}
}
