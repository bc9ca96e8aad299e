package staticpod

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	v1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
)

// Priorities of the system classes, which a static pod may name before
// any PriorityClass object is readable.
var systemPriorities = map[string]int32{
	"system-cluster-critical": 2000000000,
	"system-node-critical":    2000001000,
}

// decode turns a manifest (YAML or JSON, a Pod or a PodList) into static
// pods for nodeName.
func decode(data []byte, nodeName string) ([]*v1.Pod, error) {
	obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(data, nil, nil)
	if err != nil {
		return nil, err
	}
	var pods []*v1.Pod
	switch o := obj.(type) {
	case *v1.Pod:
		pods = []*v1.Pod{o}
	case *v1.PodList:
		for i := range o.Items {
			pods = append(pods, &o.Items[i])
		}
	default:
		return nil, fmt.Errorf("want a Pod or a PodList, got %T", obj)
	}
	for _, p := range pods {
		if err := applyDefaults(p, nodeName); err != nil {
			return nil, err
		}
	}
	return pods, nil
}

// applyDefaults makes a decoded pod a static pod of nodeName, as
// upstream's file source does, and validates it.
func applyDefaults(p *v1.Pod, nodeName string) error {
	if p.UID == "" {
		p.UID = contentUID(p, nodeName)
	}
	if p.Name == "" {
		return fmt.Errorf("pod has no name")
	}
	p.Name = p.Name + "-" + strings.ToLower(nodeName)
	if p.Namespace == "" {
		p.Namespace = metav1.NamespaceDefault
	}
	p.Spec.NodeName = nodeName
	if p.Annotations == nil {
		p.Annotations = map[string]string{}
	}
	p.Annotations[ConfigHashAnnotation] = string(p.UID)
	p.Annotations[ConfigSourceAnnotation] = sourceFile
	// Static pods tolerate every NoExecute taint: node problems must not
	// evict what the node itself runs.
	p.Spec.Tolerations = addTolerateNoExecute(p.Spec.Tolerations)
	podspec.DefaultPodSpec(&p.Spec)
	podspec.DefaultPodOnly(&p.Spec)
	if prio, ok := systemPriorities[p.Spec.PriorityClassName]; ok && p.Spec.Priority == nil {
		p.Spec.Priority = &prio
	}
	p.Status = v1.PodStatus{Phase: v1.PodPending}

	errs := apivalidation.ValidateObjectMeta(&p.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, podspec.ValidatePodSpec(&p.Spec, field.NewPath("spec"))...)
	if len(errs) > 0 {
		return fmt.Errorf("invalid pod %s/%s: %v", p.Namespace, p.Name, errs.ToAggregate())
	}
	return nil
}

// contentUID hashes the pod as written and the node: the same manifest on
// another node, or an edited one, is another pod.
func contentUID(p *v1.Pod, nodeName string) types.UID {
	h := sha256.New()
	fmt.Fprintf(h, "host:%s\n", nodeName)
	b, _ := json.Marshal(p)
	h.Write(b)
	return types.UID(hex.EncodeToString(h.Sum(nil)[:16]))
}

func addTolerateNoExecute(ts []v1.Toleration) []v1.Toleration {
	want := v1.Toleration{Operator: v1.TolerationOpExists, Effect: v1.TaintEffectNoExecute}
	for _, t := range ts {
		if t.MatchToleration(&want) {
			return ts
		}
	}
	return append(ts, want)
}
