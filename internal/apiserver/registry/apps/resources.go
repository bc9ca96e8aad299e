package apps

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Resources describes the apps/v1 kinds hanok serves.
func Resources() []*registry.Resource {
	gv := appsv1.SchemeGroupVersion
	return []*registry.Resource{
		{
			GroupVersion: gv, Kind: "Deployment", Plural: "deployments", Singular: "deployment",
			ShortNames: []string{"deploy"}, Categories: []string{"all"}, Namespaced: true,
			New:          func() runtime.Object { return &appsv1.Deployment{} },
			NewList:      func() runtime.Object { return &appsv1.DeploymentList{} },
			Strategy:     deploymentStrategy{},
			Subresources: []string{"status", "scale"},
		},
		{
			GroupVersion: gv, Kind: "ReplicaSet", Plural: "replicasets", Singular: "replicaset",
			ShortNames: []string{"rs"}, Categories: []string{"all"}, Namespaced: true,
			New:          func() runtime.Object { return &appsv1.ReplicaSet{} },
			NewList:      func() runtime.Object { return &appsv1.ReplicaSetList{} },
			Strategy:     replicaSetStrategy{},
			Subresources: []string{"status", "scale"},
		},
		{
			GroupVersion: gv, Kind: "StatefulSet", Plural: "statefulsets", Singular: "statefulset",
			ShortNames: []string{"sts"}, Categories: []string{"all"}, Namespaced: true,
			New:          func() runtime.Object { return &appsv1.StatefulSet{} },
			NewList:      func() runtime.Object { return &appsv1.StatefulSetList{} },
			Strategy:     statefulSetStrategy{},
			Subresources: []string{"status", "scale"},
		},
		{
			GroupVersion: gv, Kind: "DaemonSet", Plural: "daemonsets", Singular: "daemonset",
			ShortNames: []string{"ds"}, Categories: []string{"all"}, Namespaced: true,
			New:          func() runtime.Object { return &appsv1.DaemonSet{} },
			NewList:      func() runtime.Object { return &appsv1.DaemonSetList{} },
			Strategy:     daemonSetStrategy{},
			Subresources: []string{"status"},
		},
		{
			GroupVersion: gv, Kind: "ControllerRevision", Plural: "controllerrevisions", Singular: "controllerrevision",
			Namespaced: true,
			New:        func() runtime.Object { return &appsv1.ControllerRevision{} },
			NewList:    func() runtime.Object { return &appsv1.ControllerRevisionList{} },
			Strategy:   controllerRevisionStrategy{},
		},
	}
}
