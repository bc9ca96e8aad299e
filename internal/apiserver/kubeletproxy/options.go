package kubeletproxy

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The options of the streaming subresources come as query parameters,
// read the way upstream's parameter codec reads them: the first value of
// a parameter counts; a boolean is false only for "0", "f" or "false"
// (any case) and true otherwise, even when empty ("?follow"); numbers and
// times that do not parse make the request a 400 naming the parameter;
// unknown parameters are ignored.

// ParseLogOptions reads pods/log's query.
func ParseLogOptions(q url.Values) (*corev1.PodLogOptions, error) {
	o := &corev1.PodLogOptions{
		Container:                    first(q, "container"),
		Follow:                       boolParam(q, "follow"),
		Previous:                     boolParam(q, "previous"),
		Timestamps:                   boolParam(q, "timestamps"),
		InsecureSkipTLSVerifyBackend: boolParam(q, "insecureSkipTLSVerifyBackend"),
	}
	var err error
	if o.SinceSeconds, err = int64Param(q, "sinceSeconds"); err != nil {
		return nil, err
	}
	if o.TailLines, err = int64Param(q, "tailLines"); err != nil {
		return nil, err
	}
	if o.LimitBytes, err = int64Param(q, "limitBytes"); err != nil {
		return nil, err
	}
	if _, ok := q["sinceTime"]; ok {
		t := metav1.Time{}
		if err := t.UnmarshalQueryParameter(first(q, "sinceTime")); err != nil {
			return nil, fmt.Errorf("sinceTime: %w", err)
		}
		o.SinceTime = &t
	}
	if _, ok := q["stream"]; ok {
		s := first(q, "stream")
		o.Stream = &s
	}
	return o, nil
}

// ValidateLogOptions is upstream's check of PodLogOptions, with the
// PodLogsQuerySplitStreams gate off as in upstream 1.37 by default (so
// "stream" may not be given).
func ValidateLogOptions(o *corev1.PodLogOptions) field.ErrorList {
	var errs field.ErrorList
	if o.TailLines != nil && *o.TailLines < 0 {
		errs = append(errs, field.Invalid(field.NewPath("tailLines"), *o.TailLines, "must be greater than or equal to 0"))
	}
	if o.LimitBytes != nil && *o.LimitBytes < 1 {
		errs = append(errs, field.Invalid(field.NewPath("limitBytes"), *o.LimitBytes, "must be greater than 0"))
	}
	switch {
	case o.SinceSeconds != nil && o.SinceTime != nil:
		errs = append(errs, field.Forbidden(field.NewPath(""), "at most one of `sinceTime` or `sinceSeconds` may be specified"))
	case o.SinceSeconds != nil && *o.SinceSeconds < 1:
		errs = append(errs, field.Invalid(field.NewPath("sinceSeconds"), *o.SinceSeconds, "must be greater than 0"))
	}
	if o.Stream != nil {
		errs = append(errs, field.Forbidden(field.NewPath("stream"), "may not be specified"))
	}
	return errs
}

// LogQuery is the kubelet's /containerLogs query for o.
func LogQuery(o *corev1.PodLogOptions) url.Values {
	q := url.Values{}
	if o.Follow {
		q.Set("follow", "true")
	}
	if o.Previous {
		q.Set("previous", "true")
	}
	if o.Timestamps {
		q.Set("timestamps", "true")
	}
	if o.SinceSeconds != nil {
		q.Set("sinceSeconds", strconv.FormatInt(*o.SinceSeconds, 10))
	}
	if o.SinceTime != nil {
		q.Set("sinceTime", o.SinceTime.UTC().Format(time.RFC3339))
	}
	if o.TailLines != nil {
		q.Set("tailLines", strconv.FormatInt(*o.TailLines, 10))
	}
	if o.LimitBytes != nil {
		q.Set("limitBytes", strconv.FormatInt(*o.LimitBytes, 10))
	}
	return q
}

// ParseExecOptions reads pods/exec's query.
func ParseExecOptions(q url.Values) *corev1.PodExecOptions {
	return &corev1.PodExecOptions{
		Container: first(q, "container"), Command: q["command"],
		Stdin: boolParam(q, "stdin"), Stdout: boolParam(q, "stdout"), Stderr: boolParam(q, "stderr"), TTY: boolParam(q, "tty"),
	}
}

// ParseAttachOptions reads pods/attach's query.
func ParseAttachOptions(q url.Values) *corev1.PodAttachOptions {
	return &corev1.PodAttachOptions{
		Container: first(q, "container"),
		Stdin:     boolParam(q, "stdin"), Stdout: boolParam(q, "stdout"), Stderr: boolParam(q, "stderr"), TTY: boolParam(q, "tty"),
	}
}

// ParsePortForwardOptions reads pods/portforward's query.
func ParsePortForwardOptions(q url.Values) (*corev1.PodPortForwardOptions, error) {
	o := &corev1.PodPortForwardOptions{}
	for _, v := range q["ports"] {
		p, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("ports: %w", err)
		}
		o.Ports = append(o.Ports, int32(p))
	}
	return o, nil
}

// StreamQuery is the kubelet's query for an exec or attach: its stream
// flags under the kubelet's names (input, output, error, tty) and, for
// exec, the command.
func StreamQuery(stdin, stdout, stderr, tty bool, command []string) url.Values {
	q := url.Values{}
	for _, f := range []struct {
		on   bool
		name string
	}{{stdin, corev1.ExecStdinParam}, {stdout, corev1.ExecStdoutParam}, {stderr, corev1.ExecStderrParam}, {tty, corev1.ExecTTYParam}} {
		if f.on {
			q.Set(f.name, "1")
		}
	}
	for _, c := range command {
		q.Add("command", c)
	}
	return q
}

// PortForwardQuery is the kubelet's query for a port-forward.
func PortForwardQuery(o *corev1.PodPortForwardOptions) url.Values {
	q := url.Values{}
	if len(o.Ports) > 0 {
		ports := make([]string, len(o.Ports))
		for i, p := range o.Ports {
			ports[i] = strconv.Itoa(int(p))
		}
		q.Set(corev1.PortHeader, strings.Join(ports, ","))
	}
	return q
}

func first(q url.Values, key string) string {
	if v := q[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func boolParam(q url.Values, key string) bool {
	v, ok := q[key]
	if !ok || len(v) == 0 {
		return false
	}
	return !(v[0] == "0" || strings.EqualFold(v[0], "f") || strings.EqualFold(v[0], "false"))
}

func int64Param(q url.Values, key string) (*int64, error) {
	v, ok := q[key]
	if !ok || len(v) == 0 {
		return nil, nil
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return &n, nil
}
