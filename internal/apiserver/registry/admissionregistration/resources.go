package admissionregistration

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Resources describes the admissionregistration.k8s.io/v1 kinds hanok
// serves. Both are cluster-scoped and in upstream's "api-extensions"
// category.
func Resources() []*registry.Resource {
	gv := admissionregistrationv1.SchemeGroupVersion
	return []*registry.Resource{
		{
			GroupVersion: gv, Kind: "MutatingWebhookConfiguration",
			Plural: "mutatingwebhookconfigurations", Singular: "mutatingwebhookconfiguration",
			Categories: []string{"api-extensions"},
			New:        func() runtime.Object { return &admissionregistrationv1.MutatingWebhookConfiguration{} },
			NewList:    func() runtime.Object { return &admissionregistrationv1.MutatingWebhookConfigurationList{} },
			Strategy:   newMutatingStrategy(),
		},
		{
			GroupVersion: gv, Kind: "ValidatingWebhookConfiguration",
			Plural: "validatingwebhookconfigurations", Singular: "validatingwebhookconfiguration",
			Categories: []string{"api-extensions"},
			New:        func() runtime.Object { return &admissionregistrationv1.ValidatingWebhookConfiguration{} },
			NewList:    func() runtime.Object { return &admissionregistrationv1.ValidatingWebhookConfigurationList{} },
			Strategy:   newValidatingStrategy(),
		},
	}
}
