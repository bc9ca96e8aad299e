package proxy

// jump is one rule in a built-in chain that sends packets into one of the
// proxy's top-level chains.
type jump struct {
	table, from, to string
	args            []string // the match before -j, comment included
}

func (j jump) ruleSpec() []string {
	return append(append([]string(nil), j.args...), "-j", j.to)
}

// jumps are the proxy's hooks into the built-in chains, as upstream's: nat
// PREROUTING and OUTPUT into KUBE-SERVICES (every packet to a service
// address, from outside and from the node itself), POSTROUTING into
// KUBE-POSTROUTING (masquerade what was marked); filter INPUT, FORWARD and
// OUTPUT into the reject/drop and forward-accept chains, the
// reject/firewall ones for new connections only.
var jumps = []jump{
	{tableFilter, "INPUT", chainExternalServices, newConns("kubernetes externally-visible service portals")},
	{tableFilter, "FORWARD", chainExternalServices, newConns("kubernetes externally-visible service portals")},
	{tableFilter, "FORWARD", chainServices, newConns("kubernetes service portals")},
	{tableFilter, "OUTPUT", chainServices, newConns("kubernetes service portals")},
	{tableFilter, "FORWARD", chainForward, comment("kubernetes forwarding rules")},
	{tableFilter, "INPUT", chainProxyFirewall, newConns("kubernetes load balancer firewall")},
	{tableFilter, "OUTPUT", chainProxyFirewall, newConns("kubernetes load balancer firewall")},
	{tableFilter, "FORWARD", chainProxyFirewall, newConns("kubernetes load balancer firewall")},
	{tableNAT, "OUTPUT", chainServices, comment("kubernetes service portals")},
	{tableNAT, "PREROUTING", chainServices, comment("kubernetes service portals")},
	{tableNAT, "POSTROUTING", chainPostrouting, comment("kubernetes postrouting rules")},
}

func comment(c string) []string { return []string{"-m", "comment", "--comment", c} }

func newConns(c string) []string {
	return append(comment(c), "-m", "conntrack", "--ctstate", "NEW")
}

// topChains are the proxy's fixed chains of each table: they must exist
// before a jump can name them.
var topChains = map[string][]string{
	tableNAT:    {chainServices, chainNodePorts, chainPostrouting, chainMarkMasq},
	tableFilter: {chainServices, chainExternalServices, chainForward, chainProxyFirewall},
}

// isOwned says whether chain of table is one the proxy made.
func isOwned(table, chain string) bool {
	for _, c := range topChains[table] {
		if c == chain {
			return true
		}
	}
	return table == tableNAT && isServiceChain(chain)
}

// isServiceChain says whether chain is a per-service or per-endpoint one.
func isServiceChain(chain string) bool {
	for _, p := range ownedPrefixes {
		if len(chain) > len(p) && chain[:len(p)] == p {
			return true
		}
	}
	return false
}
