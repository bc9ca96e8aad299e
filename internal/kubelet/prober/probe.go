package prober

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/hanok-dev/hanok/internal/version"
)

// userAgent is what probes send, as upstream ("kube-probe/1.37").
var userAgent = "kube-probe/" + version.KubeMajor + "." + version.KubeMinor

// Probe runs one probe attempt (exec, httpGet, tcpSocket, grpc). Success and
// Failure are verdicts about the container; Unknown means the probe itself
// could not run (bad port name, runtime error) and should not count
// towards a threshold. The string is the probe's output or failure reason.
func Probe(ctx context.Context, p *v1.Probe, pod *v1.Pod, c *v1.Container, containerID string, rt Runtime) (Result, string) {
	timeout := probeTimeout(p)
	switch {
	case p.Exec != nil:
		return execProbe(ctx, rt, containerID, p.Exec.Command, timeout)
	case p.HTTPGet != nil:
		return httpProbe(ctx, p.HTTPGet, pod, c, timeout, "probe")
	case p.TCPSocket != nil:
		port, err := resolvePort(p.TCPSocket.Port, c)
		if err != nil {
			return Unknown, err.Error()
		}
		return tcpProbe(ctx, hostOrPodIP(p.TCPSocket.Host, pod), port, timeout)
	case p.GRPC != nil:
		service := ""
		if p.GRPC.Service != nil {
			service = *p.GRPC.Service
		}
		return grpcProbe(ctx, hostOrPodIP("", pod), int(p.GRPC.Port), service, timeout)
	}
	return Unknown, "probe has no handler (exec, httpGet, tcpSocket or grpc)"
}

func probeTimeout(p *v1.Probe) time.Duration {
	if p.TimeoutSeconds > 0 {
		return time.Duration(p.TimeoutSeconds) * time.Second
	}
	return time.Second
}

func hostOrPodIP(host string, pod *v1.Pod) string {
	if host != "" {
		return host
	}
	return pod.Status.PodIP
}

// resolvePort is a port number, or a named port of the container.
func resolvePort(p intstr.IntOrString, c *v1.Container) (int, error) {
	port := -1
	switch p.Type {
	case intstr.Int:
		port = p.IntValue()
	case intstr.String:
		found := false
		for _, cp := range c.Ports {
			if cp.Name == p.StrVal {
				port, found = int(cp.ContainerPort), true
				break
			}
		}
		if !found {
			// A numeric string is a number, as upstream's IntValue.
			n, err := strconv.Atoi(p.StrVal)
			if err != nil {
				return -1, fmt.Errorf("port %q not found", p.StrVal)
			}
			port = n
		}
	}
	if port <= 0 || port > 65535 {
		return -1, fmt.Errorf("invalid port number: %v", port)
	}
	return port, nil
}

func joinHostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}
