package cli

import (
	"reflect"
	"testing"

	v1 "k8s.io/api/core/v1"
)

func TestParseTaints(t *testing.T) {
	cases := []struct {
		in      []string
		want    []v1.Taint
		wantErr bool
	}{
		{in: []string{"dedicated=gpu:NoSchedule"}, want: []v1.Taint{{Key: "dedicated", Value: "gpu", Effect: v1.TaintEffectNoSchedule}}},
		{in: []string{"edge:NoExecute"}, want: []v1.Taint{{Key: "edge", Effect: v1.TaintEffectNoExecute}}},
		{in: []string{"a=b"}, wantErr: true},
		{in: []string{"a=b:Sometimes"}, wantErr: true},
		{in: []string{"bad key=b:NoSchedule"}, wantErr: true},
	}
	for _, c := range cases {
		got, err := parseTaints(c.in)
		if (err != nil) != c.wantErr {
			t.Errorf("parseTaints(%v) error = %v, wantErr %v", c.in, err, c.wantErr)
			continue
		}
		if !c.wantErr && !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseTaints(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestParseLabels(t *testing.T) {
	got, err := parseLabels([]string{"zone=a", "example.com/tier=edge"})
	if err != nil || got["zone"] != "a" || got["example.com/tier"] != "edge" {
		t.Fatalf("parseLabels = %v, %v", got, err)
	}
	if _, err := parseLabels([]string{"novalue"}); err == nil {
		t.Fatal("a label without = was accepted")
	}
}
