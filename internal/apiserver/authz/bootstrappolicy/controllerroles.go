package bootstrappolicy

import rbacv1 "k8s.io/api/rbac/v1"

// ControllerRolePrefix names each controller's role and binding:
// system:controller:<service account name>.
const ControllerRolePrefix = "system:controller:"

// controller is one controller's identity (a service account in
// kube-system) and what it may do.
type controller struct {
	name  string
	rules []rule
}

// controllers lists the controllers hanok runs or will run, under
// upstream's service-account names, with upstream's rules.
func controllers() []controller {
	return []controller{
		{"certificate-controller", []rule{
			verbs("get", "list", "watch", "delete").groups(certificatesGroup).resources("certificatesigningrequests"),
			verbs("update").groups(certificatesGroup).resources("certificatesigningrequests/status", "certificatesigningrequests/approval"),
			verbs("approve").groups(certificatesGroup).resources("signers").names("kubernetes.io/kube-apiserver-client-kubelet"),
			verbs("sign").groups(certificatesGroup).resources("signers").names("kubernetes.io/legacy-unknown",
				"kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving"),
			verbs("create").groups(authorizationGroup).resources("subjectaccessreviews"),
			eventsRule(),
		}},
		{"clusterrole-aggregation-controller", []rule{
			// "escalate": it writes rules it does not itself hold.
			verbs("escalate", "get", "list", "watch", "update", "patch").groups(rbacGroup).resources("clusterroles"),
		}},
		{"cronjob-controller", []rule{
			verbs("get", "list", "watch", "update").groups(batchGroup).resources("cronjobs"),
			verbs("get", "list", "watch", "create", "update", "delete", "patch").groups(batchGroup).resources("jobs"),
			verbs("update").groups(batchGroup).resources("cronjobs/status"),
			verbs("update").groups(batchGroup).resources("cronjobs/finalizers"),
			verbs("list", "watch", "delete").groups(legacyGroup).resources("pods"),
			eventsRule(),
		}},
		{"daemon-set-controller", []rule{
			verbs(read...).groups(extensionsGroup, appsGroup).resources("daemonsets"),
			verbs("update").groups(extensionsGroup, appsGroup).resources("daemonsets/status"),
			verbs("update").groups(extensionsGroup, appsGroup).resources("daemonsets/finalizers"),
			verbs("list", "watch").groups(legacyGroup).resources("nodes"),
			verbs("list", "watch", "create", "delete", "patch").groups(legacyGroup).resources("pods"),
			verbs("create").groups(legacyGroup).resources("pods/binding"),
			verbs("get", "list", "watch", "create", "delete", "update", "patch").groups(appsGroup).resources("controllerrevisions"),
			eventsRule(),
		}},
		{"deployment-controller", []rule{
			verbs("get", "list", "watch", "update").groups(extensionsGroup, appsGroup).resources("deployments"),
			verbs("update").groups(extensionsGroup, appsGroup).resources("deployments/status"),
			verbs("update").groups(extensionsGroup, appsGroup).resources("deployments/finalizers"),
			verbs("get", "list", "watch", "create", "update", "patch", "delete").groups(appsGroup, extensionsGroup).resources("replicasets"),
			// Pods are read to check rollout state and relabelled for
			// orphan adoption.
			verbs("get", "list", "watch", "update").groups(legacyGroup).resources("pods"),
			eventsRule(),
		}},
		{"disruption-controller", []rule{
			verbs(read...).groups(extensionsGroup, appsGroup).resources("deployments"),
			verbs(read...).groups(appsGroup, extensionsGroup).resources("replicasets"),
			verbs(read...).groups(legacyGroup).resources("replicationcontrollers"),
			verbs(read...).groups(policyGroup).resources("poddisruptionbudgets"),
			verbs(read...).groups(appsGroup).resources("statefulsets"),
			verbs("update").groups(policyGroup).resources("poddisruptionbudgets/status"),
			verbs("patch", "update").groups(legacyGroup).resources("pods/status"),
			verbs("get").groups("*").resources("*/scale"),
			eventsRule(),
		}},
		{"endpoint-controller", []rule{
			verbs(read...).groups(legacyGroup).resources("services", "pods"),
			verbs("get", "list", "watch", "create", "update", "delete").groups(legacyGroup).resources("endpoints"),
			verbs("create").groups(legacyGroup).resources("endpoints/restricted"),
			eventsRule(),
		}},
		{"endpointslice-controller", []rule{
			verbs(read...).groups(legacyGroup).resources("services", "pods", "nodes"),
			// Owner references on slices need the service's finalizers.
			verbs("update").groups(legacyGroup).resources("services/finalizers"),
			verbs("get", "list", "watch", "create", "update", "delete").groups(discoveryGroup).resources("endpointslices"),
			eventsRule(),
		}},
		{"endpointslicemirroring-controller", []rule{
			verbs(read...).groups(legacyGroup).resources("services", "endpoints"),
			verbs("update").groups(legacyGroup).resources("services/finalizers"),
			verbs("update").groups(legacyGroup).resources("endpoints/finalizers"),
			verbs("get", "list", "watch", "create", "update", "delete").groups(discoveryGroup).resources("endpointslices"),
			eventsRule(),
		}},
		{"generic-garbage-collector", []rule{
			// It deletes dependents of any kind and edits their owner references.
			verbs("get", "list", "watch", "patch", "update", "delete").groups("*").resources("*"),
			eventsRule(),
		}},
		{"horizontal-pod-autoscaler", []rule{
			verbs(read...).groups(autoscalingGroup).resources("horizontalpodautoscalers"),
			verbs("update").groups(autoscalingGroup).resources("horizontalpodautoscalers/status"),
			verbs("get", "update").groups("*").resources("*/scale"),
			verbs("list", "watch").groups(legacyGroup).resources("pods"),
			verbs("list", "watch").groups(metricsGroup).resources("pods"),
			verbs(read...).groups("custom.metrics.k8s.io").resources("*"),
			verbs(read...).groups("external.metrics.k8s.io").resources("*"),
			eventsRule(),
		}},
		{"job-controller", []rule{
			verbs("get", "list", "watch", "update", "patch").groups(batchGroup).resources("jobs"),
			verbs("update").groups(batchGroup).resources("jobs/status"),
			verbs("update").groups(batchGroup).resources("jobs/finalizers"),
			verbs("list", "watch", "create", "delete", "patch").groups(legacyGroup).resources("pods"),
			eventsRule(),
		}},
		{"namespace-controller", []rule{
			verbs("get", "list", "watch", "delete").groups(legacyGroup).resources("namespaces"),
			verbs("update").groups(legacyGroup).resources("namespaces/finalize", "namespaces/status"),
			// Emptying a namespace means deleting whatever is in it.
			verbs("get", "list", "watch", "delete", "deletecollection").groups("*").resources("*"),
		}},
		{"node-controller", []rule{
			verbs("get", "list", "update", "delete", "patch", "watch").groups(legacyGroup).resources("nodes"),
			verbs("patch", "update").groups(legacyGroup).resources("nodes/status"),
			// Marking the pods of lost nodes not ready, and evicting them.
			verbs("patch", "update").groups(legacyGroup).resources("pods/status"),
			verbs("list", "watch", "get", "delete").groups(legacyGroup).resources("pods"),
			eventsRule(),
		}},
		{"persistent-volume-binder", []rule{
			verbs("get", "list", "watch", "update", "create", "delete").groups(legacyGroup).resources("persistentvolumes"),
			verbs("update").groups(legacyGroup).resources("persistentvolumes/status"),
			verbs("get", "list", "watch", "update").groups(legacyGroup).resources("persistentvolumeclaims"),
			verbs("update").groups(legacyGroup).resources("persistentvolumeclaims/status"),
			// Recycler pods.
			verbs("list", "watch", "get", "create", "delete").groups(legacyGroup).resources("pods"),
			verbs(read...).groups(storageGroup).resources("storageclasses"),
			verbs("list", "watch").groups(legacyGroup).resources("nodes"),
			eventsRule(),
			verbs("watch").groups(legacyGroup).resources("events"),
		}},
		{"pod-garbage-collector", []rule{
			verbs("list", "watch", "delete").groups(legacyGroup).resources("pods"),
			verbs(read...).groups(legacyGroup).resources("nodes"),
			verbs("patch").groups(legacyGroup).resources("pods/status"),
		}},
		{"pv-protection-controller", []rule{
			verbs("get", "list", "watch", "update").groups(legacyGroup).resources("persistentvolumes"),
			eventsRule(),
		}},
		{"pvc-protection-controller", []rule{
			verbs("get", "list", "watch", "update").groups(legacyGroup).resources("persistentvolumeclaims"),
			verbs("update").groups(legacyGroup).resources("persistentvolumeclaims/status"),
			verbs(read...).groups(legacyGroup).resources("pods"),
			eventsRule(),
		}},
		{"replicaset-controller", []rule{
			verbs("get", "list", "watch", "update").groups(appsGroup, extensionsGroup).resources("replicasets"),
			verbs("update").groups(appsGroup, extensionsGroup).resources("replicasets/status"),
			verbs("update").groups(appsGroup, extensionsGroup).resources("replicasets/finalizers"),
			verbs("list", "watch", "patch", "create", "delete").groups(legacyGroup).resources("pods"),
			eventsRule(),
		}},
		{"replication-controller", []rule{
			verbs("get", "list", "watch", "update").groups(legacyGroup).resources("replicationcontrollers"),
			verbs("update").groups(legacyGroup).resources("replicationcontrollers/status"),
			verbs("update").groups(legacyGroup).resources("replicationcontrollers/finalizers"),
			verbs("list", "watch", "patch", "create", "delete").groups(legacyGroup).resources("pods"),
			eventsRule(),
		}},
		{"resourcequota-controller", []rule{
			// Quota counts objects of any kind.
			verbs("list", "watch").groups("*").resources("*"),
			verbs("update").groups(legacyGroup).resources("resourcequotas/status"),
			eventsRule(),
		}},
		{"root-ca-cert-publisher", []rule{
			verbs("create", "update").groups(legacyGroup).resources("configmaps"),
			eventsRule(),
		}},
		// hanok: the kube-dns Service in front of every agent's DNS, and
		// its EndpointSlice of nodes.
		{"cluster-dns-controller", []rule{
			verbs("get", "list", "watch", "create", "update").groups(legacyGroup).resources("services"),
			verbs(read...).groups(legacyGroup).resources("nodes"),
			verbs("get", "list", "watch", "create", "update", "delete").groups(discoveryGroup).resources("endpointslices"),
			eventsRule(),
		}},
		{"service-controller", []rule{
			verbs("get", "list", "watch").groups(legacyGroup).resources("services"),
			verbs("patch", "update").groups(legacyGroup).resources("services/status"),
			verbs("list", "watch").groups(legacyGroup).resources("nodes"),
			eventsRule(),
		}},
		{"service-account-controller", []rule{
			verbs("create").groups(legacyGroup).resources("serviceaccounts"),
			eventsRule(),
		}},
		{"statefulset-controller", []rule{
			verbs("list", "watch").groups(legacyGroup).resources("pods"),
			verbs(read...).groups(appsGroup).resources("statefulsets"),
			verbs("update").groups(appsGroup).resources("statefulsets/status"),
			verbs("update").groups(appsGroup).resources("statefulsets/finalizers"),
			verbs("get", "create", "delete", "update", "patch").groups(legacyGroup).resources("pods"),
			verbs("get", "create", "delete", "update", "patch", "list", "watch").groups(appsGroup).resources("controllerrevisions"),
			verbs("get", "create", "list", "watch").groups(legacyGroup).resources("persistentvolumeclaims"),
			// PVC retention policy.
			verbs("update", "delete").groups(legacyGroup).resources("persistentvolumeclaims"),
			verbs("update").groups(legacyGroup).resources("pods/finalizers"),
			eventsRule(),
		}},
		{"ttl-after-finished-controller", []rule{
			verbs("get", "list", "watch", "delete").groups(batchGroup).resources("jobs"),
			eventsRule(),
		}},
		{"ttl-controller", []rule{
			verbs("update", "patch", "list", "watch").groups(legacyGroup).resources("nodes"),
			eventsRule(),
		}},
	}
}

// ControllerServiceAccounts names the service accounts in kube-system that
// the controllers run as (one per controller, as upstream's
// --use-service-account-credentials does).
func ControllerServiceAccounts() []string {
	var out []string
	for _, c := range controllers() {
		out = append(out, c.name)
	}
	return out
}

func controllerRoles() []*rbacv1.ClusterRole {
	var out []*rbacv1.ClusterRole
	for _, c := range controllers() {
		out = append(out, clusterRole(ControllerRolePrefix+c.name, c.rules...))
	}
	return out
}

func controllerRoleBindings() []*rbacv1.ClusterRoleBinding {
	var out []*rbacv1.ClusterRoleBinding
	for _, c := range controllers() {
		out = append(out, clusterRoleBinding(ControllerRolePrefix+c.name, ControllerRolePrefix+c.name,
			serviceAccount(SystemNamespace, c.name)))
	}
	return out
}
