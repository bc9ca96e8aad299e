package node

import (
	"testing"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

func TestRulesFor(t *testing.T) {
	z := New(PodIndexer{}, nil, nil, nil)
	tests := []struct {
		name           string
		user           *authn.User
		wantIncomplete bool
	}{
		{"a node cannot be listed", &authn.User{Name: "system:node:n1", Groups: []string{NodesGroup}}, true},
		{"node name without the group is not a node", &authn.User{Name: "system:node:n1"}, false},
		{"anyone else gets nothing", &authn.User{Name: "alice"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, non, inc, err := z.RulesFor(tt.user, "default")
			if len(res)+len(non) != 0 || inc != tt.wantIncomplete || (err != nil) != tt.wantIncomplete {
				t.Fatalf("got %v %v incomplete=%v err=%v", res, non, inc, err)
			}
		})
	}
}
