package dns

import mdns "github.com/miekg/dns"

// maxUDPSize is the largest UDP reply we send whatever the client
// advertises (the DNS flag day 2020 size, safe from fragmentation).
const maxUDPSize = 1232

// Fit makes reply fit what the client of req can take: over UDP 512 bytes,
// or the EDNS0 buffer it advertises (at most maxUDPSize), cutting records
// and setting TC so that the client asks again over TCP. An EDNS0 request
// gets an OPT record back.
func Fit(reply, req *mdns.Msg, udp bool) {
	size := mdns.MaxMsgSize
	if udp {
		size = mdns.MinMsgSize
	}
	if opt := req.IsEdns0(); opt != nil {
		if udp {
			size = min(max(int(opt.UDPSize()), mdns.MinMsgSize), maxUDPSize)
		}
		if reply.IsEdns0() == nil {
			reply.SetEdns0(maxUDPSize, false)
		}
	} else if o := reply.IsEdns0(); o != nil {
		// An upstream's OPT for a client that did not speak EDNS0.
		extra := reply.Extra[:0]
		for _, rr := range reply.Extra {
			if rr != mdns.RR(o) {
				extra = append(extra, rr)
			}
		}
		reply.Extra = extra
	}
	reply.Truncate(size)
}
