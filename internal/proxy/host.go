package proxy

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-iptables/iptables"
	"github.com/sirupsen/logrus"
	v1 "k8s.io/api/core/v1"
)

// host is everything the proxier does to the machine; tests put a
// recorder in its place.
type host interface {
	// Prepare sets the sysctls the proxy needs; once, at start.
	Prepare(families []v1.IPFamily)
	// EnsureJumps makes the top-level chains and the jumps into them
	// from the built-in chains, if missing.
	EnsureJumps(family v1.IPFamily) error
	// ListChains is every chain of table.
	ListChains(family v1.IPFamily, table string) ([]string, error)
	// Restore feeds data to iptables-restore --noflush.
	Restore(family v1.IPFamily, data []byte) error
	// RandomFully says whether MASQUERADE takes --random-fully.
	RandomFully(family v1.IPFamily) bool
	// FlushConntrack deletes conntrack entries (conntrack -D argument
	// lists), if the tool is there.
	FlushConntrack(flows [][]string)
}

// iptablesHost is the real host: go-iptables for single rules and
// listings, iptables-restore for bulk writes. Every command it runs is
// started from the calling goroutine, so a caller locked to a thread in
// another network namespace acts on that namespace (the tests do).
type iptablesHost struct {
	mu  sync.Mutex
	ipt map[v1.IPFamily]*iptables.IPTables
}

func newIptablesHost() *iptablesHost {
	return &iptablesHost{ipt: map[v1.IPFamily]*iptables.IPTables{}}
}

func protocol(family v1.IPFamily) iptables.Protocol {
	if family == v1.IPv6Protocol {
		return iptables.ProtocolIPv6
	}
	return iptables.ProtocolIPv4
}

func (h *iptablesHost) get(family v1.IPFamily) (*iptables.IPTables, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ipt, ok := h.ipt[family]; ok {
		return ipt, nil
	}
	ipt, err := iptables.New(iptables.IPFamily(protocol(family)), iptables.Timeout(5))
	if err != nil {
		return nil, fmt.Errorf("%s: %w (is iptables installed?)", family, err)
	}
	h.ipt[family] = ipt
	return ipt, nil
}

func (h *iptablesHost) Prepare(families []v1.IPFamily) {
	log := logrus.WithField("component", "proxy")
	set := func(key, value string) {
		path := "/proc/sys/" + strings.ReplaceAll(key, ".", "/")
		if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
			log.WithError(err).Warnf("setting %s=%s", key, value)
		}
	}
	// Without br_netfilter, traffic between two pods on one bridge skips
	// iptables and a pod cannot reach a service whose endpoint shares its
	// bridge. The module may be built in, loaded, or missing: go on.
	if _, err := os.Stat("/proc/sys/net/bridge"); err != nil {
		if out, err := exec.Command("modprobe", "br_netfilter").CombinedOutput(); err != nil {
			log.WithError(err).Warnf("modprobe br_netfilter: %s", bytes.TrimSpace(out))
		}
	}
	for _, f := range families {
		if f == v1.IPv6Protocol {
			set("net.ipv6.conf.all.forwarding", "1")
			set("net.bridge.bridge-nf-call-ip6tables", "1")
			continue
		}
		set("net.ipv4.ip_forward", "1")
		set("net.bridge.bridge-nf-call-iptables", "1")
	}
}

func (h *iptablesHost) EnsureJumps(family v1.IPFamily) error {
	ipt, err := h.get(family)
	if err != nil {
		return err
	}
	for _, table := range []string{tableNAT, tableFilter} {
		for _, c := range topChains[table] {
			ok, err := ipt.ChainExists(table, c)
			if err != nil {
				return fmt.Errorf("%s: chain %s/%s: %w", family, table, c, err)
			}
			if !ok {
				if err := ipt.NewChain(table, c); err != nil {
					return fmt.Errorf("%s: creating chain %s/%s: %w", family, table, c, err)
				}
			}
		}
	}
	for _, j := range jumps {
		ok, err := ipt.Exists(j.table, j.from, j.ruleSpec()...)
		if err != nil {
			return fmt.Errorf("%s: checking jump %s/%s -> %s: %w", family, j.table, j.from, j.to, err)
		}
		if !ok {
			// First in the built-in chain, so no other rule there (a
			// firewall's catch-all) can shadow the services.
			if err := ipt.Insert(j.table, j.from, 1, j.ruleSpec()...); err != nil {
				return fmt.Errorf("%s: adding jump %s/%s -> %s: %w", family, j.table, j.from, j.to, err)
			}
		}
	}
	return nil
}

func (h *iptablesHost) ListChains(family v1.IPFamily, table string) ([]string, error) {
	ipt, err := h.get(family)
	if err != nil {
		return nil, err
	}
	return ipt.ListChains(table)
}

func (h *iptablesHost) FlushConntrack(flows [][]string) { flushConntrack(flows) }

func (h *iptablesHost) RandomFully(family v1.IPFamily) bool {
	ipt, err := h.get(family)
	return err == nil && ipt.HasRandomFully()
}

func (h *iptablesHost) Restore(family v1.IPFamily, data []byte) error {
	name := "iptables-restore"
	if family == v1.IPv6Protocol {
		name = "ip6tables-restore"
	}
	// Generous: a full restore of thousands of chains takes minutes with
	// iptables-nft on a busy machine.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// -w: wait for the xtables lock (kubelet, CNI plugins take it too).
	cmd := exec.CommandContext(ctx, name, "--noflush", "-w", "5", "-W", "100000")
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s%s", name, err, bytes.TrimSpace(stderr.Bytes()), failedLine(data, stderr.String()))
	}
	return nil
}

// failedLine quotes the input line iptables-restore complained about
// ("... line 12 failed"), so the log says which rule was wrong.
func failedLine(data []byte, stderr string) string {
	var n int
	i := strings.LastIndex(stderr, "line ")
	if i < 0 {
		return ""
	}
	if _, err := fmt.Sscanf(stderr[i:], "line %d", &n); err != nil || n < 1 {
		return ""
	}
	lines := bytes.Split(data, []byte("\n"))
	if n > len(lines) {
		return ""
	}
	return fmt.Sprintf(" (line %d: %s)", n, lines[n-1])
}
