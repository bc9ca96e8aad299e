package plugins

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	schedulingclient "k8s.io/client-go/kubernetes/typed/scheduling/v1"
	schedulinglisters "k8s.io/client-go/listers/scheduling/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// Priority is upstream's plugin of that name. A pod's priority is what
// its PriorityClass says, never what its author writes: the plugin
// resolves spec.priorityClassName (or the cluster's globalDefault class)
// into spec.priority and spec.preemptionPolicy, refuses unknown classes,
// and keeps the two system classes, which outrank everything and may
// preempt anything, to kube-system. It also keeps PriorityClasses to one
// globalDefault.
type Priority struct {
	// Classes is the PriorityClass lister.
	Classes schedulinglisters.PriorityClassLister
	// Client reads a class the lister does not have yet; nil means the
	// lister alone decides.
	Client schedulingclient.PriorityClassesGetter
	// Ready waits for the lister; nil means always ready.
	Ready ReadyFunc
}

// The system classes, with upstream's values, used when the API does not
// (yet) hold them: a kube-system pod asking for one must not fail because
// the classes have not been created by the bootstrap.
const (
	SystemNodeCritical    = "system-node-critical"
	SystemClusterCritical = "system-cluster-critical"
	// systemCriticalPriority is twice the highest user-definable value.
	systemCriticalPriority = 2 * 1000000000
)

var systemClasses = map[string]int32{
	SystemClusterCritical: systemCriticalPriority,
	SystemNodeCritical:    systemCriticalPriority + 1000,
}

var priorityClassesResource = schedulingv1.Resource("priorityclasses")

// Admit implements admission.Mutator.
func (p *Priority) Admit(ctx context.Context, a *admission.Attributes) error {
	if a.Resource.GroupResource() != podsResource || a.Subresource != "" {
		return nil
	}
	pod, ok := a.Object.(*corev1.Pod)
	if !ok {
		return nil
	}
	switch a.Operation {
	case admission.Update:
		// Set on create; an update that leaves them out (a client that
		// dropped them) keeps them, and validation refuses real changes.
		if old, ok := a.OldObject.(*corev1.Pod); ok {
			if pod.Spec.Priority == nil {
				pod.Spec.Priority = old.Spec.Priority
			}
			if pod.Spec.PreemptionPolicy == nil {
				pod.Spec.PreemptionPolicy = old.Spec.PreemptionPolicy
			}
		}
		return nil
	case admission.Create:
		return p.admitPodCreate(ctx, a, pod)
	}
	return nil
}

func (p *Priority) admitPodCreate(ctx context.Context, a *admission.Attributes, pod *corev1.Pod) error {
	if err := ensureReady(ctx, p.Ready, a); err != nil {
		return err
	}
	var priority int32
	var policy *corev1.PreemptionPolicy
	if name := pod.Spec.PriorityClassName; name == "" {
		def, err := p.defaultClass()
		if err != nil {
			return fmt.Errorf("failed to get default priority class: %v", err)
		}
		if def != nil {
			pod.Spec.PriorityClassName, priority, policy = def.Name, def.Value, def.PreemptionPolicy
		} else {
			preempt := corev1.PreemptLowerPriority
			policy = &preempt
		}
	} else {
		if _, system := systemClasses[name]; system && a.Namespace != metav1.NamespaceSystem {
			return admission.NewForbidden(a, fmt.Errorf("pods with %v priorityClass is not permitted in %v namespace", name, a.Namespace))
		}
		pc, err := p.class(ctx, name)
		if apierrors.IsNotFound(err) {
			return admission.NewForbidden(a, fmt.Errorf("no PriorityClass with name %v was found", name))
		}
		if err != nil {
			return fmt.Errorf("failed to get PriorityClass with name %s: %v", name, err)
		}
		priority, policy = pc.Value, pc.PreemptionPolicy
	}
	if pod.Spec.Priority != nil && *pod.Spec.Priority != priority {
		return admission.NewForbidden(a, fmt.Errorf("the integer value of priority (%d) must not be provided in pod spec; priority admission controller computed %d from the given PriorityClass name", *pod.Spec.Priority, priority))
	}
	pod.Spec.Priority = &priority
	if policy != nil {
		if pod.Spec.PreemptionPolicy != nil && *pod.Spec.PreemptionPolicy != *policy {
			return admission.NewForbidden(a, fmt.Errorf("the string value of PreemptionPolicy (%s) must not be provided in pod spec; priority admission controller computed %s from the given PriorityClass name", *pod.Spec.PreemptionPolicy, *policy))
		}
		v := *policy
		pod.Spec.PreemptionPolicy = &v
	}
	return nil
}

// Validate implements admission.Validator: at most one globalDefault.
func (p *Priority) Validate(ctx context.Context, a *admission.Attributes) error {
	if a.Resource.GroupResource() != priorityClassesResource || a.Subresource != "" ||
		(a.Operation != admission.Create && a.Operation != admission.Update) {
		return nil
	}
	pc, ok := a.Object.(*schedulingv1.PriorityClass)
	if !ok || !pc.GlobalDefault {
		return nil
	}
	if err := ensureReady(ctx, p.Ready, a); err != nil {
		return err
	}
	def, err := p.defaultClass()
	if err != nil {
		return fmt.Errorf("failed to get default priority class: %v", err)
	}
	if def != nil && (a.Operation == admission.Create || def.Name != pc.Name) {
		return admission.NewForbidden(a, fmt.Errorf("PriorityClass %v is already marked as default. Only one default can exist", def.Name))
	}
	return nil
}

// class reads a PriorityClass: lister, then live, then the built-in
// system classes.
func (p *Priority) class(ctx context.Context, name string) (*schedulingv1.PriorityClass, error) {
	var err error = apierrors.NewNotFound(priorityClassesResource, name)
	if p.Classes != nil {
		var pc *schedulingv1.PriorityClass
		if pc, err = p.Classes.Get(name); err == nil {
			return pc, nil
		}
	}
	if apierrors.IsNotFound(err) && p.Client != nil {
		var pc *schedulingv1.PriorityClass
		if pc, err = p.Client.PriorityClasses().Get(ctx, name, metav1.GetOptions{}); err == nil {
			return pc, nil
		}
	}
	if value, ok := systemClasses[name]; ok && apierrors.IsNotFound(err) {
		preempt := corev1.PreemptLowerPriority
		return &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Value: value, PreemptionPolicy: &preempt}, nil
	}
	return nil, err
}

// defaultClass is the globalDefault class; should a race have made two,
// the lowest value wins, as upstream.
func (p *Priority) defaultClass() (*schedulingv1.PriorityClass, error) {
	if p.Classes == nil {
		return nil, nil
	}
	list, err := p.Classes.List(labels.Everything())
	if err != nil {
		return nil, err
	}
	var def *schedulingv1.PriorityClass
	for _, pc := range list {
		if pc.GlobalDefault && (def == nil || pc.Value < def.Value) {
			def = pc
		}
	}
	return def, nil
}
