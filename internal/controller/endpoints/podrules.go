package endpoints

import (
	"fmt"
	"net/netip"

	"k8s.io/apimachinery/pkg/util/intstr"

	corev1 "k8s.io/api/core/v1"
)

// IsHeadless says whether svc has no cluster IP.
func IsHeadless(svc *corev1.Service) bool { return svc.Spec.ClusterIP == corev1.ClusterIPNone }

// ShouldInclude says whether pod belongs in svc's endpoints at all: it
// has an IP and has not finished; a pod being deleted only while
// svc publishes not-ready addresses (the EndpointSlice controller keeps
// terminating pods, marked so, and passes includeTerminating).
func ShouldInclude(svc *corev1.Service, pod *corev1.Pod, includeTerminating bool) bool {
	if pod.Status.PodIP == "" || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return false
	}
	if pod.DeletionTimestamp != nil && !svc.Spec.PublishNotReadyAddresses && !includeTerminating {
		return false
	}
	return true
}

// IsReady says whether pod's Ready condition is True.
func IsReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// PodIP is pod's IP of the given family ("" when it has none).
func PodIP(pod *corev1.Pod, family corev1.IPFamily) string {
	ips := pod.Status.PodIPs
	if len(ips) == 0 && pod.Status.PodIP != "" {
		ips = []corev1.PodIP{{IP: pod.Status.PodIP}}
	}
	for _, ip := range ips {
		addr, err := netip.ParseAddr(ip.IP)
		if err != nil {
			continue
		}
		if addr.Is4() == (family != corev1.IPv6Protocol) {
			return ip.IP
		}
	}
	return ""
}

// PrimaryFamily is svc's first IP family (IPv4 when unset).
func PrimaryFamily(svc *corev1.Service) corev1.IPFamily {
	if len(svc.Spec.IPFamilies) > 0 {
		return svc.Spec.IPFamilies[0]
	}
	return corev1.IPv4Protocol
}

// Hostname is the DNS hostname pod gets under svc: its spec.hostname
// when its subdomain is svc (the headless-service pattern).
func Hostname(svc *corev1.Service, pod *corev1.Pod) string {
	if pod.Spec.Hostname != "" && pod.Spec.Subdomain == svc.Name && pod.Namespace == svc.Namespace {
		return pod.Spec.Hostname
	}
	return ""
}

// TargetPort resolves svc port sp against pod: a number is itself (the
// service port when unset); a name is the pod's container port of that
// name and protocol.
func TargetPort(pod *corev1.Pod, sp *corev1.ServicePort) (int32, error) {
	tp := sp.TargetPort
	if tp.Type == intstr.Int {
		if tp.IntVal == 0 {
			return sp.Port, nil
		}
		return tp.IntVal, nil
	}
	proto := sp.Protocol
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	containers := append([]corev1.Container(nil), pod.Spec.Containers...)
	for _, c := range pod.Spec.InitContainers { // sidecars serve too
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			containers = append(containers, c)
		}
	}
	for _, c := range containers {
		for _, p := range c.Ports {
			pp := p.Protocol
			if pp == "" {
				pp = corev1.ProtocolTCP
			}
			if p.Name == tp.StrVal && pp == proto {
				return p.ContainerPort, nil
			}
		}
	}
	return 0, fmt.Errorf("pod %s has no container port named %q (%s)", pod.Name, tp.StrVal, proto)
}
