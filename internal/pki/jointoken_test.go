package pki

import (
	"strings"
	"testing"
)

func TestParseJoinToken(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	cases := []struct {
		in      string
		want    JoinToken
		wantErr string
	}{
		{in: "H10" + hash + "::node:s3cret", want: JoinToken{CAHash: hash, User: "node", Secret: "s3cret"}},
		{in: "plainsecret", want: JoinToken{User: "node", Secret: "plainsecret"}},
		{in: "", wantErr: "empty"},
		{in: "H10abc::node:x", wantErr: "64 hex"},
		{in: "H10" + strings.Repeat("zz", 32) + "::node:x", wantErr: "not hex"},
		{in: "H10" + hash + "::node", wantErr: "<user>:<secret>"},
		{in: "H10" + hash, wantErr: "want H10"},
	}
	for _, c := range cases {
		got, err := ParseJoinToken(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("ParseJoinToken(%q) error = %v, want %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseJoinToken(%q) = %+v, %v", c.in, got, err)
		}
	}
	full := JoinToken{CAHash: hash, User: "node", Secret: "x"}
	if back, err := ParseJoinToken(full.String()); err != nil || back != full {
		t.Fatalf("round trip: %+v %v", back, err)
	}
}
