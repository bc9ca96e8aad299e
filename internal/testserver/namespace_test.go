package testserver

import (
	"regexp"
	"testing"
)

func TestNamespaceName(t *testing.T) {
	label := regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	tests := []struct{ in, prefix string }{
		{"TestCRUD", "testcrud-"},
		{"TestCRUD/apps/v1/deployments", "testcrud-apps-v1-deployments-"},
		{"Test__Weird  name!", "test-weird-name-"},
		{"/", "test-"},
		{"TestAVeryLongNameThatGoesOnAndOnAndOnBeyondTheLimitOfALabel/sub", "testaverylongnamethatgoesonandonandonbeyondthelimi-"},
	}
	for _, tt := range tests {
		got := namespaceName(tt.in)
		if len(got) > 63 || !label.MatchString(got) {
			t.Errorf("namespaceName(%q) = %q: not a DNS label", tt.in, got)
		}
		if len(got) != len(tt.prefix)+5 || got[:len(tt.prefix)] != tt.prefix {
			t.Errorf("namespaceName(%q) = %q, want %q + 5 random characters", tt.in, got, tt.prefix)
		}
	}
}
