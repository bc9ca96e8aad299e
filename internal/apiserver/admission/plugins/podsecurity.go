package plugins

import (
	"context"
	"fmt"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	psadmission "k8s.io/pod-security-admission/admission"
	psconfig "k8s.io/pod-security-admission/admission/api"
	psload "k8s.io/pod-security-admission/admission/api/load"
	psapi "k8s.io/pod-security-admission/api"
	psmetrics "k8s.io/pod-security-admission/metrics"
	pspolicy "k8s.io/pod-security-admission/policy"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// PodSecurity is upstream's plugin of that name, a thin adapter over
// upstream's own library (k8s.io/pod-security-admission), so the checks
// and their messages are exactly upstream's. A namespace's labels
// pod-security.kubernetes.io/{enforce,warn,audit}[-version] pick a level
// (privileged, baseline, restricted): pods violating the enforce level are
// refused, violations of the warn level come back as warnings, and
// workload templates (deployments, jobs, ...) only ever warn, since
// refusing them would hide the problem until their pods fail to appear.
// Changing a namespace's enforce label warns about existing pods that
// would now be refused.
type PodSecurity struct {
	delegate *psadmission.Admission
}

// NewPodSecurity builds the plugin. namespaces and pods are listers
// (pods are only read when a namespace's enforce level is raised);
// client reads a namespace the lister does not have yet and may be nil.
// config is the PodSecurityConfiguration (defaults and exemptions); nil
// means upstream's default: everything privileged, nothing exempt.
func NewPodSecurity(namespaces corelisters.NamespaceLister, client corev1client.NamespacesGetter, pods corelisters.PodLister, config *psconfig.PodSecurityConfiguration) (*PodSecurity, error) {
	if config == nil {
		var err error
		if config, err = psload.LoadFromData(nil); err != nil {
			return nil, err
		}
	}
	evaluator, err := pspolicy.NewEvaluator(pspolicy.DefaultChecks(), nil)
	if err != nil {
		return nil, fmt.Errorf("pod security checks: %w", err)
	}
	lookup := NamespaceLookup(namespaces, client)
	d := &psadmission.Admission{
		Configuration:    config,
		Evaluator:        evaluator,
		Metrics:          noMetrics{},
		PodSpecExtractor: psadmission.DefaultPodSpecExtractor{},
		NamespaceGetter: namespaceGetterFunc(func(ctx context.Context, name string) (*corev1.Namespace, error) {
			return lookup(ctx, name, false)
		}),
		PodLister: podListerOrEmpty(pods),
	}
	if err := d.CompleteConfiguration(); err != nil {
		return nil, err
	}
	if err := d.ValidateConfiguration(); err != nil {
		return nil, err
	}
	return &PodSecurity{delegate: d}, nil
}

// Validate implements admission.Validator.
func (p *PodSecurity) Validate(ctx context.Context, a *admission.Attributes) error {
	if a.Operation != admission.Create && a.Operation != admission.Update {
		return nil
	}
	gr := a.Resource.GroupResource()
	if gr != namespacesGR && gr != podsResource && !p.delegate.PodSpecExtractor.HasPodSpec(gr) {
		return nil
	}
	// Deletes and connects carry no object to check.
	if a.Object == nil {
		return nil
	}
	user := ""
	if a.User != nil {
		user = a.User.Name
	}
	resp := p.delegate.Validate(ctx, &psapi.AttributesRecord{
		Name: a.Name, Namespace: a.Namespace, Kind: a.Kind, Resource: a.Resource,
		Subresource: a.Subresource, Operation: admissionv1.Operation(a.Operation),
		Object: a.Object, OldObject: a.OldObject, Username: user,
	})
	for _, w := range resp.Warnings {
		a.AddWarning(w)
	}
	if resp.Allowed {
		return nil
	}
	if resp.Result == nil {
		return admission.NewForbidden(a, fmt.Errorf("Not allowed by PodSecurity"))
	}
	// The library's Status already reads as upstream's answer
	// (`pods "x" is forbidden: violates PodSecurity "baseline:latest": ...`);
	// the response is shared, so copy it.
	return &apierrors.StatusError{ErrStatus: *resp.Result.DeepCopy()}
}

var namespacesGR = corev1.Resource("namespaces")

type namespaceGetterFunc func(ctx context.Context, name string) (*corev1.Namespace, error)

func (f namespaceGetterFunc) GetNamespace(ctx context.Context, name string) (*corev1.Namespace, error) {
	return f(ctx, name)
}

// podListerOrEmpty: without a pod lister, raising a namespace's level
// simply cannot warn about existing pods.
func podListerOrEmpty(pods corelisters.PodLister) psadmission.PodLister {
	if pods == nil {
		return noPods{}
	}
	return psadmission.PodListerFromInformer(pods)
}

type noPods struct{}

func (noPods) ListPods(context.Context, string) ([]*corev1.Pod, error) { return nil, nil }

// noMetrics: hanok does not export the library's Prometheus metrics, and
// registering them globally would tie every chain to one registry.
type noMetrics struct{}

func (noMetrics) RecordEvaluation(psmetrics.Decision, psapi.LevelVersion, psmetrics.Mode, psapi.Attributes) {
}
func (noMetrics) RecordExemption(psapi.Attributes)   {}
func (noMetrics) RecordError(bool, psapi.Attributes) {}
