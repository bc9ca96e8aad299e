package apps

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
)

// statefulSetStrategy is apps/v1 StatefulSet.
type statefulSetStrategy struct{ registry.Base }

// Default applies apps/v1 defaults: ordered pod management, a rolling
// update from partition 0, ten revisions kept, claims retained on delete and
// scale-down, and the claim templates defaulted as PVCs are.
func (statefulSetStrategy) Default(obj runtime.Object) {
	s := obj.(*appsv1.StatefulSet)
	if s.Spec.Replicas == nil {
		s.Spec.Replicas = ptr[int32](1)
	}
	if s.Spec.PodManagementPolicy == "" {
		s.Spec.PodManagementPolicy = appsv1.OrderedReadyPodManagement
	}
	u := &s.Spec.UpdateStrategy
	if u.Type == "" {
		u.Type = appsv1.RollingUpdateStatefulSetStrategyType
		if u.RollingUpdate == nil {
			u.RollingUpdate = &appsv1.RollingUpdateStatefulSetStrategy{}
		}
	}
	if u.Type == appsv1.RollingUpdateStatefulSetStrategyType && u.RollingUpdate != nil {
		if u.RollingUpdate.Partition == nil {
			u.RollingUpdate.Partition = ptr[int32](0)
		}
		// maxUnavailable is beta and on by default since 1.35: one pod at a
		// time keeps the old ordered behaviour.
		if u.RollingUpdate.MaxUnavailable == nil {
			v := intstr.FromInt32(1)
			u.RollingUpdate.MaxUnavailable = &v
		}
	}
	if s.Spec.RevisionHistoryLimit == nil {
		s.Spec.RevisionHistoryLimit = ptr[int32](10)
	}
	if s.Spec.PersistentVolumeClaimRetentionPolicy == nil {
		s.Spec.PersistentVolumeClaimRetentionPolicy = &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{}
	}
	p := s.Spec.PersistentVolumeClaimRetentionPolicy
	if p.WhenDeleted == "" {
		p.WhenDeleted = appsv1.RetainPersistentVolumeClaimRetentionPolicyType
	}
	if p.WhenScaled == "" {
		p.WhenScaled = appsv1.RetainPersistentVolumeClaimRetentionPolicyType
	}
	// Claim templates are stored as PVCs and get the PVC defaults, so what
	// the controller creates from them matches what clients read back.
	for i := range s.Spec.VolumeClaimTemplates {
		c := &s.Spec.VolumeClaimTemplates[i]
		if c.Spec.VolumeMode == nil {
			m := v1.PersistentVolumeFilesystem
			c.Spec.VolumeMode = &m
		}
		if c.Status.Phase == "" {
			c.Status.Phase = v1.ClaimPending
		}
	}
	podspec.DefaultPodSpec(&s.Spec.Template.Spec)
}

// Validate uses DNS-label names: the name becomes part of every pod's
// hostname, so a subdomain name could never create pods.
func (statefulSetStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	s := obj.(*appsv1.StatefulSet)
	errs := apivalidation.ValidateObjectMeta(&s.ObjectMeta, true, apivalidation.NameIsDNSLabel, field.NewPath("metadata"))
	return append(errs, validateStatefulSetSpec(&s.Spec, nil, field.NewPath("spec"))...)
}

// ValidateUpdate allows only the fields the controller can roll out to
// change; the rest (claim templates, service name, pod management) are
// baked into existing pods and volumes.
func (statefulSetStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	s, o := obj.(*appsv1.StatefulSet), old.(*appsv1.StatefulSet)
	errs := apivalidation.ValidateObjectMetaUpdate(&s.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateStatefulSetSpec(&s.Spec, o.Spec.Selector, field.NewPath("spec"))...)
	errs = append(errs, apivalidation.ValidateImmutableField(s.Spec.Selector, o.Spec.Selector, field.NewPath("spec", "selector"))...)

	rest := s.Spec.DeepCopy()
	rest.Replicas = o.Spec.Replicas
	rest.Template = o.Spec.Template
	rest.UpdateStrategy = o.Spec.UpdateStrategy
	rest.MinReadySeconds = o.Spec.MinReadySeconds
	rest.Ordinals = o.Spec.Ordinals
	rest.RevisionHistoryLimit = o.Spec.RevisionHistoryLimit
	rest.PersistentVolumeClaimRetentionPolicy = o.Spec.PersistentVolumeClaimRetentionPolicy
	rest.Selector = o.Spec.Selector // reported above as immutable
	if !apiequality.Semantic.DeepEqual(*rest, o.Spec) {
		errs = append(errs, field.Forbidden(field.NewPath("spec"), "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"))
	}
	return errs
}

func validateStatefulSetSpec(spec *appsv1.StatefulSetSpec, oldSel *metav1.LabelSelector, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch spec.PodManagementPolicy {
	case "":
		errs = append(errs, field.Required(fldPath.Child("podManagementPolicy"), ""))
	case appsv1.OrderedReadyPodManagement, appsv1.ParallelPodManagement:
	default:
		errs = append(errs, field.Invalid(fldPath.Child("podManagementPolicy"), spec.PodManagementPolicy,
			fmt.Sprintf("must be '%s' or '%s'", appsv1.OrderedReadyPodManagement, appsv1.ParallelPodManagement)))
	}
	errs = append(errs, validateStatefulSetUpdateStrategy(&spec.UpdateStrategy, fldPath.Child("updateStrategy"))...)
	errs = append(errs, validateClaimRetention(spec.PersistentVolumeClaimRetentionPolicy, fldPath.Child("persistentVolumeClaimRetentionPolicy"))...)
	if spec.Replicas != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*spec.Replicas), fldPath.Child("replicas"))...)
	}
	if spec.Ordinals != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(spec.Ordinals.Start), fldPath.Child("ordinals", "start"))...)
	}
	errs = append(errs, apivalidation.ValidateNonnegativeField(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	if spec.RevisionHistoryLimit != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*spec.RevisionHistoryLimit), fldPath.Child("revisionHistoryLimit"))...)
	}
	errs = append(errs, ValidateWorkloadSelector(spec.Selector, SelectorOptions(oldSel), "statefulset", fldPath.Child("selector"))...)
	tpath := fldPath.Child("template")
	errs = append(errs, ValidateSelectorMatchesTemplate(spec.Selector, &spec.Template, tpath)...)
	errs = append(errs, podspec.ValidatePodTemplateSpec(templateWithClaims(spec), tpath)...)
	errs = append(errs, validateAlwaysRestart(&spec.Template.Spec, tpath.Child("spec"), "StatefulSet", true)...)
	errs = append(errs, validateClaimTemplates(spec.VolumeClaimTemplates, fldPath.Child("volumeClaimTemplates"))...)
	if spec.ServiceName != "" {
		// The governing service name ends up in pod DNS names.
		for _, msg := range validation.IsDNS1035Label(spec.ServiceName) {
			errs = append(errs, field.Invalid(fldPath.Child("serviceName"), spec.ServiceName, msg))
		}
	}
	return errs
}

// templateWithClaims returns the template as the controller will run it:
// every claim template becomes a PVC volume of the same name. Validating that
// (instead of the bare template) lets mounts of claim volumes pass pod
// validation, which is why upstream could not validate sts pod specs at all.
func templateWithClaims(spec *appsv1.StatefulSetSpec) *v1.PodTemplateSpec {
	if len(spec.VolumeClaimTemplates) == 0 {
		return &spec.Template
	}
	t := spec.Template.DeepCopy()
	claims := map[string]bool{}
	for _, c := range spec.VolumeClaimTemplates {
		claims[c.Name] = true
	}
	vols := t.Spec.Volumes[:0]
	for _, v := range t.Spec.Volumes {
		if !claims[v.Name] { // the controller replaces same-named volumes
			vols = append(vols, v)
		}
	}
	for _, c := range spec.VolumeClaimTemplates {
		if !claims[c.Name] {
			continue // a duplicate claim template, reported on its own
		}
		claims[c.Name] = false
		vols = append(vols, v1.Volume{Name: c.Name, VolumeSource: v1.VolumeSource{
			PersistentVolumeClaim: &v1.PersistentVolumeClaimVolumeSource{ClaimName: c.Name},
		}})
	}
	t.Spec.Volumes = vols
	return t
}

// validateClaimTemplates checks what the name of each claim template must
// satisfy to become "<claim>-<set>-<ordinal>" PVC and a pod volume name.
func validateClaimTemplates(claims []v1.PersistentVolumeClaim, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, c := range claims {
		p := fldPath.Index(i).Child("metadata", "name")
		switch {
		case c.Name == "":
			errs = append(errs, field.Required(p, ""))
		case seen[c.Name]:
			errs = append(errs, field.Duplicate(p, c.Name))
		default:
			for _, msg := range validation.IsDNS1123Label(c.Name) {
				errs = append(errs, field.Invalid(p, c.Name, msg))
			}
		}
		seen[c.Name] = true
	}
	return errs
}

func validateStatefulSetUpdateStrategy(u *appsv1.StatefulSetUpdateStrategy, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch u.Type {
	case "":
		errs = append(errs, field.Required(fldPath, ""))
	case appsv1.OnDeleteStatefulSetStrategyType:
		if u.RollingUpdate != nil {
			errs = append(errs, field.Invalid(fldPath.Child("rollingUpdate"), u.RollingUpdate,
				fmt.Sprintf("only allowed for updateStrategy '%s'", appsv1.RollingUpdateStatefulSetStrategyType)))
		}
	case appsv1.RollingUpdateStatefulSetStrategyType:
		if ru := u.RollingUpdate; ru != nil {
			p := fldPath.Child("rollingUpdate")
			if ru.Partition != nil {
				errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*ru.Partition), p.Child("partition"))...)
			}
			if ru.MaxUnavailable != nil {
				mp := p.Child("maxUnavailable")
				errs = append(errs, ValidatePositiveIntOrPercent(*ru.MaxUnavailable, mp)...)
				if intOrPercentValue(ru.MaxUnavailable) == 0 {
					// Zero would stall every rollout.
					errs = append(errs, field.Invalid(mp, *ru.MaxUnavailable, "cannot be 0"))
				}
				errs = append(errs, IsNotMoreThan100Percent(*ru.MaxUnavailable, mp)...)
			}
		}
	default:
		errs = append(errs, field.Invalid(fldPath, u,
			fmt.Sprintf("must be '%s' or '%s'", appsv1.RollingUpdateStatefulSetStrategyType, appsv1.OnDeleteStatefulSetStrategyType)))
	}
	return errs
}

func validateClaimRetention(p *appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy, fldPath *field.Path) field.ErrorList {
	if p == nil {
		return nil
	}
	valid := []appsv1.PersistentVolumeClaimRetentionPolicyType{
		appsv1.RetainPersistentVolumeClaimRetentionPolicyType, appsv1.DeletePersistentVolumeClaimRetentionPolicyType,
	}
	var errs field.ErrorList
	check := func(name string, v appsv1.PersistentVolumeClaimRetentionPolicyType) {
		if v != appsv1.RetainPersistentVolumeClaimRetentionPolicyType && v != appsv1.DeletePersistentVolumeClaimRetentionPolicyType {
			errs = append(errs, field.NotSupported(fldPath.Child(name), v, valid))
		}
	}
	check("whenDeleted", p.WhenDeleted)
	check("whenScaled", p.WhenScaled)
	return errs
}

func (statefulSetStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	s, o := obj.(*appsv1.StatefulSet), old.(*appsv1.StatefulSet)
	errs := apivalidation.ValidateObjectMetaUpdate(&s.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	fldPath := field.NewPath("status")
	st := &s.Status
	errs = append(errs, nonNegative(fldPath, map[string]int64{
		"observedGeneration": st.ObservedGeneration,
		"replicas":           int64(st.Replicas),
		"readyReplicas":      int64(st.ReadyReplicas),
		"currentReplicas":    int64(st.CurrentReplicas),
		"updatedReplicas":    int64(st.UpdatedReplicas),
		"availableReplicas":  int64(st.AvailableReplicas),
	})...)
	if st.CollisionCount != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*st.CollisionCount), fldPath.Child("collisionCount"))...)
	}
	const msg = "cannot be greater than status.replicas"
	errs = append(errs, notGreater(fldPath.Child("readyReplicas"), st.ReadyReplicas, st.Replicas, msg)...)
	errs = append(errs, notGreater(fldPath.Child("currentReplicas"), st.CurrentReplicas, st.Replicas, msg)...)
	errs = append(errs, notGreater(fldPath.Child("updatedReplicas"), st.UpdatedReplicas, st.Replicas, msg)...)
	errs = append(errs, notGreater(fldPath.Child("availableReplicas"), st.AvailableReplicas, st.Replicas, msg)...)
	errs = append(errs, notGreater(fldPath.Child("availableReplicas"), st.AvailableReplicas, st.ReadyReplicas, "cannot be greater than status.readyReplicas")...)
	return append(errs, validateCollisionCount(st.CollisionCount, o.Status.CollisionCount, fldPath.Child("collisionCount"))...)
}

// TableColumns are kubectl's: READY AGE, and with -o wide CONTAINERS IMAGES.
func (statefulSetStrategy) TableColumns() []metav1.TableColumnDefinition {
	cols := []metav1.TableColumnDefinition{
		{Name: "Ready", Type: "string", Description: "Number of the pod with ready state"},
		registry.AgeColumn,
	}
	return append(cols, containerColumns()...)
}

func (statefulSetStrategy) TableRow(obj runtime.Object) []interface{} {
	s := obj.(*appsv1.StatefulSet)
	names, images := ContainerCells(s.Spec.Template.Spec.Containers)
	return []interface{}{
		fmt.Sprintf("%d/%d", s.Status.ReadyReplicas, deref(s.Spec.Replicas)),
		registry.Age(obj),
		names, images,
	}
}
