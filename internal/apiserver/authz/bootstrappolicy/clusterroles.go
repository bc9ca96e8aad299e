package bootstrappolicy

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Aggregation labels: a ClusterRole carrying one of them adds its rules to
// admin, edit or view.
const (
	AggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin"
	AggregateToEdit  = "rbac.authorization.k8s.io/aggregate-to-edit"
	AggregateToView  = "rbac.authorization.k8s.io/aggregate-to-view"
)

// aggregatedRole is an empty role whose rules come from the roles its
// selector matches.
func aggregatedRole(name, selectLabel string, extraLabels ...string) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{
		ObjectMeta: defaultMeta("", name, extraLabels...),
		AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
			{MatchLabels: map[string]string{selectLabel: "true"}},
		}},
	}
}

func labeledRole(name, label string, rs ...rule) *rbacv1.ClusterRole {
	r := clusterRole(name, rs...)
	r.Labels[label] = "true"
	return r
}

// componentClusterRoles are the roles of users, of the API surface every
// client needs, and of the control-plane components.
func componentClusterRoles() []*rbacv1.ClusterRole {
	return []*rbacv1.ClusterRole{
		// Anything at all: bound to system:masters.
		clusterRole("cluster-admin",
			verbs("*").groups("*").resources("*"),
			verbs("*").urls("*"),
		),
		// Enough to find out whether the server is up and what it serves.
		clusterRole("system:discovery",
			verbs("get").urls("/livez", "/readyz", "/healthz", "/version", "/version/",
				"/openapi", "/openapi/*", "/api", "/api/*", "/apis", "/apis/*"),
		),
		clusterRole("system:monitoring",
			verbs("get").urls("/metrics", "/metrics/slis", "/livez", "/readyz", "/healthz",
				"/livez/*", "/readyz/*", "/healthz/*"),
		),
		// What every signed-in user may ask about itself (kubectl auth can-i, whoami).
		clusterRole("system:basic-user",
			verbs("create").groups(authorizationGroup).resources("selfsubjectaccessreviews", "selfsubjectrulesreviews"),
			verbs("create").groups(authenticationGroup).resources("selfsubjectreviews"),
		),
		// What anyone, signed in or not, may read.
		clusterRole("system:public-info-viewer",
			verbs("get").urls("/livez", "/readyz", "/healthz", "/version", "/version/"),
		),

		aggregatedRole("admin", AggregateToAdmin),
		aggregatedRole("edit", AggregateToEdit, AggregateToAdmin, "true"),
		aggregatedRole("view", AggregateToView, AggregateToEdit, "true"),

		// admin = edit + granting access within the namespace.
		labeledRole("system:aggregate-to-admin", AggregateToAdmin,
			verbs("create").groups(authorizationGroup).resources("localsubjectaccessreviews"),
			verbs(readWrite...).groups(rbacGroup).resources("roles", "rolebindings"),
		),
		// edit = view + writing workloads and reading secrets; no quota,
		// limits or status, which are the cluster operator's.
		labeledRole("system:aggregate-to-edit", AggregateToEdit,
			verbs(read...).groups(legacyGroup).resources("pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"),
			verbs("impersonate").groups(legacyGroup).resources("serviceaccounts"),
			verbs(write...).groups(legacyGroup).resources("pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"),
			verbs("create").groups(legacyGroup).resources("pods/eviction"),
			verbs(write...).groups(legacyGroup).resources("replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
				"services", "services/proxy", "persistentvolumeclaims", "configmaps", "secrets", "events"),
			verbs("create").groups(legacyGroup).resources("serviceaccounts/token"),
			verbs(write...).groups(appsGroup).resources("statefulsets", "statefulsets/scale", "daemonsets",
				"deployments", "deployments/scale", "deployments/rollback", "replicasets", "replicasets/scale"),
			verbs(write...).groups(autoscalingGroup).resources("horizontalpodautoscalers"),
			verbs(write...).groups(batchGroup).resources("jobs", "cronjobs"),
			verbs(write...).groups(extensionsGroup).resources("daemonsets", "deployments", "deployments/scale", "deployments/rollback",
				"ingresses", "replicasets", "replicasets/scale", "replicationcontrollers/scale", "networkpolicies"),
			verbs(write...).groups(policyGroup).resources("poddisruptionbudgets"),
			verbs(write...).groups(networkingGroup).resources("networkpolicies", "ingresses"),
			verbs(readWrite...).groups(coordinationGroup).resources("leases"),
		),
		// view = reading what is not a secret and cannot escalate.
		labeledRole("system:aggregate-to-view", AggregateToView,
			verbs(read...).groups(legacyGroup).resources("pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
				"services", "services/status", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "configmaps"),
			verbs(read...).groups(legacyGroup).resources("limitranges", "resourcequotas", "bindings", "events",
				"pods/status", "resourcequotas/status", "namespaces/status", "replicationcontrollers/status", "pods/log"),
			// Reading namespaces at namespace scope means reading this one:
			// how a user finds which namespaces it can use.
			verbs(read...).groups(legacyGroup).resources("namespaces"),
			verbs(read...).groups(discoveryGroup).resources("endpointslices"),
			verbs(read...).groups(appsGroup).resources("controllerrevisions", "statefulsets", "statefulsets/status", "statefulsets/scale",
				"daemonsets", "daemonsets/status", "deployments", "deployments/status", "deployments/scale",
				"replicasets", "replicasets/status", "replicasets/scale"),
			verbs(read...).groups(autoscalingGroup).resources("horizontalpodautoscalers", "horizontalpodautoscalers/status"),
			verbs(read...).groups(batchGroup).resources("jobs", "cronjobs", "cronjobs/status", "jobs/status"),
			verbs(read...).groups(extensionsGroup).resources("daemonsets", "daemonsets/status", "deployments", "deployments/scale",
				"deployments/status", "ingresses", "ingresses/status", "replicasets", "replicasets/scale", "replicasets/status",
				"replicationcontrollers/scale", "networkpolicies"),
			verbs(read...).groups(policyGroup).resources("poddisruptionbudgets", "poddisruptionbudgets/status"),
			verbs(read...).groups(networkingGroup).resources("ingresses", "ingresses/status", "networkpolicies"),
		),

		clusterRole("system:heapster",
			verbs(read...).groups(legacyGroup).resources("events", "pods", "nodes", "namespaces"),
			verbs(read...).groups(extensionsGroup).resources("deployments"),
		),
		// Kubelets: bound to nobody, the Node authorizer grants it (see
		// NodeRules); kept so that it can be bound by hand as upstream allows.
		&rbacv1.ClusterRole{ObjectMeta: defaultMeta("", "system:node"), Rules: NodeRules()},
		clusterRole("system:node-problem-detector",
			verbs("get").groups(legacyGroup).resources("nodes"),
			verbs("patch").groups(legacyGroup).resources("nodes/status"),
			eventsRule(),
		),
		// What the API server needs to reach kubelets (logs, exec, metrics).
		clusterRole("system:kubelet-api-admin",
			verbs(read...).groups(legacyGroup).resources("nodes"),
			verbs("proxy").groups(legacyGroup).resources("nodes"),
			verbs("*").groups(legacyGroup).resources("nodes/proxy", "nodes/metrics", "nodes/stats", "nodes/log"),
		),
		// A joining node asks for its client certificate.
		clusterRole("system:node-bootstrapper",
			verbs("create", "get", "list", "watch").groups(certificatesGroup).resources("certificatesigningrequests"),
		),
		// For servers that delegate authentication and authorization to us.
		clusterRole("system:auth-delegator",
			verbs("create").groups(authenticationGroup).resources("tokenreviews"),
			verbs("create").groups(authorizationGroup).resources("subjectaccessreviews"),
		),
		clusterRole("system:kube-aggregator",
			verbs(read...).groups(legacyGroup).resources("services", "endpoints"),
		),
		// The controller manager as a whole: enough to build its shared
		// informers and hand each controller its own identity.
		clusterRole("system:kube-controller-manager",
			eventsRule(),
			verbs("create").groups(coordinationGroup).resources("leases"),
			verbs("get", "update").groups(coordinationGroup).resources("leases").names("kube-controller-manager"),
			verbs("create").groups(legacyGroup).resources("secrets", "serviceaccounts"),
			verbs("delete").groups(legacyGroup).resources("secrets"),
			verbs("get").groups(legacyGroup).resources("namespaces", "secrets", "serviceaccounts", "configmaps"),
			verbs("update").groups(legacyGroup).resources("secrets", "serviceaccounts"),
			verbs("create").groups(authenticationGroup).resources("tokenreviews"),
			verbs("create").groups(authorizationGroup).resources("subjectaccessreviews"),
			verbs("list", "watch").groups("*").resources("*"),
			verbs("create").groups(legacyGroup).resources("serviceaccounts/token"),
		),
		clusterRole("system:kube-dns",
			verbs("list", "watch").groups(legacyGroup).resources("endpoints", "services"),
			// hanok: its DNS serves from EndpointSlices.
			verbs("list", "watch").groups(discoveryGroup).resources("endpointslices"),
		),
		clusterRole("system:persistent-volume-provisioner",
			verbs("get", "list", "watch", "create", "delete").groups(legacyGroup).resources("persistentvolumes"),
			// update to set a claim's volume annotations
			verbs("get", "list", "watch", "update").groups(legacyGroup).resources("persistentvolumeclaims"),
			verbs(read...).groups(storageGroup).resources("storageclasses"),
			verbs("watch").groups(legacyGroup).resources("events"),
			eventsRule(),
		),
		clusterRole("system:certificates.k8s.io:certificatesigningrequests:nodeclient",
			verbs("create").groups(certificatesGroup).resources("certificatesigningrequests/nodeclient"),
		),
		clusterRole("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
			verbs("create").groups(certificatesGroup).resources("certificatesigningrequests/selfnodeclient"),
		),
		signerApprover("kube-apiserver-client"),
		signerApprover("kube-apiserver-client-kubelet"),
		signerApprover("kubelet-serving"),
		signerApprover("legacy-unknown"),
		clusterRole("system:volume-scheduler",
			verbs(readUpdate...).groups(legacyGroup).resources("persistentvolumes"),
			verbs(read...).groups(storageGroup).resources("storageclasses"),
			verbs(readUpdate...).groups(legacyGroup).resources("persistentvolumeclaims"),
		),
		clusterRole("system:kube-scheduler",
			eventsRule(),
			verbs("create").groups(coordinationGroup).resources("leases"),
			verbs("get", "update").groups(coordinationGroup).resources("leases").names("kube-scheduler"),
			verbs(read...).groups(legacyGroup).resources("nodes"),
			verbs("get", "list", "watch", "delete").groups(legacyGroup).resources("pods"),
			verbs("create").groups(legacyGroup).resources("pods/binding", "bindings"),
			verbs("patch", "update").groups(legacyGroup).resources("pods/status"),
			verbs(read...).groups(legacyGroup).resources("replicationcontrollers", "services"),
			verbs(read...).groups(appsGroup, extensionsGroup).resources("replicasets"),
			verbs(read...).groups(appsGroup).resources("statefulsets"),
			verbs(read...).groups(policyGroup).resources("poddisruptionbudgets"),
			verbs(read...).groups(legacyGroup).resources("persistentvolumeclaims", "persistentvolumes"),
			verbs("create").groups(authenticationGroup).resources("tokenreviews"),
			verbs("create").groups(authorizationGroup).resources("subjectaccessreviews"),
			verbs(read...).groups(storageGroup).resources("csinodes"),
			verbs(read...).groups(storageGroup).resources("volumeattachments"),
			verbs(read...).groups(legacyGroup).resources("namespaces"),
			verbs(read...).groups(storageGroup).resources("csidrivers"),
			verbs(read...).groups(storageGroup).resources("csistoragecapacities"),
			// Dynamic resource allocation, as upstream 1.37 with its default
			// gates: the scheduler picks devices from the published slices,
			// writes the allocation into the claim's status (resourceclaims/
			// binding is upstream's authorization check for that write),
			// creates and deletes the claims behind extended resources backed
			// by devices, and keeps off devices that taint rules taint.
			verbs(read...).groups(resourceGroup).resources("deviceclasses"),
			verbs(readUpdate...).groups(resourceGroup).resources("resourceclaims"),
			verbs(readUpdate...).groups(resourceGroup).resources("resourceclaims/status"),
			verbs("update").groups(legacyGroup).resources("pods/finalizers"),
			verbs(read...).groups(resourceGroup).resources("resourceslices"),
			verbs("create", "delete").groups(resourceGroup).resources("resourceclaims"),
			verbs(read...).groups(resourceGroup).resources("devicetaintrules"),
			verbs("update", "patch").groups(resourceGroup).resources("resourceclaims/binding"),
		),
		// kube-proxy.
		clusterRole("system:node-proxier",
			verbs("list", "watch").groups(legacyGroup).resources("services", "endpoints"),
			verbs(read...).groups(legacyGroup).resources("nodes"),
			eventsRule(),
			verbs("list", "watch").groups(discoveryGroup).resources("endpointslices"),
		),
		clusterRole("system:service-account-issuer-discovery",
			verbs("get").urls("/.well-known/openid-configuration", "/openid/v1/jwks"),
		),
		// metrics-server, as k3s ships it: its readings join view/edit/admin.
		func() *rbacv1.ClusterRole {
			r := clusterRole("system:aggregated-metrics-reader",
				verbs(read...).groups(metricsGroup).resources("pods", "nodes"),
			)
			r.Labels[AggregateToView] = "true"
			r.Labels[AggregateToEdit] = "true"
			r.Labels[AggregateToAdmin] = "true"
			return r
		}(),
		clusterRole("system:metrics-server",
			verbs("get").groups(legacyGroup).resources("nodes/metrics"),
			verbs(read...).groups(legacyGroup).resources("pods", "nodes"),
		),
	}
}

var readUpdate = []string{"get", "list", "watch", "update", "patch"}

// resourceGroup is dynamic resource allocation's API group.
const resourceGroup = "resource.k8s.io"

// signerApprover may approve CSRs for one of the built-in signers.
func signerApprover(signer string) *rbacv1.ClusterRole {
	return clusterRole("system:certificates.k8s.io:"+signer+"-approver",
		verbs("approve").groups(certificatesGroup).resources("signers").names("kubernetes.io/"+signer),
	)
}
