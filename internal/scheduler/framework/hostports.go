package framework

import (
	"strconv"

	v1 "k8s.io/api/core/v1"
)

// HostPorts counts the host ports in use on a node: ip -> "PROTO/port" ->
// number of pods using it.
type HostPorts map[string]map[string]int

const anyIP = "0.0.0.0"

func portKey(protocol v1.Protocol, port int32) string {
	if protocol == "" {
		protocol = v1.ProtocolTCP
	}
	return string(protocol) + "/" + strconv.Itoa(int(port))
}

// PodHostPorts lists the host ports pod's containers (and init
// containers, which upstream counts too) ask for.
func PodHostPorts(pod *v1.Pod) []v1.ContainerPort {
	var out []v1.ContainerPort
	for _, list := range [][]v1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for i := range list {
			for _, p := range list[i].Ports {
				if p.HostPort > 0 {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

func (h HostPorts) add(ip string, protocol v1.Protocol, port int32, delta int) {
	if ip == "" {
		ip = anyIP
	}
	k := portKey(protocol, port)
	m := h[ip]
	if m == nil {
		m = map[string]int{}
		h[ip] = m
	}
	m[k] += delta
	if m[k] <= 0 {
		delete(m, k)
		if len(m) == 0 {
			delete(h, ip)
		}
	}
}

// AddPod counts pod's host ports.
func (h HostPorts) AddPod(pod *v1.Pod) {
	for _, p := range PodHostPorts(pod) {
		h.add(p.HostIP, p.Protocol, p.HostPort, 1)
	}
}

// RemovePod uncounts pod's host ports.
func (h HostPorts) RemovePod(pod *v1.Pod) {
	for _, p := range PodHostPorts(pod) {
		h.add(p.HostIP, p.Protocol, p.HostPort, -1)
	}
}

// Conflicts says whether (ip, protocol, port) clashes with a port in use:
// the same port and protocol on the same IP, or where either side is
// 0.0.0.0.
func (h HostPorts) Conflicts(ip string, protocol v1.Protocol, port int32) bool {
	if ip == "" {
		ip = anyIP
	}
	k := portKey(protocol, port)
	if ip == anyIP {
		for _, m := range h {
			if m[k] > 0 {
				return true
			}
		}
		return false
	}
	return h[ip][k] > 0 || h[anyIP][k] > 0
}

// Clone is a deep copy.
func (h HostPorts) Clone() HostPorts {
	c := make(HostPorts, len(h))
	for ip, m := range h {
		mc := make(map[string]int, len(m))
		for k, v := range m {
			mc[k] = v
		}
		c[ip] = mc
	}
	return c
}
