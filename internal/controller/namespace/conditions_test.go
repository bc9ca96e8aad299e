package namespace

import (
	"errors"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestConditions(t *testing.T) {
	tests := []struct {
		name   string
		r      *result
		done   bool
		failed map[corev1.NamespaceConditionType]string // type -> message
	}{
		{name: "all gone", r: newResult(), done: true},
		{
			name: "content and finalizers remaining",
			r: &result{
				remaining:  map[string]int{"pods": 2, "configmaps": 1},
				finalizers: map[string]int{"example.com/hold": 1},
			},
			failed: map[corev1.NamespaceConditionType]string{
				corev1.NamespaceContentRemaining:    "Some resources are remaining: configmaps has 1 resource instances, pods has 2 resource instances",
				corev1.NamespaceFinalizersRemaining: "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances",
			},
		},
		{
			name: "discovery and deletion failures",
			r: &result{
				discoveryErr: errors.New("unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: 503"),
				deleteErrs:   []error{errors.New("widgets.example.com: forbidden")},
				remaining:    map[string]int{}, finalizers: map[string]int{},
			},
			failed: map[corev1.NamespaceConditionType]string{
				corev1.NamespaceDeletionDiscoveryFailure: "Discovery failed for some groups: unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: 503",
				corev1.NamespaceDeletionContentFailure:   "Failed to delete all resource types, 1 remaining: widgets.example.com: forbidden",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.r.done() != tt.done {
				t.Errorf("done = %v, want %v", tt.r.done(), tt.done)
			}
			conds := tt.r.conditions()
			if len(conds) != 5 {
				t.Fatalf("%d conditions, want 5", len(conds))
			}
			for _, c := range conds {
				msg, bad := tt.failed[c.Type]
				switch {
				case bad && (c.Status != corev1.ConditionTrue || c.Message != msg):
					t.Errorf("%s: %s %q, want True %q", c.Type, c.Status, c.Message, msg)
				case !bad && c.Status != corev1.ConditionFalse:
					t.Errorf("%s: %s %q, want False", c.Type, c.Status, c.Message)
				case c.Reason == "":
					t.Errorf("%s: no reason", c.Type)
				}
			}
		})
	}
}

func TestWithConditions(t *testing.T) {
	t0 := metav1.NewTime(time.Unix(1000, 0))
	t1 := metav1.NewTime(time.Unix(2000, 0))
	remaining := &result{remaining: map[string]int{"pods": 1}, finalizers: map[string]int{}}
	ns := &corev1.Namespace{Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive}}

	status, changed := withConditions(ns, remaining.conditions(), t0)
	if !changed || status.Phase != corev1.NamespaceTerminating || len(status.Conditions) != 5 {
		t.Fatalf("first report: changed %v, %+v", changed, status)
	}
	ns.Status = status
	if _, changed := withConditions(ns, remaining.conditions(), t1); changed {
		t.Error("the same report again changed the status")
	}
	// More remaining: the message changes, the transition time does not.
	more := &result{remaining: map[string]int{"pods": 3}, finalizers: map[string]int{}}
	status, changed = withConditions(ns, more.conditions(), t1)
	c := status.Conditions[indexOf(status.Conditions, corev1.NamespaceContentRemaining)]
	if !changed || c.LastTransitionTime != t0 || c.Message != "Some resources are remaining: pods has 3 resource instances" {
		t.Errorf("message update: changed %v, %+v", changed, c)
	}
	// Gone: status flips, the transition time moves.
	ns.Status = status
	status, _ = withConditions(ns, newResult().conditions(), t1)
	c = status.Conditions[indexOf(status.Conditions, corev1.NamespaceContentRemaining)]
	if c.Status != corev1.ConditionFalse || c.LastTransitionTime != t1 {
		t.Errorf("flip: %+v", c)
	}
	if ns.Status.Conditions[indexOf(ns.Status.Conditions, corev1.NamespaceContentRemaining)].Status != corev1.ConditionTrue {
		t.Error("withConditions changed its input")
	}
}

func TestOursAndFinalizer(t *testing.T) {
	now := metav1.Now()
	k, other := corev1.FinalizerKubernetes, corev1.FinalizerName("example.com/other")
	tests := []struct {
		ns   corev1.Namespace
		ours bool
	}{
		{corev1.Namespace{Spec: corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{k}}}, false},
		{corev1.Namespace{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &now}, Spec: corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{other, k}}}, true},
		{corev1.Namespace{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &now}, Spec: corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{other}}}, false},
	}
	for i, tt := range tests {
		if got := ours(&tt.ns); got != tt.ours {
			t.Errorf("%d: ours = %v, want %v", i, got, tt.ours)
		}
	}
	if got := withoutFinalizer([]corev1.FinalizerName{other, k}); len(got) != 1 || got[0] != other {
		t.Errorf("withoutFinalizer = %v", got)
	}
	if got := requeueAfter(10 * time.Second); got != 6*time.Second {
		t.Errorf("requeueAfter(10s) = %v", got)
	}
}
