package volume

import (
	"fmt"
	"sort"

	v1 "k8s.io/api/core/v1"
)

// defaultFileMode is the API's default for configMap, secret, downwardAPI
// and projected volumes (0644); the API server normally fills it in.
const defaultFileMode int32 = 0o644

func modeOr(mode *int32, def int32) int32 {
	if mode != nil {
		return *mode
	}
	return def
}

// keysToPayload turns an object's keys into files: every key when items is
// empty, else exactly the listed keys at their paths. A listed key that is
// missing is an error unless the source is optional (then it is skipped),
// as upstream. kind names the object in errors ("configmap", "secret").
func keysToPayload(kind, name string, data map[string][]byte, items []v1.KeyToPath, defaultMode int32, optional bool) (map[string]FileProjection, error) {
	out := map[string]FileProjection{}
	if len(items) == 0 {
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out[k] = FileProjection{Data: data[k], Mode: defaultMode}
		}
		return out, nil
	}
	for _, it := range items {
		v, ok := data[it.Key]
		if !ok {
			if optional {
				continue
			}
			return nil, fmt.Errorf("%s %q references non-existent key %q", kind, name, it.Key)
		}
		out[it.Path] = FileProjection{Data: v, Mode: modeOr(it.Mode, defaultMode)}
	}
	return out, nil
}

// configMapData merges a configMap's text and binary keys.
func configMapData(cm *v1.ConfigMap) map[string][]byte {
	out := make(map[string][]byte, len(cm.Data)+len(cm.BinaryData))
	for k, v := range cm.Data {
		out[k] = []byte(v)
	}
	for k, v := range cm.BinaryData {
		out[k] = v
	}
	return out
}

// configMapPayload is the files of a configMap volume or projection; cm is
// nil when the configMap does not exist (allowed only when optional).
func configMapPayload(namespace, name string, cm *v1.ConfigMap, items []v1.KeyToPath, defaultMode int32, optional bool) (map[string]FileProjection, error) {
	if cm == nil {
		if optional {
			return map[string]FileProjection{}, nil
		}
		return nil, fmt.Errorf("configmap %q not found", namespace+"/"+name)
	}
	return keysToPayload("configmap", namespace+"/"+name, configMapData(cm), items, defaultMode, optional)
}

// secretPayload is the files of a secret volume or projection; s is nil
// when the secret does not exist (allowed only when optional).
func secretPayload(namespace, name string, s *v1.Secret, items []v1.KeyToPath, defaultMode int32, optional bool) (map[string]FileProjection, error) {
	if s == nil {
		if optional {
			return map[string]FileProjection{}, nil
		}
		return nil, fmt.Errorf("secret %q not found", namespace+"/"+name)
	}
	return keysToPayload("secret", namespace+"/"+name, s.Data, items, defaultMode, optional)
}
