package garbagecollector

import (
	"context"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/testserver"
)

// chain creates Deployment d -> ReplicaSet d-rs -> Pod d-pod, owned as
// the workload controllers own them (controller, blockOwnerDeletion).
func (f *fixture) chain(d string) {
	f.t.Helper()
	ctx := testserver.Context(f.t)
	labels := map[string]string{"app": d}
	template := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
	dep, err := f.cs.AppsV1().Deployments(f.ns).Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: d},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: template}}, metav1.CreateOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	yes := true
	rs, err := f.cs.AppsV1().ReplicaSets(f.ns).Create(ctx, &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: d + "-rs", OwnerReferences: []metav1.OwnerReference{
			{APIVersion: "apps/v1", Kind: "Deployment", Name: dep.Name, UID: dep.UID, Controller: &yes, BlockOwnerDeletion: &yes}}},
		Spec: appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: template}}, metav1.CreateOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	_, err = f.cs.CoreV1().Pods(f.ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: d + "-pod", Labels: labels, OwnerReferences: []metav1.OwnerReference{
			{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: &yes, BlockOwnerDeletion: &yes}}},
		Spec: template.Spec}, metav1.CreateOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) deleteDeployment(name string, policy metav1.DeletionPropagation) {
	f.t.Helper()
	if err := f.cs.AppsV1().Deployments(f.ns).Delete(testserver.Context(f.t), name, metav1.DeleteOptions{PropagationPolicy: &policy}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) waitAllGone(d string) {
	f.t.Helper()
	poll(f.t, d+"'s ReplicaSet and pod to go", func(ctx context.Context) bool {
		_, err1 := f.cs.AppsV1().Deployments(f.ns).Get(ctx, d, metav1.GetOptions{})
		_, err2 := f.cs.AppsV1().ReplicaSets(f.ns).Get(ctx, d+"-rs", metav1.GetOptions{})
		_, err3 := f.cs.CoreV1().Pods(f.ns).Get(ctx, d+"-pod", metav1.GetOptions{})
		return apierrors.IsNotFound(err1) && apierrors.IsNotFound(err2) && apierrors.IsNotFound(err3)
	})
}

// TestWorkloadChain is `kubectl delete deployment` with each --cascade.
func TestWorkloadChain(t *testing.T) {
	f := newFixture(t)
	f.chain("bg")
	f.deleteDeployment("bg", metav1.DeletePropagationBackground)
	f.waitAllGone("bg")

	f.chain("fg")
	f.deleteDeployment("fg", metav1.DeletePropagationForeground)
	f.waitAllGone("fg")

	f.chain("orphan")
	f.deleteDeployment("orphan", metav1.DeletePropagationOrphan)
	poll(t, "the orphaned Deployment to go", func(ctx context.Context) bool {
		_, err := f.cs.AppsV1().Deployments(f.ns).Get(ctx, "orphan", metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	})
	ctx := testserver.Context(t)
	rs, err := f.cs.AppsV1().ReplicaSets(f.ns).Get(ctx, "orphan-rs", metav1.GetOptions{})
	if err != nil || len(rs.OwnerReferences) != 0 {
		t.Fatalf("orphaned ReplicaSet: %v, owners %v", err, rs.OwnerReferences)
	}
	if _, err := f.cs.CoreV1().Pods(f.ns).Get(ctx, "orphan-pod", metav1.GetOptions{}); err != nil {
		t.Fatalf("the orphaned ReplicaSet's pod: %v", err)
	}
}
