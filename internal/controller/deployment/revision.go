package deployment

import (
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/rand"
)

// Annotations the controller keeps on Deployments and ReplicaSets, as
// upstream (kubectl reads them).
const (
	RevisionAnnotation        = "deployment.kubernetes.io/revision"
	RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history"
	DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas"
	MaxReplicasAnnotation     = "deployment.kubernetes.io/max-replicas"
	lastAppliedAnnotation     = "kubectl.kubernetes.io/last-applied-configuration"
	rollbackToAnnotation      = "deprecated.deployment.rollback.to"
)

// notCopied are the Deployment annotations a ReplicaSet does not inherit.
var notCopied = map[string]bool{
	lastAppliedAnnotation: true, RevisionAnnotation: true, RevisionHistoryAnnotation: true,
	DesiredReplicasAnnotation: true, MaxReplicasAnnotation: true, rollbackToAnnotation: true,
}

// TemplateHash is the pod-template-hash of template: a short, DNS-safe
// digest of it and of the collision count (bumped when the name it gives
// is taken by a ReplicaSet with another template).
func TemplateHash(template *corev1.PodTemplateSpec, collisionCount *int32) string {
	h := fnv.New32a()
	t := template.DeepCopy()
	delete(t.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	b, _ := json.Marshal(t)
	h.Write(b)
	if collisionCount != nil {
		var buf [4]byte
		binary.LittleEndian.PutUint32(buf[:], uint32(*collisionCount))
		h.Write(buf[:])
	}
	return rand.SafeEncodeString(strconv.FormatUint(uint64(h.Sum32()), 10))
}

// EqualIgnoreHash says whether two pod templates are the same but for the
// pod-template-hash label.
func EqualIgnoreHash(a, b *corev1.PodTemplateSpec) bool {
	a, b = a.DeepCopy(), b.DeepCopy()
	delete(a.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	delete(b.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	if len(a.Labels) == 0 {
		a.Labels = nil
	}
	if len(b.Labels) == 0 {
		b.Labels = nil
	}
	return apiequality.Semantic.DeepEqual(a, b)
}

// Revision is rs's revision number (0 if unset or garbled).
func Revision(annotations map[string]string) int64 {
	v, err := strconv.ParseInt(annotations[RevisionAnnotation], 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// byCreation sorts ReplicaSets oldest first (name breaks ties).
func byCreation(sets []*appsv1.ReplicaSet) {
	sort.SliceStable(sets, func(i, j int) bool {
		a, b := sets[i], sets[j]
		if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
			return a.CreationTimestamp.Before(&b.CreationTimestamp)
		}
		return a.Name < b.Name
	})
}

// SplitNewOld finds the ReplicaSet running d's current template (the
// oldest, should there be several) and the others.
func SplitNewOld(d *appsv1.Deployment, sets []*appsv1.ReplicaSet) (newRS *appsv1.ReplicaSet, old []*appsv1.ReplicaSet) {
	sorted := append([]*appsv1.ReplicaSet(nil), sets...)
	byCreation(sorted)
	for _, rs := range sorted {
		if newRS == nil && EqualIgnoreHash(&rs.Spec.Template, &d.Spec.Template) {
			newRS = rs
			continue
		}
		old = append(old, rs)
	}
	return newRS, old
}

// MaxRevision is the highest revision among sets.
func MaxRevision(sets []*appsv1.ReplicaSet) int64 {
	var m int64
	for _, rs := range sets {
		m = max(m, Revision(rs.Annotations))
	}
	return m
}

// NewRSAnnotations are the annotations newRS should carry for d at
// newRevision: d's own (but the controller's), the revision, the history
// of revisions it held before (when it came back by a rollback), and the
// replica counts proportional scaling reads. changed says whether they
// differ from what newRS has.
func NewRSAnnotations(d *appsv1.Deployment, rs *appsv1.ReplicaSet, newRevision int64, setReplicas bool) (map[string]string, bool) {
	out := map[string]string{}
	for k, v := range rs.Annotations {
		out[k] = v
	}
	for k, v := range d.Annotations {
		if !notCopied[k] {
			out[k] = v
		}
	}
	old := Revision(rs.Annotations)
	if old < newRevision {
		if old > 0 {
			hist := strconv.FormatInt(old, 10)
			if h := rs.Annotations[RevisionHistoryAnnotation]; h != "" {
				hist = h + "," + hist
			}
			out[RevisionHistoryAnnotation] = hist
		}
		out[RevisionAnnotation] = strconv.FormatInt(newRevision, 10)
	}
	if setReplicas {
		for k, v := range replicaAnnotations(d) {
			out[k] = v
		}
	}
	return out, !equalMaps(out, rs.Annotations)
}

// replicaAnnotations are the desired-replicas and max-replicas
// annotations of d's ReplicaSets.
func replicaAnnotations(d *appsv1.Deployment) map[string]string {
	return map[string]string{
		DesiredReplicasAnnotation: strconv.Itoa(int(replicas(d.Spec.Replicas))),
		MaxReplicasAnnotation:     strconv.Itoa(int(replicas(d.Spec.Replicas) + MaxSurge(d))),
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// RevisionHistory lists a revision-history annotation.
func RevisionHistory(annotations map[string]string) []string {
	if h := annotations[RevisionHistoryAnnotation]; h != "" {
		return strings.Split(h, ",")
	}
	return nil
}

// SetsToPrune are the old ReplicaSets to delete so at most limit remain:
// lowest revisions first, and only ones scaled to zero with no pods left
// whose status is current.
func SetsToPrune(old []*appsv1.ReplicaSet, limit int32) []*appsv1.ReplicaSet {
	var alive []*appsv1.ReplicaSet
	for _, rs := range old {
		if rs.DeletionTimestamp == nil {
			alive = append(alive, rs)
		}
	}
	excess := len(alive) - int(limit)
	if excess <= 0 {
		return nil
	}
	sort.SliceStable(alive, func(i, j int) bool {
		ri, rj := Revision(alive[i].Annotations), Revision(alive[j].Annotations)
		if ri != rj {
			return ri < rj
		}
		return alive[i].CreationTimestamp.Before(&alive[j].CreationTimestamp)
	})
	var out []*appsv1.ReplicaSet
	for _, rs := range alive {
		if len(out) == excess {
			break
		}
		if replicas(rs.Spec.Replicas) != 0 || rs.Status.Replicas != 0 || rs.Status.ObservedGeneration < rs.Generation {
			continue
		}
		out = append(out, rs)
	}
	return out
}
