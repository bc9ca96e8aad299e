package kubeletproxy

import (
	"fmt"
	"net"
	"net/url"
	"strconv"

	corev1 "k8s.io/api/core/v1"
)

// DefaultKubeletPort is where a kubelet listens when its node does not
// say (status.daemonEndpoints.kubeletEndpoint.port 0).
const DefaultKubeletPort = 10250

// preferredAddressTypes is the order a node's addresses are tried in: the
// cluster-internal IP first (what a kubelet registers and what its serving
// certificate names), then what upstream's
// --kubelet-preferred-address-types would also accept.
var preferredAddressTypes = []corev1.NodeAddressType{
	corev1.NodeInternalIP, corev1.NodeHostName, corev1.NodeInternalDNS, corev1.NodeExternalIP, corev1.NodeExternalDNS,
}

// KubeletHost is host:port of node's kubelet.
func KubeletHost(node *corev1.Node) (string, error) {
	host := ""
	for _, t := range preferredAddressTypes {
		for _, a := range node.Status.Addresses {
			if a.Type == t && a.Address != "" {
				host = a.Address
				break
			}
		}
		if host != "" {
			break
		}
	}
	if host == "" {
		return "", fmt.Errorf("no preferred addresses found; known addresses: %v", node.Status.Addresses)
	}
	port := int(node.Status.DaemonEndpoints.KubeletEndpoint.Port)
	if port <= 0 {
		port = DefaultKubeletPort
	}
	return net.JoinHostPort(host, strconv.Itoa(port)), nil
}

// KubeletURL is the URL of path on node's kubelet.
func KubeletURL(node *corev1.Node, path string, query url.Values) (*url.URL, error) {
	host, err := KubeletHost(node)
	if err != nil {
		return nil, err
	}
	return &url.URL{Scheme: "https", Host: host, Path: path, RawQuery: query.Encode()}, nil
}
