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

// beforeServiceUpdate keeps a Service's ClusterIP (a client may omit it)
// and gives NodePorts to ports that now need one.
func (s *Server) beforeServiceUpdate(ctx context.Context, svc, old *corev1.Service) error {
	if s.cfg.NodePorts == nil {
		return nil
	}
	if svc.Spec.ClusterIP == "" && svc.Spec.Type != corev1.ServiceTypeExternalName {
		svc.Spec.ClusterIP = old.Spec.ClusterIP
		svc.Spec.ClusterIPs = old.Spec.ClusterIPs
	}
	var taken []func()
	return s.allocateNodePorts(ctx, svc, old, &taken)
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
// node port, keeping the ones old already had.
func (s *Server) allocateNodePorts(ctx context.Context, svc, old *corev1.Service, taken *[]func()) error {
	if svc.Spec.Type != corev1.ServiceTypeNodePort && svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
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
