package core

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// updatablePodSpecFields is upstream's list, quoted in the error users get
// when they try to change anything else of a running pod.
var updatablePodSpecFields = []string{
	"`spec.containers[*].image`",
	"`spec.initContainers[*].image`",
	"`spec.activeDeadlineSeconds`",
	"`spec.tolerations` (only additions to existing tolerations)",
	"`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
}

// ValidateUpdate enforces that a pod's spec is fixed once created, except
// for what the kubelet can apply in place: images, a shorter
// activeDeadlineSeconds, added tolerations and removed scheduling gates.
func (podStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	pod, oldPod := obj.(*v1.Pod), old.(*v1.Pod)
	errs := apivalidation.ValidateObjectMetaUpdate(&pod.ObjectMeta, &oldPod.ObjectMeta, metadataPath)
	errs = append(errs, validatePod(pod)...)
	return append(errs, validatePodSpecUpdate(&pod.Spec, &oldPod.Spec)...)
}

func validatePodSpecUpdate(spec, old *v1.PodSpec) field.ErrorList {
	var errs field.ErrorList
	specPath := field.NewPath("spec")

	for _, l := range []struct {
		name     string
		new, old []v1.Container
	}{{"containers", spec.Containers, old.Containers}, {"initContainers", spec.InitContainers, old.InitContainers}} {
		if len(l.new) != len(l.old) {
			// Nothing else can be compared meaningfully.
			return append(errs, field.Forbidden(specPath.Child(l.name), "pod updates may not add or remove containers"))
		}
		for i, c := range l.new {
			if c.Image == "" {
				errs = append(errs, field.Required(specPath.Child(l.name).Index(i).Child("image"), ""))
			}
		}
	}

	// activeDeadlineSeconds may be set, or shortened, never lengthened or
	// removed: a deadline only ever gets closer.
	adsPath := specPath.Child("activeDeadlineSeconds")
	if spec.ActiveDeadlineSeconds != nil {
		v := *spec.ActiveDeadlineSeconds
		if v < 0 || v > math.MaxInt32 {
			return append(errs, field.Invalid(adsPath, v, utilvalidation.InclusiveRangeError(0, math.MaxInt32)))
		}
		if old.ActiveDeadlineSeconds != nil && *old.ActiveDeadlineSeconds < v {
			return append(errs, field.Invalid(adsPath, v, "must be less than or equal to previous value"))
		}
	} else if old.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Invalid(adsPath, spec.ActiveDeadlineSeconds, "must not update from a positive integer to nil value"))
	}

	errs = append(errs, validateOnlyAddedTolerations(spec.Tolerations, old.Tolerations, specPath.Child("tolerations"))...)
	errs = append(errs, validateOnlyDeletedSchedulingGates(spec.SchedulingGates, old.SchedulingGates, specPath.Child("schedulingGates"))...)

	if apiequality.Semantic.DeepEqual(spec, old) {
		return errs
	}
	// Undo the allowed changes on a copy; whatever still differs is not
	// allowed.
	munged := spec.DeepCopy()
	for i := range munged.Containers {
		munged.Containers[i].Image = old.Containers[i].Image
	}
	for i := range munged.InitContainers {
		munged.InitContainers[i].Image = old.InitContainers[i].Image
	}
	munged.ActiveDeadlineSeconds = old.ActiveDeadlineSeconds
	munged.Tolerations = old.Tolerations
	munged.SchedulingGates = old.SchedulingGates
	if old.TerminationGracePeriodSeconds != nil && *old.TerminationGracePeriodSeconds < 0 &&
		munged.TerminationGracePeriodSeconds != nil && *munged.TerminationGracePeriodSeconds == 1 {
		munged.TerminationGracePeriodSeconds = old.TerminationGracePeriodSeconds
	}
	if !apiequality.Semantic.DeepEqual(munged, old) {
		msg := fmt.Sprintf("pod updates may not change fields other than %s", strings.Join(updatablePodSpecFields, ","))
		if changed := changedSpecFields(munged, old); len(changed) > 0 {
			// Upstream prints a full diff; the changed field names are
			// what a user needs to find the offending edit.
			msg += "\n  changed: " + strings.Join(changed, ", ")
		}
		errs = append(errs, field.Forbidden(specPath, msg))
	}
	return errs
}

// changedSpecFields lists the top-level PodSpec fields (by wire name) that
// differ between a and b.
func changedSpecFields(a, b *v1.PodSpec) []string {
	var out []string
	va, vb := reflectValue(a), reflectValue(b)
	t := va.Type()
	for i := 0; i < t.NumField(); i++ {
		if !apiequality.Semantic.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, "spec."+jsonFieldName(t.Field(i)))
		}
	}
	sort.Strings(out)
	return out
}

func validateOnlyAddedTolerations(tolerations, old []v1.Toleration, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, o := range old {
		found := false
		for _, n := range tolerations {
			// An existing NoExecute toleration may shorten its seconds.
			n2 := n
			if o.TolerationSeconds != nil && n.TolerationSeconds != nil && *n.TolerationSeconds <= *o.TolerationSeconds {
				n2.TolerationSeconds = o.TolerationSeconds
			}
			if apiequality.Semantic.DeepEqual(n2, o) {
				found = true
				break
			}
		}
		if !found {
			errs = append(errs, field.Forbidden(fldPath, "existing toleration can not be modified except its tolerationSeconds"))
			return errs
		}
	}
	return errs
}

func validateOnlyDeletedSchedulingGates(gates, old []v1.PodSchedulingGate, fldPath *field.Path) field.ErrorList {
	had := map[string]bool{}
	for _, g := range old {
		had[g.Name] = true
	}
	for _, g := range gates {
		if !had[g.Name] {
			return field.ErrorList{field.Forbidden(fldPath, "only deletion is allowed, but found new scheduling gate '"+g.Name+"'")}
		}
	}
	return nil
}

// ValidateStatusUpdate checks what kubelets and the scheduler write to
// /status: the node binding is untouched, QoS class fixed, IPs valid, and
// containers of a pod that must not restart stay terminated.
func (podStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	pod, oldPod := obj.(*v1.Pod), old.(*v1.Pod)
	errs := apivalidation.ValidateObjectMetaUpdate(&pod.ObjectMeta, &oldPod.ObjectMeta, metadataPath)
	st := field.NewPath("status")
	if pod.Spec.NodeName != oldPod.Spec.NodeName {
		errs = append(errs, field.Forbidden(st.Child("nodeName"), "may not be changed directly"))
	}
	if n := pod.Status.NominatedNodeName; n != "" && n != oldPod.Status.NominatedNodeName {
		for _, msg := range apivalidation.NameIsDNSSubdomain(n, false) {
			errs = append(errs, field.Invalid(st.Child("nominatedNodeName"), n, msg))
		}
	}
	if pod.Status.ObservedGeneration < 0 {
		errs = append(errs, field.Invalid(st.Child("observedGeneration"), pod.Status.ObservedGeneration, "must be a non-negative integer"))
	}
	errs = append(errs, immutable(pod.Status.QOSClass, oldPod.Status.QOSClass, st.Child("qosClass"))...)
	errs = append(errs, validateContainerStateTransition(pod.Status.ContainerStatuses, oldPod.Status.ContainerStatuses, oldPod.Spec.RestartPolicy, st.Child("containerStatuses"))...)
	errs = append(errs, validateContainerStateTransition(pod.Status.InitContainerStatuses, oldPod.Status.InitContainerStatuses, oldPod.Spec.RestartPolicy, st.Child("initContainerStatuses"))...)
	errs = append(errs, validateStatusIPs(pod.Status.PodIPs, st.Child("podIPs"))...)
	hostIPs := make([]v1.PodIP, len(pod.Status.HostIPs))
	for i, h := range pod.Status.HostIPs {
		hostIPs[i] = v1.PodIP(h)
	}
	errs = append(errs, validateStatusIPs(hostIPs, st.Child("hostIPs"))...)
	return errs
}

// validateContainerStateTransition: with restartPolicy Never (or OnFailure
// after a clean exit) a terminated container is done for good.
func validateContainerStateTransition(statuses, old []v1.ContainerStatus, policy v1.RestartPolicy, fldPath *field.Path) field.ErrorList {
	if policy == v1.RestartPolicyAlways {
		return nil
	}
	var errs field.ErrorList
	for i, s := range statuses {
		for _, o := range old {
			if o.Name != s.Name || o.State.Terminated == nil || s.State.Terminated != nil {
				continue
			}
			if policy == v1.RestartPolicyNever || o.State.Terminated.ExitCode == 0 {
				errs = append(errs, field.Forbidden(fldPath.Index(i).Child("state"), "may not be transitioned to non-terminated state"))
			}
		}
	}
	return errs
}

// validateStatusIPs: valid addresses, at most one per family.
func validateStatusIPs(ips []v1.PodIP, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	families := map[bool]bool{}
	for i, ip := range ips {
		p := fldPath.Index(i)
		ipErrs := utilvalidation.IsValidIPForLegacyField(p, ip.IP, true, nil)
		errs = append(errs, ipErrs...)
		if len(ipErrs) > 0 {
			continue
		}
		v6 := strings.Contains(ip.IP, ":")
		if families[v6] {
			errs = append(errs, field.Invalid(fldPath, ips, "may specify no more than one IP for each IP family"))
			break
		}
		families[v6] = true
	}
	return errs
}
