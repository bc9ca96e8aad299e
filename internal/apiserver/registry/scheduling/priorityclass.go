package scheduling

import (
	"context"
	"fmt"
	"strings"

	v1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Priority bounds as upstream: users may go up to one billion; the range
// above is kept for the system classes, so no workload can outrank the
// cluster's own critical pods.
const (
	SystemPriorityClassPrefix    = "system-"
	HighestUserDefinablePriority = int32(1000000000)
	SystemCriticalPriority       = 2 * HighestUserDefinablePriority

	// SystemNodeCritical and SystemClusterCritical name the built-in classes.
	SystemNodeCritical    = SystemPriorityClassPrefix + "node-critical"
	SystemClusterCritical = SystemPriorityClassPrefix + "cluster-critical"
)

// SystemPriorityClasses returns the built-in classes, which the server
// creates at startup and which are the only ones allowed a "system-" name.
func SystemPriorityClasses() []*schedulingv1.PriorityClass {
	return []*schedulingv1.PriorityClass{
		{
			ObjectMeta:  metav1.ObjectMeta{Name: SystemNodeCritical},
			Value:       SystemCriticalPriority + 1000,
			Description: "Used for system critical pods that must not be moved from their current node.",
		},
		{
			ObjectMeta:  metav1.ObjectMeta{Name: SystemClusterCritical},
			Value:       SystemCriticalPriority,
			Description: "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
		},
	}
}

// isKnownSystemClass says whether pc matches a built-in class exactly, or
// why not.
func isKnownSystemClass(pc *schedulingv1.PriorityClass) error {
	for _, s := range SystemPriorityClasses() {
		if s.Name != pc.Name {
			continue
		}
		if s.Value != pc.Value {
			return fmt.Errorf("value of %v PriorityClass must be %v", s.Name, s.Value)
		}
		if s.GlobalDefault != pc.GlobalDefault {
			return fmt.Errorf("globalDefault of %v PriorityClass must be %v", s.Name, s.GlobalDefault)
		}
		return nil
	}
	return fmt.Errorf("%v is not a known system priority class", pc.Name)
}

// priorityClassStrategy is scheduling.k8s.io/v1 PriorityClass.
type priorityClassStrategy struct{ registry.Base }

// Default lets pods of the class preempt lower-priority pods, as upstream.
func (priorityClassStrategy) Default(obj runtime.Object) {
	pc := obj.(*schedulingv1.PriorityClass)
	if pc.PreemptionPolicy == nil {
		p := v1.PreemptLowerPriority
		pc.PreemptionPolicy = &p
	}
}

func (priorityClassStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	pc := obj.(*schedulingv1.PriorityClass)
	errs := apivalidation.ValidateObjectMeta(&pc.ObjectMeta, false, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	if strings.HasPrefix(pc.Name, SystemPriorityClassPrefix) {
		if err := isKnownSystemClass(pc); err != nil {
			errs = append(errs, field.Forbidden(field.NewPath("metadata", "name"),
				"priority class names with '"+SystemPriorityClassPrefix+"' prefix are reserved for system use only. error: "+err.Error()))
		}
	} else if pc.Value > HighestUserDefinablePriority {
		errs = append(errs, field.Forbidden(field.NewPath("value"), fmt.Sprintf("maximum allowed value of a user defined priority is %v", HighestUserDefinablePriority)))
	}
	return append(errs, validatePreemptionPolicy(pc.PreemptionPolicy)...)
}

// ValidateUpdate keeps value and preemption policy immutable: pods carry
// the priority they resolved at admission, so a change would leave running
// pods and new ones of the same class ranked differently.
func (priorityClassStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	pc, o := obj.(*schedulingv1.PriorityClass), old.(*schedulingv1.PriorityClass)
	errs := apivalidation.ValidateObjectMetaUpdate(&pc.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	if pc.Value != o.Value {
		errs = append(errs, field.Forbidden(field.NewPath("value"), "may not be changed in an update."))
	}
	errs = append(errs, validatePreemptionPolicy(pc.PreemptionPolicy)...)
	return append(errs, apivalidation.ValidateImmutableField(pc.PreemptionPolicy, o.PreemptionPolicy, field.NewPath("preemptionPolicy"))...)
}

func validatePreemptionPolicy(p *v1.PreemptionPolicy) field.ErrorList {
	fp := field.NewPath("preemptionPolicy")
	switch {
	case p == nil:
		return nil
	case *p == "":
		return field.ErrorList{field.Required(fp, "")}
	case *p != v1.PreemptLowerPriority && *p != v1.PreemptNever:
		return field.ErrorList{field.NotSupported(fp, *p, []v1.PreemptionPolicy{v1.PreemptLowerPriority, v1.PreemptNever})}
	}
	return nil
}

// TableColumns are kubectl's: VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY.
func (priorityClassStrategy) TableColumns() []metav1.TableColumnDefinition {
	doc := schedulingv1.PriorityClass{}.SwaggerDoc()
	return []metav1.TableColumnDefinition{
		{Name: "Value", Type: "integer", Description: doc["value"]},
		{Name: "Global-Default", Type: "boolean", Description: doc["globalDefault"]},
		registry.AgeColumn,
		{Name: "PreemptionPolicy", Type: "string", Description: doc["preemptionPolicy"]},
	}
}

func (priorityClassStrategy) TableRow(obj runtime.Object) []interface{} {
	pc := obj.(*schedulingv1.PriorityClass)
	policy := ""
	if pc.PreemptionPolicy != nil {
		policy = string(*pc.PreemptionPolicy)
	}
	return []interface{}{int64(pc.Value), pc.GlobalDefault, registry.Age(obj), policy}
}
