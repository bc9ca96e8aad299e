package framework

import (
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"
)

// AffinityTerm is a parsed PodAffinityTerm.
type AffinityTerm struct {
	Namespaces        sets.Set[string]
	NamespaceSelector labels.Selector // nil: only Namespaces
	Selector          labels.Selector
	TopologyKey       string
}

// WeightedAffinityTerm is a preferred term with its weight.
type WeightedAffinityTerm struct {
	AffinityTerm
	Weight int32
}

// NamespaceLabeler looks up a namespace's labels (a Snapshot does).
type NamespaceLabeler interface {
	NamespaceLabelsOf(namespace string) labels.Set
}

// Matches says whether pod is selected by the term; namespace labels are
// looked up only for a term with a namespace selector.
func (t *AffinityTerm) Matches(pod *v1.Pod, ns NamespaceLabeler) bool {
	if !t.Selector.Matches(labels.Set(pod.Labels)) {
		return false
	}
	if t.Namespaces.Has(pod.Namespace) {
		return true
	}
	return t.NamespaceSelector != nil && ns != nil && t.NamespaceSelector.Matches(ns.NamespaceLabelsOf(pod.Namespace))
}

// PodInfo is a pod with what plugins need from it parsed once.
type PodInfo struct {
	Pod                        *v1.Pod
	Requests                   *Resource
	NonZeroRequests            *Resource
	RequiredAffinityTerms      []AffinityTerm
	RequiredAntiAffinityTerms  []AffinityTerm
	PreferredAffinityTerms     []WeightedAffinityTerm
	PreferredAntiAffinityTerms []WeightedAffinityTerm
	// ParseError is set when a term's selector does not parse; such a
	// pod is unschedulable.
	ParseError error
}

// NewPodInfo parses pod.
func NewPodInfo(pod *v1.Pod) *PodInfo {
	pi := &PodInfo{Pod: pod, Requests: PodRequests(pod), NonZeroRequests: PodNonZeroRequests(pod)}
	aff := pod.Spec.Affinity
	if aff == nil {
		return pi
	}
	if pa := aff.PodAffinity; pa != nil {
		pi.RequiredAffinityTerms = pi.parseTerms(pod, pa.RequiredDuringSchedulingIgnoredDuringExecution)
		pi.PreferredAffinityTerms = pi.parseWeighted(pod, pa.PreferredDuringSchedulingIgnoredDuringExecution)
	}
	if pa := aff.PodAntiAffinity; pa != nil {
		pi.RequiredAntiAffinityTerms = pi.parseTerms(pod, pa.RequiredDuringSchedulingIgnoredDuringExecution)
		pi.PreferredAntiAffinityTerms = pi.parseWeighted(pod, pa.PreferredDuringSchedulingIgnoredDuringExecution)
	}
	return pi
}

// HasAffinity is true when the pod has any pod (anti-)affinity term.
func (pi *PodInfo) HasAffinity() bool {
	return len(pi.RequiredAffinityTerms)+len(pi.RequiredAntiAffinityTerms)+
		len(pi.PreferredAffinityTerms)+len(pi.PreferredAntiAffinityTerms) > 0
}

func (pi *PodInfo) parseTerms(pod *v1.Pod, terms []v1.PodAffinityTerm) []AffinityTerm {
	var out []AffinityTerm
	for i := range terms {
		t, err := NewAffinityTerm(pod, &terms[i])
		if err != nil {
			pi.ParseError = err
			continue
		}
		out = append(out, t)
	}
	return out
}

func (pi *PodInfo) parseWeighted(pod *v1.Pod, terms []v1.WeightedPodAffinityTerm) []WeightedAffinityTerm {
	var out []WeightedAffinityTerm
	for i := range terms {
		t, err := NewAffinityTerm(pod, &terms[i].PodAffinityTerm)
		if err != nil {
			pi.ParseError = err
			continue
		}
		out = append(out, WeightedAffinityTerm{AffinityTerm: t, Weight: terms[i].Weight})
	}
	return out
}

// NewAffinityTerm parses term as written in pod: no namespaces and no
// namespace selector mean the pod's own namespace; an empty namespace
// selector means every namespace.
func NewAffinityTerm(pod *v1.Pod, term *v1.PodAffinityTerm) (AffinityTerm, error) {
	sel, err := metav1.LabelSelectorAsSelector(term.LabelSelector)
	if err != nil {
		return AffinityTerm{}, err
	}
	t := AffinityTerm{Namespaces: sets.New(term.Namespaces...), Selector: sel, TopologyKey: term.TopologyKey}
	if term.NamespaceSelector != nil {
		if t.NamespaceSelector, err = metav1.LabelSelectorAsSelector(term.NamespaceSelector); err != nil {
			return AffinityTerm{}, err
		}
	} else if len(term.Namespaces) == 0 {
		t.Namespaces.Insert(pod.Namespace)
	}
	return t, nil
}
