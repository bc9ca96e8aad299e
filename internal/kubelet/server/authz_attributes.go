package server

import "strings"

// verbFor maps an HTTP method to the API verb checked for it. Methods not
// listed map to "", which no RBAC rule grants, as upstream.
func verbFor(method string) string {
	switch method {
	case "GET":
		return "get"
	case "POST":
		return "create"
	case "PUT":
		return "update"
	case "PATCH":
		return "patch"
	case "DELETE":
		return "delete"
	}
	return ""
}

// subresourcesFor lists the nodes subresources that may authorize a request
// path, most specific first; any one allowing it is enough. This is
// upstream's mapping with fine-grained kubelet authorization (GA since
// 1.36): /pods and /healthz are first checked as nodes/pods and
// nodes/healthz, then as nodes/proxy, which covers everything not named.
func subresourcesFor(path string) []string {
	var subs []string
	switch {
	case isSubpath(path, "/pods"), isSubpath(path, "/runningpods"), isSubpath(path, "/allocatedPods"):
		subs = append(subs, "pods")
	case isSubpath(path, "/healthz"):
		subs = append(subs, "healthz")
	case isSubpath(path, "/configz"):
		subs = append(subs, "configz")
	}
	switch {
	case isSubpath(path, "/stats"):
		subs = append(subs, "stats")
	case isSubpath(path, "/metrics"):
		subs = append(subs, "metrics")
	case isSubpath(path, "/logs"):
		subs = append(subs, "log")
	case isSubpath(path, "/checkpoint"):
		subs = append(subs, "checkpoint")
	default:
		subs = append(subs, "proxy")
	}
	return subs
}

// isSubpath reports whether path is prefix itself or lies below it.
func isSubpath(path, prefix string) bool {
	prefix = strings.TrimSuffix(prefix, "/")
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}
