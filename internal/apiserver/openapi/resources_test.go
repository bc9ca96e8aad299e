package openapi

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	eventsv1 "k8s.io/api/events/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// nopStrategy stands in for the registry's strategies: this package only
// reads a resource's names and types.
type nopStrategy struct{}

func (nopStrategy) Default(runtime.Object)                                           {}
func (nopStrategy) PrepareForCreate(context.Context, runtime.Object)                 {}
func (nopStrategy) PrepareForUpdate(context.Context, runtime.Object, runtime.Object) {}
func (nopStrategy) Validate(context.Context, runtime.Object) field.ErrorList         { return nil }
func (nopStrategy) ValidateUpdate(context.Context, runtime.Object, runtime.Object) field.ErrorList {
	return nil
}
func (nopStrategy) TableColumns() []metav1.TableColumnDefinition { return nil }
func (nopStrategy) TableRow(runtime.Object) []interface{}        { return nil }
func (nopStrategy) SelectableFields(runtime.Object) fields.Set   { return nil }

// res describes one resource the way the registry does.
func res(gv schema.GroupVersion, kind, plural string, namespaced bool, newObj, newList func() runtime.Object, subs ...string) *registry.Resource {
	return &registry.Resource{
		GroupVersion: gv, Kind: kind, Plural: plural, Namespaced: namespaced,
		New: newObj, NewList: newList, Strategy: nopStrategy{}, Subresources: subs,
	}
}

// testResources is roughly what hanok serves: every group of the brief,
// create-only review kinds and the usual subresources.
func testResources() []*registry.Resource {
	core, apps, batch := corev1.SchemeGroupVersion, appsv1.SchemeGroupVersion, batchv1.SchemeGroupVersion
	return []*registry.Resource{
		res(core, "Pod", "pods", true, func() runtime.Object { return &corev1.Pod{} }, func() runtime.Object { return &corev1.PodList{} },
			"status", "binding", "eviction", "log", "exec", "attach", "portforward", "proxy", "ephemeralcontainers", "resize"),
		res(core, "Namespace", "namespaces", false, func() runtime.Object { return &corev1.Namespace{} }, func() runtime.Object { return &corev1.NamespaceList{} }, "status", "finalize"),
		res(core, "Node", "nodes", false, func() runtime.Object { return &corev1.Node{} }, func() runtime.Object { return &corev1.NodeList{} }, "status", "proxy"),
		res(core, "Service", "services", true, func() runtime.Object { return &corev1.Service{} }, func() runtime.Object { return &corev1.ServiceList{} }, "status", "proxy"),
		res(core, "ServiceAccount", "serviceaccounts", true, func() runtime.Object { return &corev1.ServiceAccount{} }, func() runtime.Object { return &corev1.ServiceAccountList{} }, "token"),
		res(core, "ConfigMap", "configmaps", true, func() runtime.Object { return &corev1.ConfigMap{} }, func() runtime.Object { return &corev1.ConfigMapList{} }),
		res(core, "Secret", "secrets", true, func() runtime.Object { return &corev1.Secret{} }, func() runtime.Object { return &corev1.SecretList{} }),
		res(core, "Event", "events", true, func() runtime.Object { return &corev1.Event{} }, func() runtime.Object { return &corev1.EventList{} }),
		res(core, "Endpoints", "endpoints", true, func() runtime.Object { return &corev1.Endpoints{} }, func() runtime.Object { return &corev1.EndpointsList{} }),
		res(core, "PersistentVolume", "persistentvolumes", false, func() runtime.Object { return &corev1.PersistentVolume{} }, func() runtime.Object { return &corev1.PersistentVolumeList{} }, "status"),
		res(core, "PersistentVolumeClaim", "persistentvolumeclaims", true, func() runtime.Object { return &corev1.PersistentVolumeClaim{} }, func() runtime.Object { return &corev1.PersistentVolumeClaimList{} }, "status"),
		res(core, "LimitRange", "limitranges", true, func() runtime.Object { return &corev1.LimitRange{} }, func() runtime.Object { return &corev1.LimitRangeList{} }),
		res(core, "ResourceQuota", "resourcequotas", true, func() runtime.Object { return &corev1.ResourceQuota{} }, func() runtime.Object { return &corev1.ResourceQuotaList{} }, "status"),
		res(core, "ReplicationController", "replicationcontrollers", true, func() runtime.Object { return &corev1.ReplicationController{} }, func() runtime.Object { return &corev1.ReplicationControllerList{} }, "status", "scale"),
		res(core, "PodTemplate", "podtemplates", true, func() runtime.Object { return &corev1.PodTemplate{} }, func() runtime.Object { return &corev1.PodTemplateList{} }),
		res(core, "Binding", "bindings", true, func() runtime.Object { return &corev1.Binding{} }, nil),
		res(apps, "Deployment", "deployments", true, func() runtime.Object { return &appsv1.Deployment{} }, func() runtime.Object { return &appsv1.DeploymentList{} }, "status", "scale"),
		res(apps, "ReplicaSet", "replicasets", true, func() runtime.Object { return &appsv1.ReplicaSet{} }, func() runtime.Object { return &appsv1.ReplicaSetList{} }, "status", "scale"),
		res(apps, "StatefulSet", "statefulsets", true, func() runtime.Object { return &appsv1.StatefulSet{} }, func() runtime.Object { return &appsv1.StatefulSetList{} }, "status", "scale"),
		res(apps, "DaemonSet", "daemonsets", true, func() runtime.Object { return &appsv1.DaemonSet{} }, func() runtime.Object { return &appsv1.DaemonSetList{} }, "status"),
		res(apps, "ControllerRevision", "controllerrevisions", true, func() runtime.Object { return &appsv1.ControllerRevision{} }, func() runtime.Object { return &appsv1.ControllerRevisionList{} }),
		res(batch, "Job", "jobs", true, func() runtime.Object { return &batchv1.Job{} }, func() runtime.Object { return &batchv1.JobList{} }, "status"),
		res(batch, "CronJob", "cronjobs", true, func() runtime.Object { return &batchv1.CronJob{} }, func() runtime.Object { return &batchv1.CronJobList{} }, "status"),
		res(coordinationv1.SchemeGroupVersion, "Lease", "leases", true, func() runtime.Object { return &coordinationv1.Lease{} }, func() runtime.Object { return &coordinationv1.LeaseList{} }),
		res(discoveryv1.SchemeGroupVersion, "EndpointSlice", "endpointslices", true, func() runtime.Object { return &discoveryv1.EndpointSlice{} }, func() runtime.Object { return &discoveryv1.EndpointSliceList{} }),
		res(eventsv1.SchemeGroupVersion, "Event", "events", true, func() runtime.Object { return &eventsv1.Event{} }, func() runtime.Object { return &eventsv1.EventList{} }),
		res(rbacv1.SchemeGroupVersion, "Role", "roles", true, func() runtime.Object { return &rbacv1.Role{} }, func() runtime.Object { return &rbacv1.RoleList{} }),
		res(rbacv1.SchemeGroupVersion, "RoleBinding", "rolebindings", true, func() runtime.Object { return &rbacv1.RoleBinding{} }, func() runtime.Object { return &rbacv1.RoleBindingList{} }),
		res(rbacv1.SchemeGroupVersion, "ClusterRole", "clusterroles", false, func() runtime.Object { return &rbacv1.ClusterRole{} }, func() runtime.Object { return &rbacv1.ClusterRoleList{} }),
		res(rbacv1.SchemeGroupVersion, "ClusterRoleBinding", "clusterrolebindings", false, func() runtime.Object { return &rbacv1.ClusterRoleBinding{} }, func() runtime.Object { return &rbacv1.ClusterRoleBindingList{} }),
		res(networkingv1.SchemeGroupVersion, "NetworkPolicy", "networkpolicies", true, func() runtime.Object { return &networkingv1.NetworkPolicy{} }, func() runtime.Object { return &networkingv1.NetworkPolicyList{} }),
		res(networkingv1.SchemeGroupVersion, "Ingress", "ingresses", true, func() runtime.Object { return &networkingv1.Ingress{} }, func() runtime.Object { return &networkingv1.IngressList{} }, "status"),
		res(networkingv1.SchemeGroupVersion, "IngressClass", "ingressclasses", false, func() runtime.Object { return &networkingv1.IngressClass{} }, func() runtime.Object { return &networkingv1.IngressClassList{} }),
		res(storagev1.SchemeGroupVersion, "StorageClass", "storageclasses", false, func() runtime.Object { return &storagev1.StorageClass{} }, func() runtime.Object { return &storagev1.StorageClassList{} }),
		res(storagev1.SchemeGroupVersion, "CSIDriver", "csidrivers", false, func() runtime.Object { return &storagev1.CSIDriver{} }, func() runtime.Object { return &storagev1.CSIDriverList{} }),
		res(storagev1.SchemeGroupVersion, "CSINode", "csinodes", false, func() runtime.Object { return &storagev1.CSINode{} }, func() runtime.Object { return &storagev1.CSINodeList{} }),
		res(storagev1.SchemeGroupVersion, "VolumeAttachment", "volumeattachments", false, func() runtime.Object { return &storagev1.VolumeAttachment{} }, func() runtime.Object { return &storagev1.VolumeAttachmentList{} }, "status"),
		res(policyv1.SchemeGroupVersion, "PodDisruptionBudget", "poddisruptionbudgets", true, func() runtime.Object { return &policyv1.PodDisruptionBudget{} }, func() runtime.Object { return &policyv1.PodDisruptionBudgetList{} }, "status"),
		res(schedulingv1.SchemeGroupVersion, "PriorityClass", "priorityclasses", false, func() runtime.Object { return &schedulingv1.PriorityClass{} }, func() runtime.Object { return &schedulingv1.PriorityClassList{} }),
		res(authenticationv1.SchemeGroupVersion, "TokenReview", "tokenreviews", false, func() runtime.Object { return &authenticationv1.TokenReview{} }, nil),
		res(authenticationv1.SchemeGroupVersion, "SelfSubjectReview", "selfsubjectreviews", false, func() runtime.Object { return &authenticationv1.SelfSubjectReview{} }, nil),
		res(authorizationv1.SchemeGroupVersion, "SubjectAccessReview", "subjectaccessreviews", false, func() runtime.Object { return &authorizationv1.SubjectAccessReview{} }, nil),
		res(authorizationv1.SchemeGroupVersion, "SelfSubjectAccessReview", "selfsubjectaccessreviews", false, func() runtime.Object { return &authorizationv1.SelfSubjectAccessReview{} }, nil),
		res(authorizationv1.SchemeGroupVersion, "SelfSubjectRulesReview", "selfsubjectrulesreviews", false, func() runtime.Object { return &authorizationv1.SelfSubjectRulesReview{} }, nil),
		res(authorizationv1.SchemeGroupVersion, "LocalSubjectAccessReview", "localsubjectaccessreviews", true, func() runtime.Object { return &authorizationv1.LocalSubjectAccessReview{} }, nil),
		res(autoscalingv1.SchemeGroupVersion, "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, func() runtime.Object { return &autoscalingv1.HorizontalPodAutoscaler{} }, func() runtime.Object { return &autoscalingv1.HorizontalPodAutoscalerList{} }, "status"),
	}
}
