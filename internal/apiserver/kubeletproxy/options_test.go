package kubeletproxy

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestParseLogOptions(t *testing.T) {
	i := func(v int64) *int64 { return &v }
	tests := []struct {
		query   string
		want    corev1.PodLogOptions
		wantErr string
	}{
		{"", corev1.PodLogOptions{}, ""},
		{"container=c&follow=true&previous=1&timestamps", corev1.PodLogOptions{Container: "c", Follow: true, Previous: true, Timestamps: true}, ""},
		{"follow=false&previous=0&timestamps=F", corev1.PodLogOptions{}, ""},
		{"tailLines=10&limitBytes=5&sinceSeconds=3", corev1.PodLogOptions{TailLines: i(10), LimitBytes: i(5), SinceSeconds: i(3)}, ""},
		{"insecureSkipTLSVerifyBackend=true", corev1.PodLogOptions{InsecureSkipTLSVerifyBackend: true}, ""},
		{"tailLines=x", corev1.PodLogOptions{}, "tailLines"},
		{"limitBytes=1.5", corev1.PodLogOptions{}, "limitBytes"},
		{"sinceTime=noon", corev1.PodLogOptions{}, "sinceTime"},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		got, err := ParseLogOptions(q)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: error %v, want one naming %s", tt.query, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("%q: %+v, %v; want %+v", tt.query, got, err, tt.want)
		}
	}
	q, _ := url.ParseQuery("sinceTime=2026-01-02T03:04:05Z")
	got, err := ParseLogOptions(q)
	if err != nil || got.SinceTime == nil || got.SinceTime.UTC().Format("15:04:05") != "03:04:05" {
		t.Errorf("sinceTime: %v %v", got, err)
	}
}

func TestValidateLogOptions(t *testing.T) {
	i := func(v int64) *int64 { return &v }
	s := "Stdout"
	tests := []struct {
		opts   corev1.PodLogOptions
		fields []string
	}{
		{corev1.PodLogOptions{}, nil},
		{corev1.PodLogOptions{TailLines: i(0), LimitBytes: i(1), SinceSeconds: i(1)}, nil},
		{corev1.PodLogOptions{TailLines: i(-1)}, []string{"tailLines"}},
		{corev1.PodLogOptions{LimitBytes: i(0)}, []string{"limitBytes"}},
		{corev1.PodLogOptions{SinceSeconds: i(0)}, []string{"sinceSeconds"}},
		{corev1.PodLogOptions{SinceSeconds: i(5), SinceTime: nowTime()}, []string{"[]"}}, // upstream words the root path so,
		{corev1.PodLogOptions{Stream: &s, TailLines: i(-2)}, []string{"tailLines", "stream"}},
	}
	for _, tt := range tests {
		errs := ValidateLogOptions(&tt.opts)
		var got []string
		for _, e := range errs {
			got = append(got, e.Field)
		}
		if !reflect.DeepEqual(got, tt.fields) {
			t.Errorf("%+v: fields %v, want %v", tt.opts, got, tt.fields)
		}
	}
}

func TestKubeletQueries(t *testing.T) {
	i := func(v int64) *int64 { return &v }
	o := &corev1.PodLogOptions{Follow: true, Previous: true, Timestamps: true, TailLines: i(5), LimitBytes: i(100), SinceSeconds: i(60)}
	if got := LogQuery(o).Encode(); got != "follow=true&limitBytes=100&previous=true&sinceSeconds=60&tailLines=5&timestamps=true" {
		t.Errorf("log query %s", got)
	}
	if got := StreamQuery(true, true, false, true, []string{"sh", "-c", "echo hi"}).Encode(); got != "command=sh&command=-c&command=echo+hi&input=1&output=1&tty=1" {
		t.Errorf("exec query %s", got)
	}
	q, _ := url.ParseQuery("ports=80&ports=8080")
	pf, err := ParsePortForwardOptions(q)
	if err != nil || PortForwardQuery(pf).Encode() != "port=80%2C8080" {
		t.Errorf("port-forward %v %v", pf, err)
	}
	if _, err := ParsePortForwardOptions(url.Values{"ports": {"http"}}); err == nil {
		t.Error("a named port parsed")
	}
	e := ParseExecOptions(url.Values{"command": {"ls", "-l"}, "stdin": {"true"}, "stdout": {"1"}, "tty": {"false"}, "container": {"c"}})
	if !reflect.DeepEqual(e.Command, []string{"ls", "-l"}) || !e.Stdin || !e.Stdout || e.Stderr || e.TTY || e.Container != "c" {
		t.Errorf("exec options %+v", e)
	}
}
