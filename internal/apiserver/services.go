package apiserver

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/allocator"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Services own two scarce things the store alone cannot hand out: a
// ClusterIP from --service-cidr and NodePorts from 30000-32767. The
// allocators keep them in etcd so no two Services ever get the same one;
// these hooks take them on create/update and give them back on delete.

var serviceGK = corev1.SchemeGroupVersion.WithKind("Service").GroupKind()

// beforeCreate takes what a new object needs besides its own key. The
// returned release undoes it if the create then fails (or is a dry run).
func (s *Server) beforeCreate(ctx context.Context, res *registry.Resource, obj runtime.Object, dry bool) (func(), error) {
	svc, ok := obj.(*corev1.Service)
	if !ok || s.cfg.ServiceIPs == nil {
		return func() {}, nil
	}
	var taken []func()
	release := func() {
		for _, f := range taken {
			f()
		}
	}
	if err := s.allocateClusterIP(ctx, svc, &taken); err != nil {
		release()
		return func() {}, err
	}
	if err := s.allocateNodePorts(ctx, svc, nil, &taken); err != nil {
		release()
		return func() {}, err
	}
	return release, nil
}

// serviceUpdate is what one Service update takes from and gives back to
// the allocators. The store may run an update several times (it retries a
// lost race), and the update may yet fail validation, be a dry run, or
// change nothing, so what it takes is only kept at commit; what the old
// Service had and the new one no longer uses (a type change to ClusterIP
// or ExternalName, a removed port) is only given back then too.
type serviceUpdate struct {
	s     *Server
	taken []func()
	old   *corev1.Service
}

func (s *Server) newServiceUpdate() *serviceUpdate { return &serviceUpdate{s: s} }

// prepare keeps a Service's ClusterIP (a client may omit it) and gives one
// to a Service that now needs it (from ExternalName), and NodePorts to the
// ports that now need one. Each call first undoes the previous one's.
func (u *serviceUpdate) prepare(ctx context.Context, svc, old *corev1.Service) error {
	u.rollback()
	u.old = old
	if u.s.cfg.ServiceIPs == nil || u.s.cfg.NodePorts == nil {
		return nil
	}
	if svc.Spec.ClusterIP == "" && len(svc.Spec.ClusterIPs) == 0 && svc.Spec.Type != corev1.ServiceTypeExternalName {
		svc.Spec.ClusterIP = old.Spec.ClusterIP
		svc.Spec.ClusterIPs = old.Spec.ClusterIPs
	}
	if len(old.Spec.ClusterIPs) == 0 && old.Spec.ClusterIP == "" {
		// Only a Service that had no address may get one: changing an
		// address is refused by validation.
		if err := u.s.allocateClusterIP(ctx, svc, &u.taken); err != nil {
			return err
		}
	}
	return u.s.allocateNodePorts(ctx, svc, old, &u.taken)
}

// rollback gives back what prepare took.
func (u *serviceUpdate) rollback() {
	for _, release := range u.taken {
		release()
	}
	u.taken = nil
}

// commit keeps what prepare took and gives back what the stored Service
// no longer uses. stored is the Service as written.
func (u *serviceUpdate) commit(ctx context.Context, stored *corev1.Service) {
	u.taken = nil
	if u.old == nil {
		return
	}
	ctx = context.WithoutCancel(ctx) // a client gone now must not leak them
	for _, ip := range unusedClusterIPs(u.old, stored) {
		_ = u.s.cfg.ServiceIPs.Release(ctx, ip)
	}
	for _, port := range unusedNodePorts(u.old, stored) {
		_ = u.s.cfg.NodePorts.Release(ctx, strconv.Itoa(int(port)))
	}
}

// unusedClusterIPs are old's addresses that svc no longer has.
func unusedClusterIPs(old, svc *corev1.Service) []string {
	keep := map[string]bool{}
	for _, ip := range svc.Spec.ClusterIPs {
		keep[ip] = true
	}
	var out []string
	for _, ip := range old.Spec.ClusterIPs {
		if ip != "" && ip != corev1.ClusterIPNone && !keep[ip] {
			out = append(out, ip)
		}
	}
	return out
}

// unusedNodePorts are old's node ports that svc no longer has.
func unusedNodePorts(old, svc *corev1.Service) []int32 {
	keep := map[int32]bool{}
	for _, p := range svc.Spec.Ports {
		keep[p.NodePort] = true
	}
	var out []int32
	for _, p := range old.Spec.Ports {
		if p.NodePort != 0 && !keep[p.NodePort] {
			out = append(out, p.NodePort)
		}
	}
	return out
}

func (s *Server) allocateClusterIP(ctx context.Context, svc *corev1.Service, taken *[]func()) error {
	if svc.Spec.Type == corev1.ServiceTypeExternalName || svc.Spec.ClusterIP == corev1.ClusterIPNone {
		return nil
	}
	path := field.NewPath("spec", "clusterIPs").Index(0)
	ip := svc.Spec.ClusterIP
	if ip == "" && len(svc.Spec.ClusterIPs) > 0 {
		ip = svc.Spec.ClusterIPs[0]
	}
	var err error
	if ip == "" {
		ip, err = s.cfg.ServiceIPs.AllocateNext(ctx)
	} else {
		err = s.cfg.ServiceIPs.Allocate(ctx, ip)
	}
	if err != nil {
		return allocationError(svc.Name, path, ip, err, fmt.Sprintf("the range of valid IPs is %s", s.cfg.ServiceCIDR))
	}
	*taken = append(*taken, func() { _ = s.cfg.ServiceIPs.Release(context.Background(), ip) })
	svc.Spec.ClusterIP = ip
	svc.Spec.ClusterIPs = []string{ip}
	return nil
}

// allocateNodePorts gives each port of a NodePort or LoadBalancer Service a
// node port (unless the LoadBalancer opts out with
// allocateLoadBalancerNodePorts: false), keeping the ones old already had.
func (s *Server) allocateNodePorts(ctx context.Context, svc, old *corev1.Service, taken *[]func()) error {
	switch {
	case svc.Spec.Type == corev1.ServiceTypeNodePort:
	case svc.Spec.Type == corev1.ServiceTypeLoadBalancer &&
		(svc.Spec.AllocateLoadBalancerNodePorts == nil || *svc.Spec.AllocateLoadBalancerNodePorts):
	default:
		return nil
	}
	had := map[int32]bool{}
	if old != nil {
		for _, p := range old.Spec.Ports {
			if p.NodePort != 0 {
				had[p.NodePort] = true
			}
		}
	}
	for i := range svc.Spec.Ports {
		p := &svc.Spec.Ports[i]
		if p.NodePort != 0 && had[p.NodePort] {
			continue
		}
		path := field.NewPath("spec", "ports").Index(i).Child("nodePort")
		value := ""
		var err error
		if p.NodePort == 0 {
			value, err = s.cfg.NodePorts.AllocateNext(ctx)
		} else {
			value = strconv.Itoa(int(p.NodePort))
			err = s.cfg.NodePorts.Allocate(ctx, value)
		}
		if err != nil {
			return allocationError(svc.Name, path, p.NodePort, err, "valid ports are 30000-32767")
		}
		v := value
		*taken = append(*taken, func() { _ = s.cfg.NodePorts.Release(context.Background(), v) })
		n, _ := strconv.Atoi(value)
		p.NodePort = int32(n)
	}
	return nil
}

// allocationError words an allocator failure as upstream's 422.
func allocationError(name string, path *field.Path, value interface{}, err error, rangeMsg string) error {
	var fe *field.Error
	switch {
	case errors.Is(err, allocator.ErrAllocated):
		fe = field.Invalid(path, value, "provided "+kindOfValue(path)+" is already allocated")
	case errors.Is(err, allocator.ErrNotInRange):
		fe = field.Invalid(path, value, "provided "+kindOfValue(path)+" is not in the valid range. "+rangeMsg)
	case errors.Is(err, allocator.ErrFull):
		return apierrors.NewInternalError(fmt.Errorf("failed to allocate a %s: range is full", kindOfValue(path)))
	default:
		return apierrors.NewInternalError(err)
	}
	return apierrors.NewInvalid(serviceGK, name, field.ErrorList{fe})
}

func kindOfValue(path *field.Path) string {
	if path.String() == "spec.clusterIPs[0]" {
		return "IP"
	}
	return "port"
}

// afterDelete gives back what beforeCreate took.
func (s *Server) afterDelete(ctx context.Context, res *registry.Resource, obj runtime.Object) {
	svc, ok := obj.(*corev1.Service)
	if !ok || s.cfg.ServiceIPs == nil {
		return
	}
	for _, ip := range svc.Spec.ClusterIPs {
		if ip != "" && ip != corev1.ClusterIPNone {
			_ = s.cfg.ServiceIPs.Release(ctx, ip)
		}
	}
	for _, p := range svc.Spec.Ports {
		if p.NodePort != 0 {
			_ = s.cfg.NodePorts.Release(ctx, strconv.Itoa(int(p.NodePort)))
		}
	}
}
