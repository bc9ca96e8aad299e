package dns

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
	"k8s.io/client-go/kubernetes"
)

// freeAddr is a 127.0.0.1 address whose port is free for both UDP and TCP
// at the time of asking.
func freeAddr(t testing.TB) string {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := pc.LocalAddr().String()
		l, err := net.Listen("tcp", addr)
		pc.Close()
		if err != nil {
			continue
		}
		l.Close()
		return addr
	}
	t.Fatal("no free port on 127.0.0.1 for UDP and TCP")
	return ""
}

// upstream is a fake upstream resolver on 127.0.0.1 (UDP and TCP) that
// answers from zone; a name in tcpOnly is truncated (TC, no records) over
// UDP, as an answer too big for it.
type upstream struct {
	addr    string
	zone    map[string][]string // qname -> RR strings
	tcpOnly map[string]bool
}

func startUpstream(t testing.TB, zone map[string][]string, tcpOnly map[string]bool) *upstream {
	t.Helper()
	u := &upstream{zone: zone, tcpOnly: tcpOnly}
	for range 20 {
		u.addr = freeAddr(t)
		pc, err := net.ListenPacket("udp", u.addr)
		if err != nil {
			continue
		}
		l, err := net.Listen("tcp", u.addr)
		if err != nil {
			pc.Close()
			continue
		}
		for _, s := range []*mdns.Server{{PacketConn: pc, Handler: u}, {Listener: l, Handler: u}} {
			started := make(chan struct{})
			s.NotifyStartedFunc = func() { close(started) }
			go func() { _ = s.ActivateAndServe() }()
			<-started
			t.Cleanup(func() { _ = s.Shutdown() })
		}
		return u
	}
	t.Fatal("could not start the fake upstream")
	return nil
}

func (u *upstream) ServeDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	m := new(mdns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	name := req.Question[0].Name
	_, udp := w.RemoteAddr().(*net.UDPAddr)
	rrs, ok := u.zone[name]
	switch {
	case !ok:
		m.Rcode = mdns.RcodeNameError
	case udp && u.tcpOnly[name]:
		m.Truncated = true
	default:
		for _, s := range rrs {
			rr, err := mdns.NewRR(s)
			if err != nil {
				panic(err)
			}
			if rr.Header().Rrtype == req.Question[0].Qtype {
				m.Answer = append(m.Answer, rr)
			}
		}
	}
	_ = w.WriteMsg(m)
}

func writeResolvConf(t testing.TB, nameservers ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "resolv.conf")
	content := "search example.internal\noptions ndots:5\n"
	for _, n := range nameservers {
		content += "nameserver " + n + "\n"
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// startDNS runs Run on a free 127.0.0.1 port until the test ends and
// returns its address once it answers.
func startDNS(t testing.TB, client kubernetes.Interface, resolvConf string) string {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{Client: client, ListenAddrs: []string{addr}, ResolvConf: resolvConf})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	c := &mdns.Client{Timeout: 200 * time.Millisecond}
	for {
		select {
		case err := <-done:
			t.Fatalf("Run ended early: %v", err)
		default:
		}
		if _, _, err := c.Exchange(query("cluster.local.", mdns.TypeSOA), addr); err == nil {
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("the DNS server on %s never answered", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ask(t testing.TB, network, addr, name string, qtype uint16) *mdns.Msg {
	t.Helper()
	c := &mdns.Client{Net: network, Timeout: 5 * time.Second}
	r, _, err := c.Exchange(query(name, qtype), addr)
	if err != nil {
		t.Fatalf("%s %s over %s: %v", name, mdns.TypeToString[qtype], network, err)
	}
	return r
}
