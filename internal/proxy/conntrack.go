package proxy

import (
	"errors"
	"os/exec"
	"slices"
	"strconv"

	"github.com/sirupsen/logrus"
	v1 "k8s.io/api/core/v1"
)

// UDP has no connections, only conntrack entries: a client that keeps
// sending to a service would keep going to an endpoint that is gone (or,
// for a service that had none, to nowhere) until its entry times out. So
// when a sync removes a UDP endpoint, or gives a UDP service its first,
// the entries are deleted with the conntrack tool, as upstream does. The
// tool is optional: without it entries age out.

// udpPort is one UDP service port as the rules send it: the addresses it
// answers on and the endpoint IPs it DNATs to.
type udpPort struct {
	name      string
	vips      []string // cluster IP, external IPs, LB IPs
	nodePort  int32
	endpoints []string // endpoint IPs with a KUBE-SEP chain
}

func udpPortOf(sp *servicePort) udpPort {
	_, _, reachable, _ := categorize(sp)
	u := udpPort{name: sp.name, nodePort: sp.nodePort}
	u.vips = append(append(append(u.vips, sp.clusterIP), sp.externalIPs...), sp.lbIPs...)
	for _, e := range reachable {
		u.endpoints = append(u.endpoints, e.ip)
	}
	return u
}

// staleConntrack is the conntrack -D argument lists that clear the
// entries made stale by going from prev to next: for an endpoint a port
// no longer sends to, the entries DNATed to it; for a port that had no
// endpoint and now has some, every entry to it. Nil prev: none known.
func staleConntrack(prev, next *Ruleset) [][]string {
	if prev == nil {
		return nil
	}
	var family []string
	if next.Family == v1.IPv6Protocol {
		family = []string{"-f", "ipv6"}
	}
	was := map[string]udpPort{}
	for _, u := range prev.udp {
		was[u.name] = u
	}
	var out [][]string
	add := func(args ...string) { out = append(out, append(append([]string{"-D"}, family...), args...)) }
	for _, u := range next.udp {
		old, ok := was[u.name]
		if !ok {
			continue // a new port: no entries to it yet
		}
		if len(old.endpoints) == 0 && len(u.endpoints) > 0 {
			for _, vip := range u.vips {
				add("--orig-dst", vip, "-p", "udp")
			}
			if u.nodePort != 0 {
				add("-p", "udp", "--dport", strconv.Itoa(int(u.nodePort)))
			}
			continue
		}
		for _, ep := range old.endpoints {
			if slices.Contains(u.endpoints, ep) {
				continue
			}
			for _, vip := range old.vips {
				add("--orig-dst", vip, "--dst-nat", ep, "-p", "udp")
			}
			if old.nodePort != 0 {
				add("-p", "udp", "--dport", strconv.Itoa(int(old.nodePort)), "--dst-nat", ep)
			}
		}
	}
	// A port gone entirely: its endpoints' entries go too.
	now := map[string]bool{}
	for _, u := range next.udp {
		now[u.name] = true
	}
	for _, old := range prev.udp {
		if now[old.name] {
			continue
		}
		for _, ep := range old.endpoints {
			for _, vip := range old.vips {
				add("--orig-dst", vip, "--dst-nat", ep, "-p", "udp")
			}
		}
	}
	return out
}

// flushConntrack runs conntrack for each argument list; entries that are
// not there (exit status 1) are no error. Without the tool, nothing.
func flushConntrack(flows [][]string) {
	if len(flows) == 0 {
		return
	}
	log := logrus.WithField("component", "proxy")
	path, err := exec.LookPath("conntrack")
	if err != nil {
		log.Debugf("no conntrack tool: %d stale UDP flows left to time out", len(flows))
		return
	}
	for _, args := range flows {
		out, err := exec.Command(path, args...).CombinedOutput()
		var exit *exec.ExitError
		if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
			log.WithError(err).Debugf("conntrack %v: %s", args, out)
		}
	}
}
