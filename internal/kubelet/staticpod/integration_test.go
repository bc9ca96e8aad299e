package staticpod

import (
	"context"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMirrorPods(t *testing.T) {
	s := shared.Get(t)
	ctx := testserver.Context(t)
	const nodeName = "sp-n1"
	admin := s.Client()
	node, err := admin.CoreV1().Nodes().Create(ctx, &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: nodeName}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.CoreV1().Nodes().Delete(context.Background(), nodeName, metav1.DeleteOptions{}) })
	ns := s.CreateNamespace(t)
	kubelet := s.ClientFor(t, "system:node:"+nodeName, "system:nodes")

	dir := t.TempDir()
	manifest := func(image string) string {
		return `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"` + ns + `","labels":{"app":"web"}},
 "spec":{"containers":[{"name":"web","image":"` + image + `"}]}}`
	}
	write(t, dir, "web.json", manifest("nginx:1.27"))
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := Watch(wctx, dir, nodeName)

	// Manifest written -> Watch delivers it -> SyncMirrors creates the mirror.
	static := next(t, ch)
	if len(static) != 1 {
		t.Fatalf("static pods = %v", podNames(static))
	}
	if err := SyncMirrors(ctx, kubelet, static); err != nil {
		t.Fatal(err)
	}
	mirror, err := admin.CoreV1().Pods(ns).Get(ctx, "web-"+nodeName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !IsMirror(mirror) || MirrorHash(mirror) != string(static[0].UID) || mirror.UID == static[0].UID {
		t.Errorf("mirror annotations %v uid %s (static %s)", mirror.Annotations, mirror.UID, static[0].UID)
	}
	if mirror.Spec.NodeName != nodeName || mirror.Labels["app"] != "web" || mirror.Spec.Containers[0].Image != "nginx:1.27" {
		t.Errorf("mirror = %+v", mirror)
	}
	if o := mirror.OwnerReferences; len(o) != 1 || o[0].Kind != "Node" || o[0].UID != node.UID || o[0].Controller == nil || !*o[0].Controller {
		t.Errorf("owner references = %+v", o)
	}

	// In sync: nothing changes.
	if err := SyncMirrors(ctx, kubelet, static); err != nil {
		t.Fatal(err)
	}
	same, _ := admin.CoreV1().Pods(ns).Get(ctx, mirror.Name, metav1.GetOptions{})
	if same.UID != mirror.UID {
		t.Error("mirror replaced although the manifest did not change")
	}

	// Deleted by hand: it comes back.
	if err := admin.CoreV1().Pods(ns).Delete(ctx, mirror.Name, metav1.DeleteOptions{GracePeriodSeconds: new(int64)}); err != nil {
		t.Fatal(err)
	}
	if err := SyncMirrors(ctx, kubelet, static); err != nil {
		t.Fatal(err)
	}
	back, err := admin.CoreV1().Pods(ns).Get(ctx, mirror.Name, metav1.GetOptions{})
	if err != nil || back.UID == mirror.UID {
		t.Fatalf("mirror after deletion by hand: %v", err)
	}

	// Manifest edited: the mirror is replaced.
	write(t, dir, "web.json", manifest("nginx:1.28"))
	static = next(t, ch)
	if err := SyncMirrors(ctx, kubelet, static); err != nil {
		t.Fatal(err)
	}
	edited, err := admin.CoreV1().Pods(ns).Get(ctx, mirror.Name, metav1.GetOptions{})
	if err != nil || edited.UID == back.UID || edited.Spec.Containers[0].Image != "nginx:1.28" || MirrorHash(edited) != string(static[0].UID) {
		t.Fatalf("mirror after edit: %v %+v", err, edited)
	}

	// Manifest removed: the mirror goes (with no static pod left, the node
	// name comes from the client's identity).
	if err := removeFile(dir, "web.json"); err != nil {
		t.Fatal(err)
	}
	static = next(t, ch)
	if len(static) != 0 {
		t.Fatalf("static pods after removal = %v", podNames(static))
	}
	if err := SyncMirrors(ctx, kubelet, static); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := admin.CoreV1().Pods(ns).Get(ctx, mirror.Name, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Fatal("mirror pod not deleted")
	}
}

func TestMirrorRefusedReferences(t *testing.T) {
	s := shared.Get(t)
	ctx := testserver.Context(t)
	const nodeName = "sp-n2"
	admin := s.Client()
	if _, err := admin.CoreV1().Nodes().Create(ctx, &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: nodeName}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.CoreV1().Nodes().Delete(context.Background(), nodeName, metav1.DeleteOptions{}) })
	ns := s.CreateNamespace(t)
	kubelet := s.ClientFor(t, "system:node:"+nodeName, "system:nodes")

	secretPod, err := decode([]byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"s","namespace":"`+ns+`"},
 "spec":{"containers":[{"name":"c","image":"busybox:1.36"}],"volumes":[{"name":"v","secret":{"secretName":"x"}}]}}`), nodeName)
	if err != nil {
		t.Fatal(err)
	}
	okPod, err := decode([]byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"ok","namespace":"`+ns+`"},
 "spec":{"containers":[{"name":"c","image":"busybox:1.36"}]}}`), nodeName)
	if err != nil {
		t.Fatal(err)
	}
	err = SyncMirrors(ctx, kubelet, append(secretPod, okPod...))
	if !apierrors.IsForbidden(unwrapAll(err)) {
		t.Errorf("mirror of a pod using a secret: err = %v, want Forbidden", err)
	}
	if _, err := admin.CoreV1().Pods(ns).Get(ctx, "ok-"+nodeName, metav1.GetOptions{}); err != nil {
		t.Errorf("the other mirror was not created: %v", err)
	}
}

// unwrapAll digs the first error out of errors.Join and %w wrapping.
func unwrapAll(err error) error {
	for err != nil {
		switch e := err.(type) {
		case interface{ Unwrap() []error }:
			err = e.Unwrap()[0]
		case interface{ Unwrap() error }:
			if apierrors.IsForbidden(err) {
				return err
			}
			err = e.Unwrap()
		default:
			return err
		}
	}
	return err
}
