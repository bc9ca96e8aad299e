package core

import (
	"context"
	"strconv"
	"strings"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func pods() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "Pod",
		Plural: "pods", Singular: "pod", ShortNames: []string{"po"},
		Categories: []string{"all"}, Namespaced: true,
		New:     func() runtime.Object { return &v1.Pod{} },
		NewList: func() runtime.Object { return &v1.PodList{} },
		// binding is the scheduler's write (see BindPod); eviction is the
		// PDB-checked delete used by drain; log, exec, attach and
		// portforward are proxied to the pod's kubelet (handlers
		// registered by the control plane, apiserver/kubeletproxy).
		Strategy:     podStrategy{},
		Subresources: []string{"status", "binding", "eviction", "log", "exec", "attach", "portforward"},
	}
}

type podStrategy struct{ registry.Base }

// Default applies the PodSpec defaults plus those upstream reserves for
// Pod objects, and keeps the singular/plural IP fields of v1 in step.
func (podStrategy) Default(obj runtime.Object) {
	pod := obj.(*v1.Pod)
	podspec.DefaultPodSpec(&pod.Spec)
	podspec.DefaultPodOnly(&pod.Spec)
	syncPodIPs(&pod.Status)
}

// syncPodIPs keeps podIP == podIPs[0] and hostIP == hostIPs[0], as
// upstream's v1 conversion does, whichever of the two a client set.
func syncPodIPs(st *v1.PodStatus) {
	if len(st.PodIPs) == 0 && st.PodIP != "" {
		st.PodIPs = []v1.PodIP{{IP: st.PodIP}}
	} else if len(st.PodIPs) > 0 {
		st.PodIP = st.PodIPs[0].IP
	}
	if len(st.HostIPs) == 0 && st.HostIP != "" {
		st.HostIPs = []v1.HostIP{{IP: st.HostIP}}
	} else if len(st.HostIPs) > 0 {
		st.HostIP = st.HostIPs[0].IP
	}
}

// PrepareForCreate starts every pod Pending with its QoS class computed
// once (it never changes afterwards), and marks pods with scheduling gates
// as not schedulable yet, as upstream does.
func (s podStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Base.PrepareForCreate(ctx, obj)
	pod := obj.(*v1.Pod)
	// Requests default from limits, so compute QoS on a defaulted copy:
	// the result must not depend on whether Default already ran.
	defaulted := pod.DeepCopy()
	podspec.DefaultPodSpec(&defaulted.Spec)
	podspec.DefaultPodOnly(&defaulted.Spec)
	pod.Status = v1.PodStatus{Phase: v1.PodPending, QOSClass: PodQOSClass(&defaulted.Spec)}
	if len(pod.Spec.SchedulingGates) > 0 {
		pod.Status.Conditions = []v1.PodCondition{{
			Type: v1.PodScheduled, Status: v1.ConditionFalse,
			Reason:  v1.PodReasonSchedulingGated,
			Message: "Scheduling is blocked due to non-empty scheduling gates",
		}}
	}
}

func (podStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	pod := obj.(*v1.Pod)
	errs := validatePod(pod)
	if len(pod.Spec.EphemeralContainers) > 0 {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "ephemeralContainers"), "cannot be set on create"))
	}
	return errs
}

// validatePod holds the rules shared by create and update.
func validatePod(pod *v1.Pod) field.ErrorList {
	specPath := field.NewPath("spec")
	errs := validateMeta(&pod.ObjectMeta, true, subdomainName)
	errs = append(errs, podspec.ValidatePodSpec(&pod.Spec, specPath)...)
	// Templates may carry " " as a placeholder image; a real pod may not.
	for _, l := range []struct {
		name string
		list []v1.Container
	}{{"containers", pod.Spec.Containers}, {"initContainers", pod.Spec.InitContainers}} {
		for i, c := range l.list {
			if c.Image != "" && c.Image != strings.TrimSpace(c.Image) {
				errs = append(errs, field.Invalid(specPath.Child(l.name).Index(i).Child("image"), c.Image, "must not have leading or trailing whitespace"))
			}
		}
	}
	return errs
}

// SelectableFields are upstream's pod field selectors; kubelets watch
// spec.nodeName, and kubectl uses status.phase.
func (podStrategy) SelectableFields(obj runtime.Object) fields.Set {
	pod := obj.(*v1.Pod)
	f := registry.MetaFields(obj)
	f["spec.nodeName"] = pod.Spec.NodeName
	f["spec.restartPolicy"] = string(pod.Spec.RestartPolicy)
	f["spec.schedulerName"] = pod.Spec.SchedulerName
	f["spec.serviceAccountName"] = pod.Spec.ServiceAccountName
	f["spec.hostNetwork"] = strconv.FormatBool(pod.Spec.HostNetwork)
	f["status.phase"] = string(pod.Status.Phase)
	podIP := ""
	if len(pod.Status.PodIPs) > 0 {
		podIP = pod.Status.PodIPs[0].IP
	} else {
		podIP = pod.Status.PodIP
	}
	f["status.podIP"] = podIP
	f["status.nominatedNodeName"] = pod.Status.NominatedNodeName
	return f
}

// PodQOSClass computes a pod's QoS class from its (defaulted) spec:
// BestEffort without any cpu/memory request or limit, Guaranteed when every
// container limits both and requests equal limits, Burstable otherwise.
func PodQOSClass(spec *v1.PodSpec) v1.PodQOSClass {
	qosResources := map[v1.ResourceName]bool{v1.ResourceCPU: true, v1.ResourceMemory: true}
	requests, limits := v1.ResourceList{}, v1.ResourceList{}
	add := func(into v1.ResourceList, from v1.ResourceList) map[v1.ResourceName]bool {
		found := map[v1.ResourceName]bool{}
		for name, q := range from {
			if !qosResources[name] || q.Sign() <= 0 {
				continue
			}
			found[name] = true
			sum := into[name]
			sum.Add(q)
			into[name] = sum
		}
		return found
	}
	guaranteed := true
	if spec.Resources != nil && (len(spec.Resources.Requests) > 0 || len(spec.Resources.Limits) > 0) {
		// Pod-level resources, when set, decide for the whole pod.
		add(requests, spec.Resources.Requests)
		if found := add(limits, spec.Resources.Limits); !found[v1.ResourceCPU] || !found[v1.ResourceMemory] {
			guaranteed = false
		}
	} else {
		for _, list := range [][]v1.Container{spec.Containers, spec.InitContainers} {
			for _, c := range list {
				add(requests, c.Resources.Requests)
				if found := add(limits, c.Resources.Limits); !found[v1.ResourceCPU] || !found[v1.ResourceMemory] {
					guaranteed = false
				}
			}
		}
	}
	if len(requests) == 0 && len(limits) == 0 {
		return v1.PodQOSBestEffort
	}
	if guaranteed {
		for name, req := range requests {
			if lim, ok := limits[name]; !ok || lim.Cmp(req) != 0 {
				guaranteed = false
				break
			}
		}
	}
	if guaranteed && len(requests) == len(limits) {
		return v1.PodQOSGuaranteed
	}
	return v1.PodQOSBurstable
}
