package nodestatus

import (
	"context"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// leaser keeps the node's Lease in kube-node-lease fresh.
type leaser struct {
	cfg   Config
	lease *coordinationv1.Lease // last written, nil to read it again
}

// renew writes the lease with renewTime now: an update of the last lease
// written, or, after a conflict or at first, of a fresh read (a create
// when there is none).
func (l *leaser) renew(ctx context.Context, nodeUID types.UID) error {
	leases := l.cfg.Client.CoordinationV1().Leases(v1.NamespaceNodeLease)
	for attempt := 0; ; attempt++ {
		if l.lease == nil {
			cur, err := leases.Get(ctx, l.cfg.NodeName, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err):
				created, err := leases.Create(ctx, l.desired(nil, nodeUID), metav1.CreateOptions{})
				if err != nil {
					return err
				}
				l.lease = created
				return nil
			case err != nil:
				return err
			}
			l.lease = cur
		}
		updated, err := leases.Update(ctx, l.desired(l.lease, nodeUID), metav1.UpdateOptions{})
		if err == nil {
			l.lease = updated
			return nil
		}
		l.lease = nil
		if !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) || attempt > 0 {
			return err
		}
	}
}

// desired is cur (or a new Lease) held by the node, renewed now, owned by
// the Node so it goes when the Node does.
func (l *leaser) desired(cur *coordinationv1.Lease, nodeUID types.UID) *coordinationv1.Lease {
	lease := &coordinationv1.Lease{}
	if cur != nil {
		lease = cur.DeepCopy()
	}
	lease.Name, lease.Namespace = l.cfg.NodeName, v1.NamespaceNodeLease
	lease.Spec.HolderIdentity = ptr.To(l.cfg.NodeName)
	lease.Spec.LeaseDurationSeconds = ptr.To(int32(leaseDurationSeconds))
	lease.Spec.RenewTime = &metav1.MicroTime{Time: time.Now()}
	if nodeUID != "" {
		lease.OwnerReferences = []metav1.OwnerReference{{
			APIVersion: "v1", Kind: "Node", Name: l.cfg.NodeName, UID: nodeUID,
		}}
	}
	return lease
}
