package resource

import (
	"context"
	"strings"

	resourcev1 "k8s.io/api/resource/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// maxReservedFor is upstream's bound on a claim's consumers.
const maxReservedFor = resourcev1.ResourceClaimReservedForMaxSize

// resourceClaimStrategy is resource.k8s.io/v1 ResourceClaim: a request for
// devices, allocated by the scheduler through status.
type resourceClaimStrategy struct{ registry.Base }

func (resourceClaimStrategy) Default(obj runtime.Object) {
	defaultClaimSpec(&obj.(*resourcev1.ResourceClaim).Spec)
}

func (resourceClaimStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	c := obj.(*resourcev1.ResourceClaim)
	errs := apivalidation.ValidateObjectMeta(&c.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateClaimSpec(&c.Spec, field.NewPath("spec"))...)
}

// ValidateUpdate freezes the spec, as upstream: the allocation in status
// answers this spec, and a changed request would leave it answering
// something else.
func (resourceClaimStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	c, o := obj.(*resourcev1.ResourceClaim), old.(*resourcev1.ResourceClaim)
	errs := apivalidation.ValidateObjectMetaUpdate(&c.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	return append(errs, apivalidation.ValidateImmutableField(c.Spec, o.Spec, field.NewPath("spec"))...)
}

// ValidateStatusUpdate keeps an allocation fixed once made (it may only be
// removed), lets only allocated claims be reserved, each consumer once, and
// takes no new consumers once the claim is being deleted.
func (resourceClaimStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	c, o := obj.(*resourcev1.ResourceClaim), old.(*resourcev1.ResourceClaim)
	errs := apivalidation.ValidateObjectMetaUpdate(&c.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	sp := field.NewPath("status")
	st, ost := c.Status, o.Status
	switch {
	case ost.Allocation != nil && st.Allocation != nil:
		errs = append(errs, apivalidation.ValidateImmutableField(st.Allocation, ost.Allocation, sp.Child("allocation"))...)
	case st.Allocation != nil:
		// Only a new allocation is checked: one made under older rules stays.
		errs = append(errs, validateAllocation(st.Allocation, sp.Child("allocation"))...)
	}
	rp := sp.Child("reservedFor")
	if len(st.ReservedFor) > 0 && st.Allocation == nil {
		errs = append(errs, field.Forbidden(rp, "may not be specified when `allocated` is not set"))
	}
	if c.DeletionTimestamp != nil {
		before := sets.New[types.UID]()
		for _, r := range ost.ReservedFor {
			before.Insert(r.UID)
		}
		for _, r := range st.ReservedFor {
			if !before.Has(r.UID) {
				errs = append(errs, field.Forbidden(rp, "new entries may not be added while `deletionTimestamp` is set"))
				break
			}
		}
	}
	if len(st.ReservedFor) > maxReservedFor {
		errs = append(errs, field.TooMany(rp, len(st.ReservedFor), maxReservedFor))
	}
	uids := sets.New[types.UID]()
	for i, r := range st.ReservedFor {
		ip := rp.Index(i)
		if r.Resource == "" {
			errs = append(errs, field.Required(ip.Child("resource"), ""))
		}
		errs = append(errs, validateName(r.Name, apivalidation.NameIsDNSSubdomain, ip.Child("name"))...)
		if r.UID == "" {
			errs = append(errs, field.Required(ip.Child("uid"), ""))
		} else if uids.Has(r.UID) {
			errs = append(errs, field.Duplicate(ip.Child("uid"), r.UID))
		}
		uids.Insert(r.UID)
	}
	return errs
}

// validateAllocation checks each allocated device names its request, driver,
// pool and device.
func validateAllocation(a *resourcev1.AllocationResult, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	rp := p.Child("devices", "results")
	for i, r := range a.Devices.Results {
		ip := rp.Index(i)
		if r.Request == "" {
			errs = append(errs, field.Required(ip.Child("request"), ""))
		}
		errs = append(errs, registry.ValidateDriverName(r.Driver, ip.Child("driver"))...)
		if r.Pool == "" {
			errs = append(errs, field.Required(ip.Child("pool"), ""))
		}
		errs = append(errs, validateName(r.Device, apivalidation.NameIsDNSLabel, ip.Child("device"))...)
	}
	return errs
}

// TableColumns are kubectl's: STATE AGE.
func (resourceClaimStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("State", "string", "A summary of the current state (allocated, pending, reserved, etc.).", false),
		registry.AgeColumn,
	}
}

func (resourceClaimStrategy) TableRow(obj runtime.Object) []interface{} {
	return []interface{}{claimState(obj.(*resourcev1.ResourceClaim)), registry.Age(obj)}
}

// claimState summarises a claim as kubectl does: pending until allocated,
// then allocated and, once a pod uses it, reserved; deleted while going.
func claimState(c *resourcev1.ResourceClaim) string {
	var states []string
	if c.DeletionTimestamp != nil {
		states = append(states, "deleted")
	}
	switch {
	case c.Status.Allocation == nil:
		if c.DeletionTimestamp == nil {
			states = append(states, "pending")
		}
	default:
		states = append(states, "allocated")
		if len(c.Status.ReservedFor) > 0 {
			states = append(states, "reserved")
		}
	}
	return strings.Join(states, ",")
}
