// Package metricsapi serves metrics.k8s.io/v1beta1 NodeMetrics and
// PodMetrics from the API server itself, so `kubectl top nodes` and
// `kubectl top pods` work with no metrics-server deployed.
//
// Data flow: a list or get (already authorized: metrics.k8s.io nodes and
// pods, get/list, which view, edit and admin aggregate) asks the Source
// for the current summaries. The Source fetches each Ready node's kubelet
// /stats/summary (through kubeletproxy's client, as system:kube-apiserver)
// at most once per TTL, all nodes in parallel, and keeps the last good
// one. Conversion from a summary to metrics is a pure function
// (convert.go): CPU is usageNanoCores, memory is the working set, as
// metrics-server reports them; a node, pod or container without both is
// left out. Pods are matched against the pod lister for namespace, labels
// and field selectors, so a PodMetrics carries its pod's labels.
package metricsapi
