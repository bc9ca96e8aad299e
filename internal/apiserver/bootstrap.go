package apiserver

import (
	"context"
	"fmt"
	"net"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/uuid"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/scheduling"
)

// systemNamespaces exist in every cluster from the start.
var systemNamespaces = []string{metav1.NamespaceDefault, metav1.NamespaceSystem, metav1.NamespacePublic, corev1.NamespaceNodeLease}

// Bootstrap creates what every cluster has from the start, through the same
// create path as any client (defaults, validation, allocation): the system
// namespaces, the `kubernetes` Service in default with the first service
// IP and Endpoints pointing at this API server, and the system
// PriorityClasses. Existing objects are kept; the Endpoints are kept
// pointing at this server. Then it runs the
// post-start hooks (see AddPostStartHook); the start hooks (AddStartHook)
// run first. Call it once the server serves.
func (s *Server) Bootstrap(ctx context.Context) error {
	ctx = withSystemUser(ctx)
	if err := runHooks(ctx, "start", s.startHooks); err != nil {
		return err
	}
	for _, name := range systemNamespaces {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
		if err := s.ensure(ctx, schema.GroupResource{Resource: "namespaces"}, "", ns); err != nil {
			return err
		}
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "kubernetes", Namespace: metav1.NamespaceDefault,
			Labels: map[string]string{"component": "apiserver", "provider": "kubernetes"}},
		Spec: corev1.ServiceSpec{
			Type:      corev1.ServiceTypeClusterIP,
			ClusterIP: firstIP(s.cfg.ServiceCIDR),
			Ports: []corev1.ServicePort{{Name: "https", Port: 443, Protocol: corev1.ProtocolTCP,
				TargetPort: intstr.FromInt32(int32(s.cfg.Port))}},
			SessionAffinity: corev1.ServiceAffinityNone,
		},
	}
	if err := s.ensure(ctx, schema.GroupResource{Resource: "services"}, metav1.NamespaceDefault, svc); err != nil {
		return err
	}
	if err := s.reconcileAPIEndpoints(ctx); err != nil {
		return err
	}
	// Upstream's two built-in classes, which the Priority plugin resolves
	// for system components' pods.
	for _, pc := range scheduling.SystemPriorityClasses() {
		if err := s.ensure(ctx, schema.GroupResource{Group: schedulingv1.GroupName, Resource: "priorityclasses"}, "", pc); err != nil {
			return err
		}
	}
	return runHooks(ctx, "post-start", s.postStartHooks)
}

// reconcileAPIEndpoints points default/kubernetes Endpoints at this server.
func (s *Server) reconcileAPIEndpoints(ctx context.Context) error {
	h := s.byGroupResource[schema.GroupResource{Resource: "endpoints"}]
	if h == nil || s.cfg.AdvertiseAddress == nil {
		return nil
	}
	want := corev1.EndpointSubset{
		Addresses: []corev1.EndpointAddress{{IP: s.cfg.AdvertiseAddress.String()}},
		Ports:     []corev1.EndpointPort{{Name: "https", Port: int32(s.cfg.Port), Protocol: corev1.ProtocolTCP}},
	}
	ep := &corev1.Endpoints{
		ObjectMeta: metav1.ObjectMeta{Name: "kubernetes", Namespace: metav1.NamespaceDefault,
			UID: types.UID(uuid.NewUUID()), CreationTimestamp: metav1.Now(),
			Labels: map[string]string{"endpointslice.kubernetes.io/skip-mirror": "true"}},
		Subsets: []corev1.EndpointSubset{want},
	}
	// Written straight to storage, as the API server's own record of
	// itself: validation would refuse a loopback address, which a
	// single-node or test server legitimately advertises.
	key := h.key(metav1.NamespaceDefault, "kubernetes")
	err := h.store.Create(ctx, key, ep, h.res.New())
	if !apierrors.IsAlreadyExists(err) {
		return err
	}
	return h.store.GuaranteedUpdate(ctx, key, h.res.New(), false, nil, func(current runtime.Object) (runtime.Object, error) {
		cur := current.(*corev1.Endpoints).DeepCopy()
		cur.Subsets = []corev1.EndpointSubset{want}
		return cur, nil
	})
}

// ensure creates obj unless an object of that name exists.
func (s *Server) ensure(ctx context.Context, gr schema.GroupResource, ns string, obj runtime.Object) error {
	resource := gr.String()
	h := s.byGroupResource[gr]
	if h == nil {
		return fmt.Errorf("bootstrap: %s not served", resource)
	}
	m, err := meta.Accessor(obj)
	if err != nil {
		return err
	}
	if err := h.store.Get(ctx, h.key(ns, m.GetName()), h.res.New()); err == nil {
		return nil
	}
	_, err = h.createObject(ctx, ns, obj, writeOptions{manager: "hanok", validation: "Strict"})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("bootstrap: creating %s: %w", resource, err)
	}
	return nil
}

// firstIP is the first usable address of cidr (10.43.0.1 for 10.43.0.0/16).
func firstIP(cidr *net.IPNet) string {
	if cidr == nil {
		return ""
	}
	ip := make(net.IP, len(cidr.IP))
	copy(ip, cidr.IP.Mask(cidr.Mask))
	ip[len(ip)-1]++
	return ip.String()
}

// withSystemUser marks in-process writes as the API server's own, for
// admission plugins that look at the user.
func withSystemUser(ctx context.Context) context.Context {
	return authn.WithUser(ctx, &authn.User{Name: "system:apiserver", Groups: []string{authn.SystemMasters, authn.AllAuthenticated}})
}
