package core

import (
	"context"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func serviceAccounts() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "ServiceAccount",
		Plural: "serviceaccounts", Singular: "serviceaccount", ShortNames: []string{"sa"},
		Namespaced: true,
		New:        func() runtime.Object { return &v1.ServiceAccount{} },
		NewList:    func() runtime.Object { return &v1.ServiceAccountList{} },
		// token is TokenRequest: the handler mints a JWT for the account.
		Strategy:     serviceAccountStrategy{},
		Subresources: []string{"token"},
	}
}

type serviceAccountStrategy struct{ registry.Base }

func (serviceAccountStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	sa := obj.(*v1.ServiceAccount)
	return validateMeta(&sa.ObjectMeta, true, subdomainName)
}

func (serviceAccountStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	sa, oldSa := obj.(*v1.ServiceAccount), old.(*v1.ServiceAccount)
	return validateMetaUpdate(&sa.ObjectMeta, &oldSa.ObjectMeta, true, subdomainName)
}

func (serviceAccountStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.", false),
		registry.AgeColumn,
	}
}

func (serviceAccountStrategy) TableRow(obj runtime.Object) []interface{} {
	return []interface{}{int64(len(obj.(*v1.ServiceAccount).Secrets)), registry.Age(obj)}
}
