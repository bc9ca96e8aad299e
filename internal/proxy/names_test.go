package proxy

import "testing"

// The chain names follow upstream's scheme, so a hanok node's chains have
// the names kube-proxy would give them (values from upstream's own test
// expectations for the service port "ns1/svc1:p80").
func TestChainNames(t *testing.T) {
	tests := []struct{ got, want string }{
		{servicePortChain(prefixSVC, "ns1/svc1:p80", "tcp"), "KUBE-SVC-XPGD46QRK7WJZT7O"},
		{servicePortChain(prefixEXT, "ns1/svc1:p80", "tcp"), "KUBE-EXT-XPGD46QRK7WJZT7O"},
		{endpointChain("ns1/svc1:p80", "tcp", "10.180.0.1:80"), "KUBE-SEP-SXIVWICOYRO3J4NJ"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
		if len(tt.got) > 28 {
			t.Errorf("%s: longer than iptables' 28 characters", tt.got)
		}
	}
}
