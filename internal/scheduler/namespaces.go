package scheduler

import "k8s.io/apimachinery/pkg/labels"

// namespaceLabels returns a namespace's labels for affinity terms with a
// namespaceSelector.
func (s *Scheduler) namespaceLabels(name string) labels.Set {
	if s.listers.namespaces == nil {
		return nil
	}
	ns, err := s.listers.namespaces.Lister().Get(name)
	if err != nil {
		return nil
	}
	return ns.Labels
}
