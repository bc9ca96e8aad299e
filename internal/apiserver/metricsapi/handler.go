package metricsapi

import (
	"context"
	"net/http"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	corelisters "k8s.io/client-go/listers/core/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/hanok-dev/hanok/internal/apiserver"
)

// Config is what the metrics API reads.
type Config struct {
	Nodes  corelisters.NodeLister
	Pods   corelisters.PodLister
	Source *Source
}

// API serves metrics.k8s.io/v1beta1 nodes and pods.
type API struct {
	cfg Config
	now func() time.Time
}

// New returns the API over cfg.
func New(cfg Config) *API { return &API{cfg: cfg, now: time.Now} }

var (
	gv            = metricsv1beta1.SchemeGroupVersion
	nodesResource = gv.WithResource("nodes").GroupResource()
	podsResource  = gv.WithResource("pods").GroupResource()
	readVerbs     = metav1.Verbs{"get", "list"}
)

// Install registers both resources on api (and so in discovery).
func (a *API) Install(api *apiserver.Server) {
	api.HandleResource(apiserver.ExternalResource{GroupVersion: gv, Handler: a.serveNodes, Resource: metav1.APIResource{
		Name: "nodes", SingularName: "", Kind: "NodeMetrics", Verbs: readVerbs}})
	api.HandleResource(apiserver.ExternalResource{GroupVersion: gv, Handler: a.servePods, Resource: metav1.APIResource{
		Name: "pods", SingularName: "", Namespaced: true, Kind: "PodMetrics", Verbs: readVerbs}})
}

// selectors reads labelSelector and fieldSelector (400 when unparsable).
func selectors(r *http.Request) (labels.Selector, fields.Selector, error) {
	q := r.URL.Query()
	ls, err := labels.Parse(q.Get("labelSelector"))
	if err != nil {
		return nil, nil, apierrors.NewBadRequest(err.Error())
	}
	fs, err := fields.ParseSelector(q.Get("fieldSelector"))
	if err != nil {
		return nil, nil, apierrors.NewBadRequest(err.Error())
	}
	return ls, fs, nil
}

func (a *API) serveNodes(w http.ResponseWriter, r *http.Request, info *apiserver.RequestInfo) {
	switch {
	case info.Subresource != "":
		apiserver.WriteError(w, r, apierrors.NewNotFound(nodesResource, info.Name))
	case info.Verb == "get":
		node, err := a.cfg.Nodes.Get(info.Name)
		if err != nil {
			apiserver.WriteError(w, r, apierrors.NewNotFound(nodesResource, info.Name))
			return
		}
		items := a.nodeMetrics(r.Context(), []*corev1.Node{node})
		if len(items) == 0 {
			apiserver.WriteError(w, r, apierrors.NewNotFound(nodesResource, info.Name))
			return
		}
		m := &items[0]
		m.SetGroupVersionKind(gv.WithKind("NodeMetrics"))
		apiserver.WriteObject(w, r, http.StatusOK, m)
	case info.Verb == "list":
		ls, fs, err := selectors(r)
		if err != nil {
			apiserver.WriteError(w, r, err)
			return
		}
		all, err := a.cfg.Nodes.List(ls)
		if err != nil {
			apiserver.WriteError(w, r, err)
			return
		}
		var nodes []*corev1.Node
		for _, n := range all {
			if fs.Matches(fields.Set{"metadata.name": n.Name}) {
				nodes = append(nodes, n)
			}
		}
		list := &metricsv1beta1.NodeMetricsList{Items: a.nodeMetrics(r.Context(), nodes)}
		list.SetGroupVersionKind(gv.WithKind("NodeMetricsList"))
		apiserver.WriteObject(w, r, http.StatusOK, list)
	default:
		apiserver.WriteError(w, r, apierrors.NewMethodNotSupported(nodesResource, info.Verb))
	}
}

func (a *API) servePods(w http.ResponseWriter, r *http.Request, info *apiserver.RequestInfo) {
	switch {
	case info.Subresource != "":
		apiserver.WriteError(w, r, apierrors.NewNotFound(podsResource, info.Name))
	case info.Verb == "get":
		notFound := apierrors.NewNotFound(podsResource, info.Namespace+"/"+info.Name)
		pod, err := a.cfg.Pods.Pods(info.Namespace).Get(info.Name)
		if err != nil {
			apiserver.WriteError(w, r, notFound)
			return
		}
		items := a.podMetrics(r.Context(), []*corev1.Pod{pod})
		if len(items) == 0 {
			apiserver.WriteError(w, r, notFound)
			return
		}
		m := &items[0]
		m.SetGroupVersionKind(gv.WithKind("PodMetrics"))
		apiserver.WriteObject(w, r, http.StatusOK, m)
	case info.Verb == "list":
		ls, fs, err := selectors(r)
		if err != nil {
			apiserver.WriteError(w, r, err)
			return
		}
		all, err := a.cfg.Pods.Pods(info.Namespace).List(ls)
		if err != nil {
			apiserver.WriteError(w, r, err)
			return
		}
		var pods []*corev1.Pod
		for _, p := range all {
			if fs.Matches(fields.Set{"metadata.name": p.Name, "metadata.namespace": p.Namespace}) {
				pods = append(pods, p)
			}
		}
		list := &metricsv1beta1.PodMetricsList{Items: a.podMetrics(r.Context(), pods)}
		list.SetGroupVersionKind(gv.WithKind("PodMetricsList"))
		apiserver.WriteObject(w, r, http.StatusOK, list)
	default:
		apiserver.WriteError(w, r, apierrors.NewMethodNotSupported(podsResource, info.Verb))
	}
}

// nodeMetrics are the metrics of those of nodes that are Ready and whose
// kubelet answered, by name.
func (a *API) nodeMetrics(ctx context.Context, nodes []*corev1.Node) []metricsv1beta1.NodeMetrics {
	ready := readyNodes(nodes)
	readings := a.cfg.Source.Readings(ctx, ready)
	now := a.now()
	items := []metricsv1beta1.NodeMetrics{}
	for _, n := range ready {
		if r := readings[n.Name]; r != nil && r.Node != nil {
			items = append(items, nodeMetrics(n, r.Node, now))
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	return items
}

// podMetrics are the metrics of those of pods whose node reported them,
// by namespace and name.
func (a *API) podMetrics(ctx context.Context, pods []*corev1.Pod) []metricsv1beta1.PodMetrics {
	names := map[string]bool{}
	for _, p := range pods {
		if p.Spec.NodeName != "" {
			names[p.Spec.NodeName] = true
		}
	}
	var nodes []*corev1.Node
	for name := range names {
		if n, err := a.cfg.Nodes.Get(name); err == nil {
			nodes = append(nodes, n)
		}
	}
	readings := a.cfg.Source.Readings(ctx, readyNodes(nodes))
	now := a.now()
	items := []metricsv1beta1.PodMetrics{}
	for _, p := range pods {
		r := readings[p.Spec.NodeName]
		if r == nil {
			continue
		}
		if pr, ok := r.Pods[podKey{p.Namespace, p.Name}]; ok {
			items = append(items, podMetrics(p, pr, now))
		}
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].Namespace != items[j].Namespace {
			return items[i].Namespace < items[j].Namespace
		}
		return items[i].Name < items[j].Name
	})
	return items
}

// readyNodes keeps the nodes whose Ready condition is True: a kubelet
// that does not heartbeat is not asked.
func readyNodes(nodes []*corev1.Node) []*corev1.Node {
	var out []*corev1.Node
	for _, n := range nodes {
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				out = append(out, n)
				break
			}
		}
	}
	return out
}
