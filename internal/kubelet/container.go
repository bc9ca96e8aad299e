package kubelet

import (
	"fmt"
	"path/filepath"
	"strings"

	v1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// containerInput is what buildContainerConfig needs beyond the spec.
type containerInput struct {
	Pod          *v1.Pod
	Container    *v1.Container
	Init         bool
	RestartCount int
	ImageRef     string // what the runtime resolved the image to
	Env          []envVar
	Mounts       []*runtimeapi.Mount
	MemCapacity  int64
	Critical     bool
	SeccompDir   string
}

// containerLogPath is relative to the sandbox's log directory:
// <container>/<restartCount>.log, as upstream.
func containerLogPath(name string, restartCount int) string {
	return filepath.Join(name, fmt.Sprintf("%d.log", restartCount))
}

// buildContainerConfig describes one container to CRI. It is pure.
func buildContainerConfig(in containerInput) *runtimeapi.ContainerConfig {
	pod, c := in.Pod, in.Container
	lookup := lookupIn(in.Env)
	expand := func(list []string) []string {
		if list == nil {
			return nil
		}
		out := make([]string, len(list))
		for i, s := range list {
			out[i] = expandVars(s, lookup)
		}
		return out
	}
	cfg := &runtimeapi.ContainerConfig{
		Metadata:    &runtimeapi.ContainerMetadata{Name: c.Name, Attempt: uint32(in.RestartCount)},
		Image:       &runtimeapi.ImageSpec{Image: in.ImageRef, UserSpecifiedImage: c.Image},
		Command:     expand(c.Command),
		Args:        expand(c.Args),
		WorkingDir:  c.WorkingDir,
		Labels:      containerLabels(pod, c.Name, containerType(c, in.Init)),
		Annotations: containerAnnotations(pod, c, in.RestartCount, in.Init),
		Mounts:      in.Mounts,
		LogPath:     containerLogPath(c.Name, in.RestartCount),
		Stdin:       c.Stdin,
		StdinOnce:   c.StdinOnce,
		Tty:         c.TTY,
		Linux: &runtimeapi.LinuxContainerConfig{
			Resources:       containerResources(pod, c, in.MemCapacity, in.Critical),
			SecurityContext: containerSecurityContext(pod, c, in.SeccompDir),
		},
	}
	for _, e := range in.Env {
		cfg.Envs = append(cfg.Envs, &runtimeapi.KeyValue{Key: e.Name, Value: []byte(e.Value)})
	}
	return cfg
}

// hostsFile renders the pod's /etc/hosts: localhost entries, the pod's own
// name(s) on its IPs, then hostAliases, as upstream's kubelet writes it.
func hostsFile(pod *v1.Pod, podIPs []string, hostname, fqdn string) string {
	var b strings.Builder
	b.WriteString("# Kubernetes-managed hosts file.\n")
	b.WriteString("127.0.0.1\tlocalhost\n")
	b.WriteString("::1\tlocalhost ip6-localhost ip6-loopback\n")
	b.WriteString("fe00::0\tip6-localnet\n")
	b.WriteString("fe00::0\tip6-mcastprefix\n")
	b.WriteString("fe00::1\tip6-allnodes\n")
	b.WriteString("fe00::2\tip6-allrouters\n")
	for _, ip := range podIPs {
		if fqdn != "" {
			fmt.Fprintf(&b, "%s\t%s\t%s\n", ip, fqdn, hostname)
		} else {
			fmt.Fprintf(&b, "%s\t%s\n", ip, hostname)
		}
	}
	b.WriteString(hostAliases(pod))
	return b.String()
}

func hostAliases(pod *v1.Pod) string {
	if len(pod.Spec.HostAliases) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n# Entries added by HostAliases.\n")
	for _, a := range pod.Spec.HostAliases {
		fmt.Fprintf(&b, "%s\t%s\n", a.IP, strings.Join(a.Hostnames, "\t"))
	}
	return b.String()
}

// mountsPath reports whether the container already mounts something at path
// (then the kubelet leaves it alone).
func mountsPath(c *v1.Container, path string) bool {
	for _, m := range c.VolumeMounts {
		if filepath.Clean(m.MountPath) == path {
			return true
		}
	}
	return false
}
