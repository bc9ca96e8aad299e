package bootstrappolicy

import (
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Labels and annotations upstream puts on every bootstrap object. The
// annotation is what Reconcile honours: "false" opts an object out.
const (
	BootstrapLabelKey    = "kubernetes.io/bootstrapping"
	BootstrapLabelValue  = "rbac-defaults"
	AutoUpdateAnnotation = rbacv1.AutoUpdateAnnotationKey // rbac.authorization.kubernetes.io/autoupdate
)

// Identities the policy binds (upstream's names: components presenting
// client certificates with these CNs get these roles).
const (
	KubeScheduler         = "system:kube-scheduler"
	KubeControllerManager = "system:kube-controller-manager"
	KubeProxy             = "system:kube-proxy"
	// KubeAPIServer is the API server's identity towards kubelets (logs,
	// exec, port-forward, node proxy, resource metrics).
	KubeAPIServer        = "system:kube-apiserver"
	NodesGroup           = "system:nodes"
	MastersGroup         = "system:masters"
	MonitoringGroup      = "system:monitoring"
	AuthenticatedGroup   = "system:authenticated"
	UnauthenticatedGroup = "system:unauthenticated"
	ServiceAccountsGroup = "system:serviceaccounts"
	SystemNamespace      = "kube-system"
	PublicNamespace      = "kube-public"
)

// Verb sets as upstream names them.
var (
	read      = []string{"get", "list", "watch"}
	write     = []string{"create", "update", "patch", "delete", "deletecollection"}
	readWrite = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}
	eventVerb = []string{"create", "update", "patch"}
)

// API groups used below.
const (
	legacyGroup         = ""
	appsGroup           = "apps"
	authenticationGroup = "authentication.k8s.io"
	authorizationGroup  = "authorization.k8s.io"
	autoscalingGroup    = "autoscaling"
	batchGroup          = "batch"
	certificatesGroup   = "certificates.k8s.io"
	coordinationGroup   = "coordination.k8s.io"
	discoveryGroup      = "discovery.k8s.io"
	eventsGroup         = "events.k8s.io"
	extensionsGroup     = "extensions"
	networkingGroup     = "networking.k8s.io"
	nodeGroup           = "node.k8s.io"
	policyGroup         = "policy"
	rbacGroup           = "rbac.authorization.k8s.io"
	storageGroup        = "storage.k8s.io"
	metricsGroup        = "metrics.k8s.io"
)

// rule builds a PolicyRule; every list is sorted and de-duplicated, as
// upstream's builder does, so objects compare equal to upstream's.
type rule rbacv1.PolicyRule

func verbs(v ...string) rule                { return rule{Verbs: v} }
func (r rule) groups(g ...string) rule      { r.APIGroups = g; return r }
func (r rule) resources(res ...string) rule { r.Resources = res; return r }
func (r rule) names(n ...string) rule       { r.ResourceNames = n; return r }
func (r rule) urls(u ...string) rule        { r.NonResourceURLs = u; return r }
func sortedSet(in []string) []string {
	if in == nil {
		return nil
	}
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

func (r rule) build() rbacv1.PolicyRule {
	return rbacv1.PolicyRule{
		Verbs:           sortedSet(r.Verbs),
		APIGroups:       sortedSet(r.APIGroups),
		Resources:       sortedSet(r.Resources),
		ResourceNames:   sortedSet(r.ResourceNames),
		NonResourceURLs: sortedSet(r.NonResourceURLs),
	}
}

func rules(rs ...rule) []rbacv1.PolicyRule {
	out := make([]rbacv1.PolicyRule, len(rs))
	for i, r := range rs {
		out[i] = r.build()
	}
	return out
}

// eventsRule lets a component record events in both event APIs.
func eventsRule() rule {
	return verbs(eventVerb...).groups(legacyGroup, eventsGroup).resources("events")
}

// defaultMeta is the ObjectMeta of a bootstrap object: its name (and
// namespace), upstream's label and annotation, and any extra labels.
func defaultMeta(namespace, name string, extraLabels ...string) metav1.ObjectMeta {
	labels := map[string]string{BootstrapLabelKey: BootstrapLabelValue}
	for i := 0; i+1 < len(extraLabels); i += 2 {
		labels[extraLabels[i]] = extraLabels[i+1]
	}
	return metav1.ObjectMeta{
		Namespace:   namespace,
		Name:        name,
		Labels:      labels,
		Annotations: map[string]string{AutoUpdateAnnotation: "true"},
	}
}

func clusterRole(name string, rs ...rule) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{ObjectMeta: defaultMeta("", name), Rules: rules(rs...)}
}

// Subjects.
func users(names ...string) []rbacv1.Subject {
	out := make([]rbacv1.Subject, len(names))
	for i, n := range names {
		out[i] = rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: n}
	}
	return out
}

func groups(names ...string) []rbacv1.Subject {
	out := make([]rbacv1.Subject, len(names))
	for i, n := range names {
		out[i] = rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: n}
	}
	return out
}

func serviceAccount(namespace, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: namespace, Name: name}
}

func clusterRoleBinding(name, roleName string, subjects ...rbacv1.Subject) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		ObjectMeta: defaultMeta("", name),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: roleName},
		Subjects:   subjects,
	}
}
