package kubelet

import (
	"bufio"
	"net"
	"strings"

	v1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Limits on the search list, as upstream (glibc since 2.26 accepts these).
const (
	maxDNSSearches    = 32
	maxDNSSearchChars = 2048
	maxDNSNameservers = 3
)

// resolvConf is the parsed content of a resolv.conf.
type resolvConf struct {
	Nameservers, Searches, Options []string
}

// parseResolvConf reads nameserver, search/domain and options lines.
func parseResolvConf(content string) resolvConf {
	var rc resolvConf
	sc := bufio.NewScanner(strings.NewReader(content))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "nameserver":
			rc.Nameservers = append(rc.Nameservers, f[1])
		case "search":
			rc.Searches = append([]string(nil), f[1:]...) // the last one wins
		case "domain":
			rc.Searches = []string{f[1]}
		case "options":
			rc.Options = append(rc.Options, f[1:]...)
		}
	}
	return rc
}

// dnsInput is what podDNSConfig reads: the pod, the cluster's DNS and the
// host's resolv.conf.
type dnsInput struct {
	Pod           *v1.Pod
	ClusterDNS    []net.IP
	ClusterDomain string
	Host          resolvConf
}

// podDNSConfig builds the sandbox's resolv.conf from the pod's dnsPolicy and
// dnsConfig, as upstream: ClusterFirst points at the cluster DNS with the
// namespace's search path and ndots:5; Default copies the host's; None
// uses only dnsConfig. A host-network pod with ClusterFirst gets Default.
func podDNSConfig(in dnsInput) *runtimeapi.DNSConfig {
	pod := in.Pod
	policy := pod.Spec.DNSPolicy
	if policy == "" {
		policy = v1.DNSClusterFirst
	}
	if policy == v1.DNSClusterFirst && pod.Spec.HostNetwork {
		policy = v1.DNSDefault
	}
	if (policy == v1.DNSClusterFirst || policy == v1.DNSClusterFirstWithHostNet) && len(in.ClusterDNS) == 0 {
		policy = v1.DNSDefault // no cluster DNS configured: fall back as upstream
	}
	cfg := &runtimeapi.DNSConfig{}
	switch policy {
	case v1.DNSClusterFirst, v1.DNSClusterFirstWithHostNet:
		for _, ip := range in.ClusterDNS {
			cfg.Servers = append(cfg.Servers, ip.String())
		}
		domain := in.ClusterDomain
		if domain == "" {
			domain = "cluster.local"
		}
		cfg.Searches = []string{pod.Namespace + ".svc." + domain, "svc." + domain, domain}
		cfg.Searches = append(cfg.Searches, in.Host.Searches...)
		cfg.Options = []string{"ndots:5"}
	case v1.DNSDefault:
		cfg.Servers = append(cfg.Servers, in.Host.Nameservers...)
		cfg.Searches = append(cfg.Searches, in.Host.Searches...)
		cfg.Options = append(cfg.Options, in.Host.Options...)
	case v1.DNSNone:
	}
	if dc := pod.Spec.DNSConfig; dc != nil {
		cfg.Servers = dedupe(append(cfg.Servers, dc.Nameservers...))
		cfg.Searches = dedupe(append(cfg.Searches, dc.Searches...))
		cfg.Options = mergeDNSOptions(cfg.Options, dc.Options)
	}
	if len(cfg.Servers) > maxDNSNameservers {
		cfg.Servers = cfg.Servers[:maxDNSNameservers]
	}
	cfg.Searches = trimSearches(cfg.Searches)
	return cfg
}

// mergeDNSOptions lets the pod's dnsConfig options replace same-named ones.
func mergeDNSOptions(base []string, extra []v1.PodDNSConfigOption) []string {
	var names []string
	values := map[string]string{}
	set := func(name, value string) {
		if _, ok := values[name]; !ok {
			names = append(names, name)
		}
		values[name] = value
	}
	for _, o := range base {
		name, value, _ := strings.Cut(o, ":")
		set(name, value)
	}
	for _, o := range extra {
		v := ""
		if o.Value != nil {
			v = *o.Value
		}
		set(o.Name, v)
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if values[n] == "" {
			out = append(out, n)
		} else {
			out = append(out, n+":"+values[n])
		}
	}
	return out
}

// trimSearches keeps the search list inside resolver limits.
func trimSearches(s []string) []string {
	s = dedupe(s)
	if len(s) > maxDNSSearches {
		s = s[:maxDNSSearches]
	}
	for len(s) > 0 && len(strings.Join(s, " ")) > maxDNSSearchChars {
		s = s[:len(s)-1]
	}
	return s
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}
