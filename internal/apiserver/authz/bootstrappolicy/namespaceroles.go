package bootstrappolicy

import rbacv1 "k8s.io/api/rbac/v1"

func role(namespace, name string, rs ...rule) *rbacv1.Role {
	return &rbacv1.Role{ObjectMeta: defaultMeta(namespace, name), Rules: rules(rs...)}
}

func roleBinding(namespace, name, roleName string, subjects ...rbacv1.Subject) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		ObjectMeta: defaultMeta(namespace, name),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: roleName},
		Subjects:   subjects,
	}
}

// namespaceRoles are upstream's roles that only make sense in kube-system
// or kube-public.
func namespaceRoles() []*rbacv1.Role {
	leaderLocking := []rule{
		verbs("watch", "get", "list", "create", "update").groups(coordinationGroup).resources("leases"),
		verbs("watch", "get", "list", "create", "update").groups(coordinationGroup).resources("leasecandidates"),
	}
	return []*rbacv1.Role{
		// Servers that delegate authentication read the client CA from here.
		role(SystemNamespace, "extension-apiserver-authentication-reader",
			verbs(read...).groups(legacyGroup).resources("configmaps").names("extension-apiserver-authentication"),
		),
		role(SystemNamespace, "system::leader-locking-kube-controller-manager", leaderLocking...),
		role(SystemNamespace, "system::leader-locking-kube-scheduler", leaderLocking...),
		// Bootstrap tokens: the signer reads them to sign cluster-info, the
		// cleaner deletes expired ones.
		role(SystemNamespace, ControllerRolePrefix+"bootstrap-signer",
			verbs(read...).groups(legacyGroup).resources("secrets"),
		),
		role(SystemNamespace, ControllerRolePrefix+"token-cleaner",
			verbs("delete", "get", "list", "watch").groups(legacyGroup).resources("secrets"),
			eventsRule(),
		),
		role(PublicNamespace, ControllerRolePrefix+"bootstrap-signer",
			verbs(read...).groups(legacyGroup).resources("configmaps"),
			verbs("update").groups(legacyGroup).resources("configmaps").names("cluster-info"),
			eventsRule(),
		),
	}
}

func namespaceRoleBindings() []*rbacv1.RoleBinding {
	return []*rbacv1.RoleBinding{
		roleBinding(SystemNamespace, "system::extension-apiserver-authentication-reader", "extension-apiserver-authentication-reader",
			users(KubeControllerManager, KubeScheduler)...),
		// metrics-server, as k3s installs it.
		roleBinding(SystemNamespace, "metrics-server-auth-reader", "extension-apiserver-authentication-reader",
			serviceAccount(SystemNamespace, "metrics-server")),
		roleBinding(SystemNamespace, "system::leader-locking-kube-controller-manager", "system::leader-locking-kube-controller-manager",
			append(users(KubeControllerManager),
				serviceAccount(SystemNamespace, "kube-controller-manager"),
				serviceAccount(SystemNamespace, "leader-election-controller"))...),
		roleBinding(SystemNamespace, "system::leader-locking-kube-scheduler", "system::leader-locking-kube-scheduler",
			append(users(KubeScheduler), serviceAccount(SystemNamespace, "kube-scheduler"))...),
		roleBinding(SystemNamespace, ControllerRolePrefix+"bootstrap-signer", ControllerRolePrefix+"bootstrap-signer",
			serviceAccount(SystemNamespace, "bootstrap-signer")),
		roleBinding(SystemNamespace, ControllerRolePrefix+"token-cleaner", ControllerRolePrefix+"token-cleaner",
			serviceAccount(SystemNamespace, "token-cleaner")),
		roleBinding(PublicNamespace, ControllerRolePrefix+"bootstrap-signer", ControllerRolePrefix+"bootstrap-signer",
			serviceAccount(SystemNamespace, "bootstrap-signer")),
	}
}
