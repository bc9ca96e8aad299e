package resource

import (
	"context"
	"strings"

	resourcev1 "k8s.io/api/resource/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// maxPoolNameLength bounds a pool name as upstream (a path of DNS
// subdomains).
const maxPoolNameLength = validation.DNS1123SubdomainMaxLength

// resourceSliceStrategy is resource.k8s.io/v1 ResourceSlice: one part of a
// pool of devices a driver publishes, for one node, a set of nodes, or per
// device.
type resourceSliceStrategy struct{ registry.Base }

func (resourceSliceStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	s := obj.(*resourcev1.ResourceSlice)
	errs := apivalidation.ValidateObjectMeta(&s.ObjectMeta, false, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateSliceSpec(&s.Spec, field.NewPath("spec"))...)
}

// ValidateUpdate freezes which driver, pool and node the slice belongs to,
// as upstream: the kubelet deletes a node's slices by those fields, and the
// scheduler indexes them so.
func (resourceSliceStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	s, o := obj.(*resourcev1.ResourceSlice), old.(*resourcev1.ResourceSlice)
	p := field.NewPath("spec")
	errs := apivalidation.ValidateObjectMetaUpdate(&s.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateSliceSpec(&s.Spec, p)...)
	errs = append(errs, apivalidation.ValidateImmutableField(s.Spec.Driver, o.Spec.Driver, p.Child("driver"))...)
	errs = append(errs, apivalidation.ValidateImmutableField(s.Spec.Pool.Name, o.Spec.Pool.Name, p.Child("pool", "name"))...)
	return append(errs, apivalidation.ValidateImmutableField(s.Spec.NodeName, o.Spec.NodeName, p.Child("nodeName"))...)
}

func validateSliceSpec(s *resourcev1.ResourceSliceSpec, p *field.Path) field.ErrorList {
	errs := registry.ValidateDriverName(s.Driver, p.Child("driver"))
	errs = append(errs, validatePool(s.Pool, p.Child("pool"))...)

	// Where the devices are: exactly one way of saying it.
	set := 0
	if s.NodeName != nil {
		set++
		errs = append(errs, validateName(*s.NodeName, apivalidation.NameIsDNSSubdomain, p.Child("nodeName"))...)
	}
	if s.NodeSelector != nil {
		set++
		// One term only, so selectors of devices allocated from several
		// slices can be merged into one.
		if len(s.NodeSelector.NodeSelectorTerms) != 1 {
			errs = append(errs, field.Invalid(p.Child("nodeSelector", "nodeSelectorTerms"), len(s.NodeSelector.NodeSelectorTerms), "must have exactly one node selector term"))
		}
	}
	if s.AllNodes != nil {
		set++
		if !*s.AllNodes {
			errs = append(errs, field.Invalid(p.Child("allNodes"), false, "must be either unset or set to true"))
		}
	}
	if s.PerDeviceNodeSelection != nil {
		set++
		if !*s.PerDeviceNodeSelection {
			errs = append(errs, field.Invalid(p.Child("perDeviceNodeSelection"), false, "must be either unset or set to true"))
		}
	}
	switch {
	case set > 1:
		errs = append(errs, field.Invalid(p, nil, "exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required, but multiple fields are set"))
	case set == 0:
		errs = append(errs, field.Required(p, "exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required"))
	}
	// A slice either declares counters shared by the pool or devices.
	if s.SharedCounters != nil && s.Devices != nil {
		errs = append(errs, field.Invalid(p, "", "only one of `sharedCounters` or `devices` is allowed"))
	}

	dp := p.Child("devices")
	if len(s.Devices) > resourcev1.ResourceSliceMaxDevices {
		errs = append(errs, field.TooMany(dp, len(s.Devices), resourcev1.ResourceSliceMaxDevices))
	}
	names := sets.New[string]()
	for i, d := range s.Devices {
		np := dp.Index(i).Child("name")
		errs = append(errs, validateName(d.Name, apivalidation.NameIsDNSLabel, np)...)
		if names.Has(d.Name) {
			errs = append(errs, field.Duplicate(np, d.Name))
		}
		names.Insert(d.Name)
	}
	return errs
}

// validatePool checks the pool's name (DNS subdomains joined by "/") and
// its counters, which tell consumers whether they see the whole pool.
func validatePool(pool resourcev1.ResourcePool, p *field.Path) field.ErrorList {
	errs := validatePoolName(pool.Name, p.Child("name"))
	if pool.Generation < 0 {
		errs = append(errs, field.Invalid(p.Child("generation"), pool.Generation, "must be greater than or equal to 0"))
	}
	if pool.ResourceSliceCount <= 0 {
		errs = append(errs, field.Invalid(p.Child("resourceSliceCount"), pool.ResourceSliceCount, "must be greater than zero"))
	}
	return errs
}

// validatePoolName checks a pool name: DNS subdomains joined by "/".
func validatePoolName(name string, p *field.Path) field.ErrorList {
	switch {
	case name == "":
		return field.ErrorList{field.Required(p, "")}
	case len(name) > maxPoolNameLength:
		return field.ErrorList{field.TooLong(p, "", maxPoolNameLength)}
	}
	var errs field.ErrorList
	for _, part := range strings.Split(name, "/") {
		for _, msg := range validation.IsDNS1123Subdomain(part) {
			errs = append(errs, field.Invalid(p, name, msg))
		}
	}
	return errs
}

// SelectableFields adds spec.nodeName and spec.driver, which the kubelet
// and drivers select their own slices by.
func (resourceSliceStrategy) SelectableFields(obj runtime.Object) fields.Set {
	s := obj.(*resourcev1.ResourceSlice)
	set := registry.MetaFields(obj)
	set["spec.driver"] = s.Spec.Driver
	set["spec.nodeName"] = ""
	if s.Spec.NodeName != nil {
		set["spec.nodeName"] = *s.Spec.NodeName
	}
	return set
}

// TableColumns are kubectl's: NODE DRIVER POOL AGE.
func (resourceSliceStrategy) TableColumns() []metav1.TableColumnDefinition {
	doc := resourcev1.ResourceSliceSpec{}.SwaggerDoc()
	return []metav1.TableColumnDefinition{
		{Name: "Node", Type: "string", Description: doc["nodeName"]},
		{Name: "Driver", Type: "string", Description: doc["driver"]},
		{Name: "Pool", Type: "string", Description: resourcev1.ResourcePool{}.SwaggerDoc()["name"]},
		registry.AgeColumn,
	}
}

func (resourceSliceStrategy) TableRow(obj runtime.Object) []interface{} {
	s := obj.(*resourcev1.ResourceSlice)
	node := ""
	if s.Spec.NodeName != nil {
		node = *s.Spec.NodeName
	}
	return []interface{}{node, s.Spec.Driver, s.Spec.Pool.Name, registry.Age(obj)}
}
