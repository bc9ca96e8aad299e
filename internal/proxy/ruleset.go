package proxy

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	v1 "k8s.io/api/core/v1"
)

// Ruleset is every chain the proxy owns in one IP family, with its rules:
// what the host's nat and filter tables should hold.
type Ruleset struct {
	Family v1.IPFamily
	NAT    *Table
	Filter *Table
	// udp is the UDP service ports and where they lead, for clearing
	// conntrack entries that would keep sending to a gone endpoint.
	udp []udpPort
}

// Table is the proxy's chains of one table, in the order they are written.
type Table struct {
	Name   string
	order  []string
	chains map[string][]string // chain -> its rules, each "-A CHAIN ..."
}

func newTable(name string) *Table {
	return &Table{Name: name, chains: map[string][]string{}}
}

// chain declares name (empty until rules are added); declaring twice is
// harmless.
func (t *Table) chain(name string) {
	if _, ok := t.chains[name]; !ok {
		t.order = append(t.order, name)
		t.chains[name] = nil
	}
}

// add appends a rule to chain (declaring it). Each arg is a string or a
// []string; all are written as they are, space-separated (quote comments
// yourself).
func (t *Table) add(chain string, args ...any) {
	t.chain(chain)
	n := 3 + len(chain)
	for _, a := range args {
		switch a := a.(type) {
		case string:
			n += 1 + len(a)
		case []string:
			for _, s := range a {
				n += 1 + len(s)
			}
		}
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString("-A ")
	b.WriteString(chain)
	for _, a := range args {
		switch a := a.(type) {
		case string:
			b.WriteByte(' ')
			b.WriteString(a)
		case []string:
			for _, s := range a {
				b.WriteByte(' ')
				b.WriteString(s)
			}
		default:
			panic(fmt.Sprintf("proxy: rule argument of type %T", a))
		}
	}
	t.chains[chain] = append(t.chains[chain], b.String())
}

// Chains is the table's chain names in order.
func (t *Table) Chains() []string { return slices.Clone(t.order) }

// Rules is chain's rules ("-A CHAIN ..." lines), nil if it has none or is
// not the proxy's.
func (t *Table) Rules(chain string) []string { return slices.Clone(t.chains[chain]) }

// Has says whether chain is one of the table's.
func (t *Table) Has(chain string) bool {
	_, ok := t.chains[chain]
	return ok
}

// Tables is NAT then Filter.
func (r *Ruleset) Tables() []*Table { return []*Table{r.NAT, r.Filter} }

// RuleCount is the number of rules in every table.
func (r *Ruleset) RuleCount() int {
	n := 0
	for _, t := range r.Tables() {
		for _, rules := range t.chains {
			n += len(rules)
		}
	}
	return n
}

// Render is the iptables-restore --noflush input that takes a host whose
// proxy chains hold prev to r: every chain of r that prev lacks or holds
// differently is declared (which flushes it) and rewritten; every chain of
// prev that r lacks, and every chain of stale (by table name: chains found
// on the host that no one wants), is flushed and deleted. Chains that did
// not change are not mentioned: rules jumping to them keep working. A nil
// prev renders everything (a full sync). Empty when nothing changed.
func (r *Ruleset) Render(prev *Ruleset, stale map[string][]string) []byte {
	var buf bytes.Buffer
	for i, t := range r.Tables() {
		var old *Table
		if prev != nil {
			old = prev.Tables()[i]
		}
		writeTable(&buf, t, old, stale[t.Name])
	}
	return buf.Bytes()
}

func writeTable(buf *bytes.Buffer, t, old *Table, stale []string) {
	var changed, gone []string
	for _, c := range t.order {
		if old == nil || !old.Has(c) || !slices.Equal(old.chains[c], t.chains[c]) {
			changed = append(changed, c)
		}
	}
	if old != nil {
		for _, c := range old.order {
			if !t.Has(c) {
				gone = append(gone, c)
			}
		}
	}
	for _, c := range stale {
		if !t.Has(c) && !slices.Contains(gone, c) {
			gone = append(gone, c)
		}
	}
	if len(changed) == 0 && len(gone) == 0 {
		return
	}
	size := 0
	for _, c := range changed {
		for _, rule := range t.chains[c] {
			size += len(rule) + 1
		}
	}
	buf.Grow(size + 40*(len(changed)+len(gone)))
	buf.WriteString("*" + t.Name + "\n")
	for _, c := range changed {
		buf.WriteString(":" + c + " - [0:0]\n")
	}
	for _, c := range gone {
		buf.WriteString(":" + c + " - [0:0]\n")
	}
	for _, c := range changed {
		for _, rule := range t.chains[c] {
			buf.WriteString(rule)
			buf.WriteByte('\n')
		}
	}
	for _, c := range gone {
		buf.WriteString("-X " + c + "\n")
	}
	buf.WriteString("COMMIT\n")
}
