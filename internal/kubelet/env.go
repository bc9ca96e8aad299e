package kubelet

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/hanok-dev/hanok/internal/kubelet/volume"
)

// envSource reads what env vars refer to: configMaps and secrets (the worker
// backs it with the node's client).
type envSource interface {
	ConfigMap(ctx context.Context, namespace, name string) (*v1.ConfigMap, error)
	Secret(ctx context.Context, namespace, name string) (*v1.Secret, error)
}

// envContext is the pod-level data fieldRef can read.
type envContext struct {
	PodIPs  []string
	HostIPs []string
	// NodeAllocatable stands in for limits a container does not set, as
	// upstream does for resourceFieldRef.
	NodeAllocatable v1.ResourceList
	// Services are the service link variables, overridden by env and
	// envFrom and visible to $(VAR) references.
	Services []envVar
}

// containerEnv resolves a container's env and envFrom in order (later
// entries win, $(VAR) references see earlier ones), as upstream.
func containerEnv(ctx context.Context, src envSource, pod *v1.Pod, c *v1.Container, ec envContext) ([]envVar, error) {
	var out []envVar
	index := map[string]int{}
	set := func(name, value string) {
		if i, ok := index[name]; ok {
			out[i].Value = value
			return
		}
		index[name] = len(out)
		out = append(out, envVar{Name: name, Value: value})
	}
	for _, e := range ec.Services {
		set(e.Name, e.Value)
	}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm, err := src.ConfigMap(ctx, pod.Namespace, from.ConfigMapRef.Name)
			if err != nil {
				if optional(from.ConfigMapRef.Optional) {
					continue
				}
				return nil, fmt.Errorf("configmap %q not found: %w", from.ConfigMapRef.Name, err)
			}
			for _, k := range sortedKeys(cm.Data) {
				set(from.Prefix+k, cm.Data[k])
			}
		case from.SecretRef != nil:
			s, err := src.Secret(ctx, pod.Namespace, from.SecretRef.Name)
			if err != nil {
				if optional(from.SecretRef.Optional) {
					continue
				}
				return nil, fmt.Errorf("secret %q not found: %w", from.SecretRef.Name, err)
			}
			keys := make(map[string]string, len(s.Data))
			for k, v := range s.Data {
				keys[k] = string(v)
			}
			for _, k := range sortedKeys(keys) {
				set(from.Prefix+k, keys[k])
			}
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			set(e.Name, expandVars(e.Value, lookupIn(out)))
			continue
		}
		v, skip, err := envValueFrom(ctx, src, pod, c, e, ec)
		if err != nil {
			return nil, err
		}
		if !skip {
			set(e.Name, v)
		}
	}
	return out, nil
}

// envVar is one resolved variable.
type envVar struct{ Name, Value string }

func lookupIn(vars []envVar) func(string) (string, bool) {
	return func(name string) (string, bool) {
		for i := len(vars) - 1; i >= 0; i-- {
			if vars[i].Name == name {
				return vars[i].Value, true
			}
		}
		return "", false
	}
}

// envValueFrom resolves one valueFrom; skip is true for a missing optional
// key.
func envValueFrom(ctx context.Context, src envSource, pod *v1.Pod, c *v1.Container, e v1.EnvVar, ec envContext) (value string, skip bool, err error) {
	vf := e.ValueFrom
	switch {
	case vf.ConfigMapKeyRef != nil:
		ref := vf.ConfigMapKeyRef
		cm, err := src.ConfigMap(ctx, pod.Namespace, ref.Name)
		if err != nil {
			if optional(ref.Optional) {
				return "", true, nil
			}
			return "", false, fmt.Errorf("configmap %q not found: %w", ref.Name, err)
		}
		v, ok := cm.Data[ref.Key]
		if !ok {
			if b, bok := cm.BinaryData[ref.Key]; bok {
				return string(b), false, nil
			}
			if optional(ref.Optional) {
				return "", true, nil
			}
			return "", false, fmt.Errorf("couldn't find key %s in ConfigMap %s/%s", ref.Key, pod.Namespace, ref.Name)
		}
		return v, false, nil
	case vf.SecretKeyRef != nil:
		ref := vf.SecretKeyRef
		s, err := src.Secret(ctx, pod.Namespace, ref.Name)
		if err != nil {
			if optional(ref.Optional) {
				return "", true, nil
			}
			return "", false, fmt.Errorf("secret %q not found: %w", ref.Name, err)
		}
		v, ok := s.Data[ref.Key]
		if !ok {
			if optional(ref.Optional) {
				return "", true, nil
			}
			return "", false, fmt.Errorf("couldn't find key %s in Secret %s/%s", ref.Key, pod.Namespace, ref.Name)
		}
		return string(v), false, nil
	case vf.FieldRef != nil:
		v, err := podFieldValue(pod, vf.FieldRef.FieldPath, ec)
		return v, false, err
	case vf.ResourceFieldRef != nil:
		v, err := resourceFieldValue(pod, c, vf.ResourceFieldRef, ec.NodeAllocatable)
		return v, false, err
	}
	return "", true, nil
}

func optional(b *bool) bool { return b != nil && *b }

// podFieldValue answers a downward-API fieldRef. The pod's IPs come from
// the runtime (ec), which knows them before the pod's status says so;
// every other field is read as the downward-API volume reads it.
func podFieldValue(pod *v1.Pod, path string, ec envContext) (string, error) {
	switch path {
	case "status.hostIP":
		return first(ec.HostIPs), nil
	case "status.hostIPs":
		return strings.Join(ec.HostIPs, ","), nil
	case "status.podIP":
		return first(ec.PodIPs), nil
	case "status.podIPs":
		return strings.Join(ec.PodIPs, ","), nil
	}
	return volume.PodFieldValue(pod, path)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// resourceFieldValue answers a resourceFieldRef: a limit or request of the
// named (or this) container divided by the divisor, rounded up; limits not
// set fall back to the node's allocatable.
func resourceFieldValue(pod *v1.Pod, self *v1.Container, ref *v1.ResourceFieldSelector, allocatable v1.ResourceList) (string, error) {
	c := self
	if ref.ContainerName != "" {
		c = nil
		for _, list := range [][]v1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
			for i := range list {
				if list[i].Name == ref.ContainerName {
					c = &list[i]
				}
			}
		}
		if c == nil {
			return "", fmt.Errorf("container %q not found for resourceFieldRef", ref.ContainerName)
		}
	}
	kind, name, ok := strings.Cut(ref.Resource, ".")
	if !ok {
		return "", fmt.Errorf("unsupported resource %q", ref.Resource)
	}
	var q resource.Quantity
	var found bool
	switch kind {
	case "limits":
		q, found = c.Resources.Limits[v1.ResourceName(name)]
		if !found {
			q, found = allocatable[v1.ResourceName(name)]
		}
	case "requests":
		q, found = c.Resources.Requests[v1.ResourceName(name)]
	default:
		return "", fmt.Errorf("unsupported resource %q", ref.Resource)
	}
	divisor := ref.Divisor
	if divisor.IsZero() {
		divisor = resource.MustParse("1")
	}
	if !found {
		return "0", nil
	}
	if name == "cpu" {
		m := divisor.MilliValue()
		return strconv.FormatInt((q.MilliValue()+m-1)/m, 10), nil
	}
	d := divisor.Value()
	return strconv.FormatInt((q.Value()+d-1)/d, 10), nil
}

// expandVars replaces $(NAME) with the variable's value; $$ escapes a
// dollar; unknown references stay as they are, as upstream.
func expandVars(in string, lookup func(string) (string, bool)) string {
	var b strings.Builder
	for i := 0; i < len(in); i++ {
		if in[i] != '$' || i+1 >= len(in) {
			b.WriteByte(in[i])
			continue
		}
		switch in[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(in[i+2:], ')')
			if end < 0 {
				b.WriteString(in[i:])
				return b.String()
			}
			name := in[i+2 : i+2+end]
			if v, ok := lookup(name); ok {
				b.WriteString(v)
			} else {
				b.WriteString("$(" + name + ")")
			}
			i += end + 2
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
