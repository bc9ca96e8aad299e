package statefulset

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"sort"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/rand"

	"github.com/hanok-dev/hanok/internal/controller/ownedpods"
)

// RevisionHashLabel is the label a ControllerRevision carries its hash
// in, as upstream.
const RevisionHashLabel = "controller.kubernetes.io/hash"

// TemplatePatch is a ControllerRevision's data for template: the
// strategic merge patch that puts template back into its owner, the form
// upstream stores and `kubectl rollout undo` applies.
func TemplatePatch(template *corev1.PodTemplateSpec) []byte {
	raw, _ := json.Marshal(template)
	var t map[string]any
	_ = json.Unmarshal(raw, &t)
	t["$patch"] = "replace"
	data, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": t}})
	return data
}

// TemplateOf reads the template back from a revision's data.
func TemplateOf(rev *appsv1.ControllerRevision) (*corev1.PodTemplateSpec, error) {
	var patch struct {
		Spec struct {
			Template corev1.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(rev.Data.Raw, &patch); err != nil {
		return nil, err
	}
	return &patch.Spec.Template, nil
}

// RevisionHash is the short hash naming a revision with data.
func RevisionHash(data []byte, collisionCount *int32) string {
	h := fnv.New32a()
	h.Write(data)
	if collisionCount != nil {
		var buf [4]byte
		binary.LittleEndian.PutUint32(buf[:], uint32(*collisionCount))
		h.Write(buf[:])
	}
	return rand.SafeEncodeString(strconv.FormatUint(uint64(h.Sum32()), 10))
}

// NewRevision is owner's revision number revision for template.
func NewRevision(owner metav1.Object, gvk schema.GroupVersionKind, labels map[string]string, template *corev1.PodTemplateSpec, revision int64, collisionCount *int32) *appsv1.ControllerRevision {
	data := TemplatePatch(template)
	hash := RevisionHash(data, collisionCount)
	l := map[string]string{}
	for k, v := range labels {
		l[k] = v
	}
	l[RevisionHashLabel] = hash
	return &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{
			Name:            owner.GetName() + "-" + hash,
			Namespace:       owner.GetNamespace(),
			Labels:          l,
			OwnerReferences: []metav1.OwnerReference{ownedpods.ControllerRef(owner, gvk)},
		},
		Data:     runtime.RawExtension{Raw: data},
		Revision: revision,
	}
}

// SameData says whether two revisions hold the same template.
func SameData(a, b *appsv1.ControllerRevision) bool { return bytes.Equal(a.Data.Raw, b.Data.Raw) }

// SortRevisions sorts revisions by revision number, then name.
func SortRevisions(revs []*appsv1.ControllerRevision) {
	sort.SliceStable(revs, func(i, j int) bool {
		if revs[i].Revision != revs[j].Revision {
			return revs[i].Revision < revs[j].Revision
		}
		return revs[i].Name < revs[j].Name
	})
}

// MaxRevision is the highest revision number among revs.
func MaxRevision(revs []*appsv1.ControllerRevision) int64 {
	var m int64
	for _, r := range revs {
		m = max(m, r.Revision)
	}
	return m
}

// RevisionsToPrune are the revisions beyond limit that no one uses (live
// names the revisions current pods or the owner's status point at),
// oldest first.
func RevisionsToPrune(revs []*appsv1.ControllerRevision, live map[string]bool, limit int) []*appsv1.ControllerRevision {
	var idle []*appsv1.ControllerRevision
	for _, r := range revs {
		if !live[r.Name] {
			idle = append(idle, r)
		}
	}
	if len(idle) <= limit {
		return nil
	}
	SortRevisions(idle)
	return idle[:len(idle)-limit]
}
