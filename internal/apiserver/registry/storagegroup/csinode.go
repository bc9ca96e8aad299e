package storagegroup

import (
	"context"
	"strings"

	storagev1 "k8s.io/api/storage/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// maxNodeIDLength bounds a driver's node ID as upstream does (it is passed
// back to the driver on every attach).
const maxNodeIDLength = 256

// csiNodeStrategy is storage.k8s.io/v1 CSINode: the kubelet's record of
// which CSI drivers run on its node. The scheduler reads it for volume
// limits and topology.
type csiNodeStrategy struct{ registry.Base }

func (csiNodeStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	n := obj.(*storagev1.CSINode)
	errs := apivalidation.ValidateObjectMeta(&n.ObjectMeta, false, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateCSINodeDrivers(n.Spec.Drivers, field.NewPath("spec", "drivers"))...)
}

// ValidateUpdate freezes what a driver already registered told us about the
// node (its node ID and topology keys): volumes attached and placed by them
// would otherwise point at a different node. Drivers may come and go, and
// their allocatable count may change (upstream's mutable CSINode count).
func (csiNodeStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	n, o := obj.(*storagev1.CSINode), old.(*storagev1.CSINode)
	errs := apivalidation.ValidateObjectMetaUpdate(&n.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	p := field.NewPath("spec", "drivers")
	errs = append(errs, validateCSINodeDrivers(n.Spec.Drivers, p)...)
	before := map[string]storagev1.CSINodeDriver{}
	for _, d := range o.Spec.Drivers {
		before[d.Name] = d
	}
	for i, d := range n.Spec.Drivers {
		od, ok := before[d.Name]
		if !ok {
			continue
		}
		if d.NodeID != od.NodeID {
			errs = append(errs, field.Invalid(p.Index(i).Child("nodeID"), d.NodeID, "field is immutable"))
		}
		if !apiequality.Semantic.DeepEqual(d.TopologyKeys, od.TopologyKeys) {
			errs = append(errs, field.Invalid(p.Index(i).Child("topologyKeys"), d.TopologyKeys, "field is immutable"))
		}
	}
	return errs
}

func validateCSINodeDrivers(drivers []storagev1.CSINodeDriver, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	names, nodeIDs := sets.New[string](), sets.New[string]()
	for i, d := range drivers {
		dp := p.Index(i)
		errs = append(errs, registry.ValidateDriverName(d.Name, dp.Child("name"))...)
		if names.Has(d.Name) {
			errs = append(errs, field.Duplicate(dp.Child("name"), d.Name))
		}
		names.Insert(d.Name)
		switch {
		case d.NodeID == "":
			errs = append(errs, field.Required(dp.Child("nodeID"), ""))
		case len(d.NodeID) > maxNodeIDLength:
			errs = append(errs, field.TooLong(dp.Child("nodeID"), "", maxNodeIDLength))
		}
		// Two drivers may share a node ID only if they are the same driver
		// (upstream keys attachments by driver and node ID).
		key := strings.ToLower(d.Name) + "/" + d.NodeID
		if nodeIDs.Has(key) {
			errs = append(errs, field.Duplicate(dp.Child("nodeID"), d.NodeID))
		}
		nodeIDs.Insert(key)
		keys := sets.New[string]()
		for j, k := range d.TopologyKeys {
			kp := dp.Child("topologyKeys").Index(j)
			if k == "" {
				errs = append(errs, field.Required(kp, ""))
				continue
			}
			if keys.Has(k) {
				errs = append(errs, field.Duplicate(kp, k))
			}
			keys.Insert(k)
			errs = append(errs, metav1validation.ValidateLabelName(k, kp)...)
		}
		if d.Allocatable != nil && d.Allocatable.Count != nil && *d.Allocatable.Count < 0 {
			errs = append(errs, field.Invalid(dp.Child("allocatable", "count"), *d.Allocatable.Count, "must be greater than or equal to 0"))
		}
	}
	return errs
}

// TableColumns are kubectl's: DRIVERS AGE.
func (csiNodeStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Drivers", "integer", "Drivers indicates the number of CSI drivers registered on the node", false),
		registry.AgeColumn,
	}
}

func (csiNodeStrategy) TableRow(obj runtime.Object) []interface{} {
	n := obj.(*storagev1.CSINode)
	return []interface{}{int64(len(n.Spec.Drivers)), registry.Age(obj)}
}
