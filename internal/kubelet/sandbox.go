package kubelet

import (
	"fmt"
	"path/filepath"
	"strings"

	v1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// sandboxEnv is the node-level input of the sandbox config.
type sandboxEnv struct {
	NodeHostname string
	PodLogsDir   string
	CgroupRoot   string
	DNS          *runtimeapi.DNSConfig
	SeccompDir   string // root of Localhost seccomp profiles
}

// podLogDir is <PodLogsDir>/<ns>_<name>_<uid>, upstream's layout, so log
// paths of a pod can be found from its identity alone.
func podLogDir(root string, namespace, name, uid string) string {
	return filepath.Join(root, namespace+"_"+name+"_"+uid)
}

// podHostname is the hostname and domain the pod sees.
func podHostname(pod *v1.Pod, clusterDomain, nodeHostname string) (hostname, fqdn string) {
	if pod.Spec.HostNetwork {
		return nodeHostname, ""
	}
	hostname = pod.Name
	if pod.Spec.Hostname != "" {
		hostname = pod.Spec.Hostname
	}
	if len(hostname) > 63 {
		hostname = strings.TrimRight(hostname[:63], "-.")
	}
	if pod.Spec.Subdomain != "" {
		if clusterDomain == "" {
			clusterDomain = "cluster.local"
		}
		fqdn = fmt.Sprintf("%s.%s.%s.svc.%s", hostname, pod.Spec.Subdomain, pod.Namespace, clusterDomain)
	}
	return hostname, fqdn
}

// buildSandboxConfig describes the pod's sandbox (its pause container,
// network namespace and pod cgroup) to CRI. It is pure.
func buildSandboxConfig(pod *v1.Pod, attempt uint32, env sandboxEnv, clusterDomain string) *runtimeapi.PodSandboxConfig {
	hostname, fqdn := podHostname(pod, clusterDomain, env.NodeHostname)
	if pod.Spec.SetHostnameAsFQDN != nil && *pod.Spec.SetHostnameAsFQDN && fqdn != "" {
		hostname = fqdn
	}
	cfg := &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{
			Name: pod.Name, Namespace: pod.Namespace, Uid: string(pod.UID), Attempt: attempt,
		},
		Hostname:     hostname,
		LogDirectory: podLogDir(env.PodLogsDir, pod.Namespace, pod.Name, string(pod.UID)),
		DnsConfig:    env.DNS,
		PortMappings: portMappings(pod),
		Labels:       sandboxLabels(pod),
		Annotations:  copyMap(pod.Annotations),
	}
	res, overhead := podResources(pod)
	linux := &runtimeapi.LinuxPodSandboxConfig{
		CgroupParent: podCgroupParent(env.CgroupRoot, pod),
		Resources:    res,
		Overhead:     overhead,
		SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
			NamespaceOptions: namespaceOptions(pod),
			Privileged:       anyPrivileged(pod),
		},
	}
	if psc := pod.Spec.SecurityContext; psc != nil {
		sc := linux.SecurityContext
		if psc.RunAsUser != nil {
			sc.RunAsUser = &runtimeapi.Int64Value{Value: *psc.RunAsUser}
		}
		if psc.RunAsGroup != nil {
			sc.RunAsGroup = &runtimeapi.Int64Value{Value: *psc.RunAsGroup}
		}
		sc.SupplementalGroups = supplementalGroups(psc)
		if len(psc.Sysctls) > 0 {
			linux.Sysctls = map[string]string{}
			for _, s := range psc.Sysctls {
				linux.Sysctls[s.Name] = s.Value
			}
		}
		sc.Seccomp = seccompProfile(psc.SeccompProfile, nil, env.SeccompDir)
	}
	cfg.Linux = linux
	return cfg
}

// portMappings lists the container ports that ask for a host port.
func portMappings(pod *v1.Pod) []*runtimeapi.PortMapping {
	var out []*runtimeapi.PortMapping
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			if p.HostPort <= 0 {
				continue
			}
			proto := runtimeapi.Protocol_TCP
			switch p.Protocol {
			case v1.ProtocolUDP:
				proto = runtimeapi.Protocol_UDP
			case v1.ProtocolSCTP:
				proto = runtimeapi.Protocol_SCTP
			}
			out = append(out, &runtimeapi.PortMapping{
				Protocol: proto, ContainerPort: p.ContainerPort, HostPort: p.HostPort, HostIp: p.HostIP,
			})
		}
	}
	return out
}

// namespaceOptions maps hostNetwork/hostPID/hostIPC and
// shareProcessNamespace onto CRI namespace modes.
func namespaceOptions(pod *v1.Pod) *runtimeapi.NamespaceOption {
	ns := &runtimeapi.NamespaceOption{
		Network: runtimeapi.NamespaceMode_POD,
		Pid:     runtimeapi.NamespaceMode_CONTAINER,
		Ipc:     runtimeapi.NamespaceMode_POD,
	}
	if pod.Spec.HostNetwork {
		ns.Network = runtimeapi.NamespaceMode_NODE
	}
	if pod.Spec.HostIPC {
		ns.Ipc = runtimeapi.NamespaceMode_NODE
	}
	switch {
	case pod.Spec.HostPID:
		ns.Pid = runtimeapi.NamespaceMode_NODE
	case pod.Spec.ShareProcessNamespace != nil && *pod.Spec.ShareProcessNamespace:
		ns.Pid = runtimeapi.NamespaceMode_POD
	}
	return ns
}

func anyPrivileged(pod *v1.Pod) bool {
	for _, list := range [][]v1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range list {
			if c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged {
				return true
			}
		}
	}
	return false
}

// supplementalGroups are the pod's supplementalGroups plus its fsGroup.
func supplementalGroups(psc *v1.PodSecurityContext) []int64 {
	if psc == nil {
		return nil
	}
	groups := append([]int64(nil), psc.SupplementalGroups...)
	if psc.FSGroup != nil {
		groups = append(groups, *psc.FSGroup)
	}
	return groups
}

func copyMap(in map[string]string) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}
