package bootstrappolicy

import rbacv1 "k8s.io/api/rbac/v1"

// componentClusterRoleBindings grant the component and everyone roles.
func componentClusterRoleBindings() []*rbacv1.ClusterRoleBinding {
	return []*rbacv1.ClusterRoleBinding{
		clusterRoleBinding("cluster-admin", "cluster-admin", groups(MastersGroup)...),
		clusterRoleBinding("system:monitoring", "system:monitoring", groups(MonitoringGroup)...),
		clusterRoleBinding("system:discovery", "system:discovery", groups(AuthenticatedGroup)...),
		clusterRoleBinding("system:basic-user", "system:basic-user", groups(AuthenticatedGroup)...),
		clusterRoleBinding("system:public-info-viewer", "system:public-info-viewer", groups(AuthenticatedGroup, UnauthenticatedGroup)...),
		clusterRoleBinding("system:node-proxier", "system:node-proxier", users(KubeProxy)...),
		clusterRoleBinding("system:kube-controller-manager", "system:kube-controller-manager", users(KubeControllerManager)...),
		clusterRoleBinding("system:kube-dns", "system:kube-dns", serviceAccount(SystemNamespace, "kube-dns")),
		clusterRoleBinding("system:kube-scheduler", "system:kube-scheduler", users(KubeScheduler)...),
		clusterRoleBinding("system:volume-scheduler", "system:volume-scheduler", users(KubeScheduler)...),
		// Workloads may read the token issuer's discovery documents.
		clusterRoleBinding("system:service-account-issuer-discovery", "system:service-account-issuer-discovery", groups(ServiceAccountsGroup)...),
		// Kept without subjects, as upstream does since the Node authorizer
		// took over: reconciliation then never re-adds system:nodes.
		clusterRoleBinding("system:node", "system:node"),
		// The API server reaching kubelets with its kubelet-client
		// certificate: upstream leaves this binding to the installer
		// (kubeadm, k3s make one); hanok's server is its own installer.
		clusterRoleBinding("system:kube-apiserver", "system:kubelet-api-admin", users(KubeAPIServer)...),
		// metrics-server, as k3s installs it.
		clusterRoleBinding("system:metrics-server", "system:metrics-server", serviceAccount(SystemNamespace, "metrics-server")),
		clusterRoleBinding("metrics-server:system:auth-delegator", "system:auth-delegator", serviceAccount(SystemNamespace, "metrics-server")),
	}
}
