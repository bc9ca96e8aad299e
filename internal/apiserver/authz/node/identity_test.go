package node

import (
	"testing"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

func TestIdentity(t *testing.T) {
	tests := []struct {
		user   *authn.User
		name   string
		isNode bool
	}{
		{nil, "", false},
		{&authn.User{Name: "system:node:n1", Groups: []string{NodesGroup}}, "n1", true},
		{&authn.User{Name: "system:node:n1"}, "", false},
		{&authn.User{Name: "n1", Groups: []string{NodesGroup}}, "", false},
		{&authn.User{Name: "system:node:", Groups: []string{NodesGroup}}, "", true},
		{&authn.User{Name: "system:nodes:n1", Groups: []string{NodesGroup}}, "", false},
	}
	for _, tc := range tests {
		name, isNode := Identity(tc.user)
		if name != tc.name || isNode != tc.isNode {
			t.Errorf("Identity(%v) = %q %v, want %q %v", tc.user, name, isNode, tc.name, tc.isNode)
		}
	}
}
