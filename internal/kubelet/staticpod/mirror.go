package staticpod

import (
	"context"
	"errors"
	"fmt"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// SyncMirrors makes the node's mirror pods match static: it creates the
// missing ones, replaces those made from another version of the manifest
// (or being deleted: a static pod cannot be deleted through the API), and
// deletes those whose static pod is gone. It is level-based: call it on
// every change from Watch and now and then (a mirror deleted by hand comes
// back). The node is the static pods' spec.nodeName or, with none, the
// client's own identity (system:node:<name>). All failures are returned
// together; the rest of the work is still done. Call it only once Watch
// has delivered a first set: an empty set deletes every mirror pod of the
// node.
func SyncMirrors(ctx context.Context, client kubernetes.Interface, static []*v1.Pod) error {
	nodeName := ""
	if len(static) > 0 {
		nodeName = static[0].Spec.NodeName
	} else {
		var err error
		if nodeName, err = selfNodeName(ctx, client); err != nil {
			return err
		}
	}
	node, err := client.CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("mirror pods need the node %s: %w", nodeName, err)
	}
	list, err := client.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("spec.nodeName", nodeName).String(),
	})
	if err != nil {
		return fmt.Errorf("listing pods of node %s: %w", nodeName, err)
	}
	mirrors := map[string]*v1.Pod{}
	for i := range list.Items {
		if p := &list.Items[i]; IsMirror(p) {
			mirrors[p.Namespace+"/"+p.Name] = p
		}
	}

	var errs []error
	for _, s := range static {
		key := s.Namespace + "/" + s.Name
		m, ok := mirrors[key]
		delete(mirrors, key)
		if ok && MirrorHash(m) == s.Annotations[ConfigHashAnnotation] && m.DeletionTimestamp == nil {
			continue
		}
		if ok {
			if err := deleteMirror(ctx, client, m); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if err := createMirror(ctx, client, node, s); err != nil {
			errs = append(errs, err)
		}
	}
	for _, m := range mirrors { // static pod gone
		if err := deleteMirror(ctx, client, m); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// mirrorOf is the mirror pod of static s: the same pod, marked with its
// hash and owned by the Node (NodeRestriction requires it, and the pod
// goes when the Node does).
func mirrorOf(s *v1.Pod, node *v1.Node) *v1.Pod {
	m := &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:        s.Name,
			Namespace:   s.Namespace,
			Labels:      s.Labels,
			Annotations: map[string]string{},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID,
				Controller: ptr.To(true),
			}},
		},
		Spec: *s.Spec.DeepCopy(),
	}
	for k, v := range s.Annotations {
		m.Annotations[k] = v
	}
	m.Annotations[ConfigMirrorAnnotation] = s.Annotations[ConfigHashAnnotation]
	return m
}

func createMirror(ctx context.Context, client kubernetes.Interface, node *v1.Node, s *v1.Pod) error {
	_, err := client.CoreV1().Pods(s.Namespace).Create(ctx, mirrorOf(s, node), metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("creating mirror pod %s/%s: %w", s.Namespace, s.Name, err)
	}
	log.WithField("pod", s.Namespace+"/"+s.Name).Debug("created mirror pod")
	return nil
}

// deleteMirror deletes at once (a mirror has no containers of its own to
// wait for), only the very pod read.
func deleteMirror(ctx context.Context, client kubernetes.Interface, m *v1.Pod) error {
	err := client.CoreV1().Pods(m.Namespace).Delete(ctx, m.Name, metav1.DeleteOptions{
		GracePeriodSeconds: ptr.To(int64(0)),
		Preconditions:      &metav1.Preconditions{UID: &m.UID},
	})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting mirror pod %s/%s: %w", m.Namespace, m.Name, err)
	}
	log.WithField("pod", m.Namespace+"/"+m.Name).Debug("deleted mirror pod")
	return nil
}

// selfNodeName asks the API server who the client is: a kubelet is
// system:node:<name>.
func selfNodeName(ctx context.Context, client kubernetes.Interface) (string, error) {
	r, err := client.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("finding the node name of the client: %w", err)
	}
	name, ok := strings.CutPrefix(r.Status.UserInfo.Username, "system:node:")
	if !ok || name == "" {
		return "", fmt.Errorf("client is %q, not a node (system:node:<name>)", r.Status.UserInfo.Username)
	}
	return name, nil
}
