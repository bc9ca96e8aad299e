package rbac

import (
	"strings"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// roleColumns is kubectl's CREATED AT for roles and cluster roles: an
// absolute time, since most roles are bootstrap objects as old as the
// cluster.
func roleColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		{Name: "Created At", Type: "date", Description: metav1.ObjectMeta{}.SwaggerDoc()["creationTimestamp"]},
	}
}

func createdAt(obj runtime.Object) []interface{} {
	m, err := apimeta.Accessor(obj)
	if err != nil {
		return []interface{}{""}
	}
	return []interface{}{m.GetCreationTimestamp().UTC().Format(time.RFC3339)}
}

// bindingColumns is kubectl's ROLE AGE, and with -o wide USERS GROUPS
// SERVICEACCOUNTS.
func bindingColumns(kind string) []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		{Name: "Role", Type: "string", Description: rbacv1.RoleBinding{}.SwaggerDoc()["roleRef"]},
		registry.AgeColumn,
		{Name: "Users", Type: "string", Priority: 1, Description: "Users in the " + kind},
		{Name: "Groups", Type: "string", Priority: 1, Description: "Groups in the " + kind},
		{Name: "ServiceAccounts", Type: "string", Priority: 1, Description: "ServiceAccounts in the " + kind},
	}
}

func bindingRow(obj runtime.Object, ref rbacv1.RoleRef, subjects []rbacv1.Subject) []interface{} {
	users, groups, sas := subjectCells(subjects)
	return []interface{}{ref.Kind + "/" + ref.Name, registry.Age(obj), users, groups, sas}
}

func join(s []string) string { return strings.Join(s, ", ") }
