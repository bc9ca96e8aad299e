package kubelet

import (
	"fmt"
	"sort"
	"strings"

	v1 "k8s.io/api/core/v1"
)

// serviceEnv builds the docker-link style variables upstream gives every
// container: for the "kubernetes" service of the default namespace always
// (in-cluster clients read KUBERNETES_SERVICE_HOST/PORT), and for every
// service of the pod's namespace unless enableServiceLinks is false. Only
// services with a cluster IP count. It is pure.
func serviceEnv(services []*v1.Service, namespace string, enableLinks bool) []envVar {
	chosen := map[string]*v1.Service{}
	for _, s := range services {
		if s.Spec.ClusterIP == "" || s.Spec.ClusterIP == v1.ClusterIPNone {
			continue
		}
		switch {
		case s.Namespace == namespace && enableLinks:
			chosen[s.Name] = s
		case s.Namespace == "default" && s.Name == "kubernetes":
			if _, taken := chosen[s.Name]; !taken || namespace != "default" {
				chosen[s.Name] = s
			}
		}
	}
	names := make([]string, 0, len(chosen))
	for n := range chosen {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []envVar
	for _, n := range names {
		out = append(out, varsForService(chosen[n])...)
	}
	return out
}

// varsForService renders one service's variables.
func varsForService(s *v1.Service) []envVar {
	prefix := strings.ToUpper(strings.ReplaceAll(s.Name, "-", "_"))
	ip := s.Spec.ClusterIP
	out := []envVar{{prefix + "_SERVICE_HOST", ip}}
	if len(s.Spec.Ports) == 0 {
		return out
	}
	out = append(out, envVar{prefix + "_SERVICE_PORT", fmt.Sprint(s.Spec.Ports[0].Port)})
	for _, p := range s.Spec.Ports {
		if p.Name != "" {
			out = append(out, envVar{prefix + "_SERVICE_PORT_" + strings.ToUpper(strings.ReplaceAll(p.Name, "-", "_")), fmt.Sprint(p.Port)})
		}
	}
	host := ip
	if strings.Contains(ip, ":") {
		host = "[" + ip + "]"
	}
	first := s.Spec.Ports[0]
	out = append(out, envVar{prefix + "_PORT", fmt.Sprintf("%s://%s:%d", strings.ToLower(string(protocolOf(first))), host, first.Port)})
	for _, p := range s.Spec.Ports {
		proto := protocolOf(p)
		base := fmt.Sprintf("%s_PORT_%d_%s", prefix, p.Port, strings.ToUpper(string(proto)))
		out = append(out,
			envVar{base, fmt.Sprintf("%s://%s:%d", strings.ToLower(string(proto)), host, p.Port)},
			envVar{base + "_PROTO", strings.ToLower(string(proto))},
			envVar{base + "_PORT", fmt.Sprint(p.Port)},
			envVar{base + "_ADDR", ip},
		)
	}
	return out
}

func protocolOf(p v1.ServicePort) v1.Protocol {
	if p.Protocol == "" {
		return v1.ProtocolTCP
	}
	return p.Protocol
}
