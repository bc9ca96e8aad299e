package dns

import (
	"testing"

	mdns "github.com/miekg/dns"
)

func TestFit(t *testing.T) {
	s := fixture()
	tests := []struct {
		name      string
		edns      uint16 // 0: no OPT in the request
		udp       bool
		truncated bool
		answers   int // exact count when not truncated
	}{
		{name: "UDP without EDNS0: 512 bytes", udp: true, truncated: true},
		{name: "UDP with a 4096 buffer: capped at 1232", edns: 4096, udp: true, truncated: true},
		{name: "TCP: everything", answers: 100},
		{name: "TCP with EDNS0: everything", edns: 512, answers: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := query("big.default.svc.cluster.local.", mdns.TypeA)
			if tt.edns != 0 {
				req.SetEdns0(tt.edns, false)
			}
			m := Answer(s, req).Msg
			Fit(m, req, tt.udp)
			if m.Truncated != tt.truncated {
				t.Errorf("TC %v, want %v", m.Truncated, tt.truncated)
			}
			if (req.IsEdns0() != nil) != (m.IsEdns0() != nil) {
				t.Errorf("OPT in reply %v, in request %v", m.IsEdns0() != nil, req.IsEdns0() != nil)
			}
			wire, err := m.Pack()
			if err != nil {
				t.Fatal(err)
			}
			limit := 65535
			if tt.udp {
				limit = 512
				if tt.edns != 0 {
					limit = maxUDPSize
				}
			}
			if len(wire) > limit {
				t.Errorf("%d bytes, limit %d", len(wire), limit)
			}
			if !tt.truncated && len(m.Answer) != tt.answers {
				t.Errorf("%d answers, want %d", len(m.Answer), tt.answers)
			}
			if tt.truncated && len(m.Answer) == 0 {
				t.Errorf("truncated to nothing")
			}
		})
	}
}

func TestFitSmallAnswerUntouched(t *testing.T) {
	req := query("web.default.svc.cluster.local.", mdns.TypeA)
	m := Answer(fixture(), req).Msg
	Fit(m, req, true)
	if m.Truncated || len(m.Answer) != 1 {
		t.Errorf("tc=%v answers=%d", m.Truncated, len(m.Answer))
	}
}

func TestFitDropsUpstreamOPTForPlainClient(t *testing.T) {
	req := query("www.example.com.", mdns.TypeA)
	up := new(mdns.Msg)
	up.SetReply(req)
	up.SetEdns0(1232, false)
	Fit(up, req, true)
	if up.IsEdns0() != nil {
		t.Errorf("OPT kept for a client without EDNS0")
	}
}
