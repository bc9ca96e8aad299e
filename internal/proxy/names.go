package proxy

import (
	"crypto/sha256"
	"encoding/base32"
)

// Tables the proxy writes.
const (
	tableNAT    = "nat"
	tableFilter = "filter"
)

// The top-level chains, under upstream kube-proxy's names so tools and
// people who know kube-proxy can read a hanok node's rules.
const (
	chainServices         = "KUBE-SERVICES"          // nat and filter
	chainNodePorts        = "KUBE-NODEPORTS"         // nat
	chainPostrouting      = "KUBE-POSTROUTING"       // nat
	chainMarkMasq         = "KUBE-MARK-MASQ"         // nat
	chainExternalServices = "KUBE-EXTERNAL-SERVICES" // filter
	chainForward          = "KUBE-FORWARD"           // filter
	chainProxyFirewall    = "KUBE-PROXY-FIREWALL"    // filter
)

// Prefixes of the per-service and per-endpoint chains.
const (
	prefixSVC = "KUBE-SVC-" // cluster traffic policy: every usable endpoint
	prefixSVL = "KUBE-SVL-" // local traffic policy: this node's endpoints
	prefixEXT = "KUBE-EXT-" // external destinations (NodePort, LB, externalIPs)
	prefixFW  = "KUBE-FW-"  // loadBalancerSourceRanges
	prefixSEP = "KUBE-SEP-" // one endpoint
)

// ownedPrefixes are the per-service chain prefixes: a chain with one of
// them that the desired Ruleset lacks is stale and deleted.
var ownedPrefixes = []string{prefixSVC, prefixSVL, prefixEXT, prefixFW, prefixSEP}

// masqMark is the packet mark that KUBE-MARK-MASQ sets and KUBE-POSTROUTING
// masquerades (upstream's default bit 14).
const masqMark = "0x4000"

// hashName is prefix + the first 16 characters of the base32 of the
// sha256 of the parts: the same scheme as upstream, so a service port's
// chain names are stable across restarts and nodes, and short enough for
// iptables' 28-character chain names.
func hashName(prefix string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
	}
	return prefix + base32.StdEncoding.EncodeToString(h.Sum(nil))[:16]
}

// servicePortChain names a service port's chain: name is the service
// port's "namespace/name:port" and protocol "tcp", "udp" or "sctp".
func servicePortChain(prefix, name, protocol string) string {
	return hashName(prefix, name, protocol)
}

// endpointChain names the KUBE-SEP chain of one endpoint ("ip:port") of a
// service port.
func endpointChain(name, protocol, endpoint string) string {
	return hashName(prefixSEP, name, protocol, endpoint)
}
