package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"

	"github.com/sirupsen/logrus"
	v1 "k8s.io/api/core/v1"
)

// Cleanup removes every rule and chain the proxy made, in nat and filter,
// IPv4 and (when ip6tables is there) IPv6: the jumps from the built-in
// chains first, then its chains, flushed and deleted in one
// iptables-restore per table. Safe to run when nothing is there.
// `hanok agent --cleanup` calls it.
func Cleanup() error {
	return cleanup(newIptablesHost())
}

func cleanup(h *iptablesHost) error {
	var errs []error
	for _, family := range []v1.IPFamily{v1.IPv4Protocol, v1.IPv6Protocol} {
		if family == v1.IPv6Protocol {
			if _, err := exec.LookPath("ip6tables"); err != nil {
				continue
			}
		}
		if err := cleanupFamily(h, family); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func cleanupFamily(h *iptablesHost, family v1.IPFamily) error {
	ipt, err := h.get(family)
	if err != nil {
		return err
	}
	var errs []error
	for _, j := range jumps {
		exists, err := ipt.ChainExists(j.table, j.to)
		if err != nil || !exists {
			continue // no chain, no jump to it
		}
		if err := ipt.DeleteIfExists(j.table, j.from, j.ruleSpec()...); err != nil {
			errs = append(errs, fmt.Errorf("%s: removing jump %s/%s -> %s: %w", family, j.table, j.from, j.to, err))
		}
	}
	var buf bytes.Buffer
	for _, table := range []string{tableNAT, tableFilter} {
		chains, err := h.ListChains(family, table)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: listing %s: %w", family, table, err))
			continue
		}
		buf.Write(deleteChains(table, chains))
	}
	if buf.Len() > 0 {
		if err := h.Restore(family, buf.Bytes()); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		logrus.WithField("component", "proxy").Debugf("%s: rules removed", family)
	}
	return errors.Join(errs...)
}

// deleteChains is the restore input that flushes and deletes the chains of
// table that are the proxy's (others are left alone); empty if none.
func deleteChains(table string, chains []string) []byte {
	var owned []string
	for _, c := range chains {
		if isOwned(table, c) {
			owned = append(owned, c)
		}
	}
	if len(owned) == 0 {
		return nil
	}
	var buf bytes.Buffer
	buf.WriteString("*" + table + "\n")
	// All flushed first, so no rule of one still names another when it
	// is deleted.
	for _, c := range owned {
		buf.WriteString(":" + c + " - [0:0]\n")
	}
	for _, c := range owned {
		buf.WriteString("-X " + c + "\n")
	}
	buf.WriteString("COMMIT\n")
	return buf.Bytes()
}
