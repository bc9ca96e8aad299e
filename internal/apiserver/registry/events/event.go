package events

import (
	"context"
	"fmt"
	"time"

	v1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Upstream's length limits, which keep events small: they are the most
// numerous objects in most clusters.
const (
	maxReportingInstance = 128
	maxAction            = 128
	maxReason            = 128
	maxNote              = 1024
)

// eventStrategy is events.k8s.io/v1 Event.
type eventStrategy struct{ registry.Base }

func (eventStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	e := obj.(*eventsv1.Event)
	errs := apivalidation.ValidateObjectMeta(&e.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, validateEvent(e)...)
	return append(errs, validateSeries(e.Series)...)
}

// validateEvent holds what every event written through events.k8s.io/v1
// must carry: who reported it, about what, when and why; and none of the
// deprecated core fields, which only the core API may set.
func validateEvent(e *eventsv1.Event) field.ErrorList {
	var errs field.ErrorList
	// Cluster-scoped objects' events live in default (or kube-system).
	if e.Regarding.Namespace == "" {
		if e.Namespace != metav1.NamespaceDefault && e.Namespace != metav1.NamespaceSystem {
			errs = append(errs, field.Invalid(field.NewPath("regarding", "namespace"), e.Regarding.Namespace, "does not match event.namespace"))
		}
	} else if e.Regarding.Namespace != e.Namespace {
		errs = append(errs, field.Invalid(field.NewPath("regarding", "namespace"), e.Regarding.Namespace, "does not match event.namespace"))
	}
	rc := field.NewPath("reportingController")
	if e.ReportingController == "" {
		errs = append(errs, field.Required(rc, ""))
	} else {
		for _, msg := range content.IsLabelKey(e.ReportingController) {
			errs = append(errs, field.Invalid(rc, e.ReportingController, msg))
		}
	}
	errs = append(errs, requiredBounded(field.NewPath("reportingInstance"), e.ReportingInstance, maxReportingInstance)...)
	errs = append(errs, requiredBounded(field.NewPath("action"), e.Action, maxAction)...)
	errs = append(errs, requiredBounded(field.NewPath("reason"), e.Reason, maxReason)...)
	if len(e.Note) > maxNote {
		errs = append(errs, field.Invalid(field.NewPath("note"), "", fmt.Sprintf("can have at most %v characters", maxNote)))
	}
	if e.EventTime.IsZero() {
		errs = append(errs, field.Required(field.NewPath("eventTime"), ""))
	}
	if e.Type != v1.EventTypeNormal && e.Type != v1.EventTypeWarning {
		errs = append(errs, field.Invalid(field.NewPath("type"), "", fmt.Sprintf("has invalid value: %v", e.Type)))
	}
	if !e.DeprecatedFirstTimestamp.IsZero() {
		errs = append(errs, field.Invalid(field.NewPath("deprecatedFirstTimestamp"), "", "needs to be unset"))
	}
	if !e.DeprecatedLastTimestamp.IsZero() {
		errs = append(errs, field.Invalid(field.NewPath("deprecatedLastTimestamp"), "", "needs to be unset"))
	}
	if e.DeprecatedCount != 0 {
		errs = append(errs, field.Invalid(field.NewPath("deprecatedCount"), "", "needs to be unset"))
	}
	if e.DeprecatedSource.Component != "" || e.DeprecatedSource.Host != "" {
		errs = append(errs, field.Invalid(field.NewPath("deprecatedSource"), "", "needs to be unset"))
	}
	return errs
}

func requiredBounded(p *field.Path, v string, limit int) field.ErrorList {
	switch {
	case v == "":
		return field.ErrorList{field.Required(p, "")}
	case len(v) > limit:
		return field.ErrorList{field.Invalid(p, "", fmt.Sprintf("can have at most %v characters", limit))}
	}
	return nil
}

// validateSeries: a series is an event seen again, so it counts at least two.
func validateSeries(s *eventsv1.EventSeries) field.ErrorList {
	if s == nil {
		return nil
	}
	var errs field.ErrorList
	if s.Count < 2 {
		errs = append(errs, field.Invalid(field.NewPath("series", "count"), "", "should be at least 2"))
	}
	if s.LastObservedTime.IsZero() {
		errs = append(errs, field.Required(field.NewPath("series", "lastObservedTime"), ""))
	}
	return errs
}

// ValidateUpdate lets only the series (and metadata) change: an update
// records a repeat of the same event, never a different one.
func (eventStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	e, o := obj.(*eventsv1.Event), old.(*eventsv1.Event)
	errs := apivalidation.ValidateObjectMetaUpdate(&e.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateEvent(e)...)
	if !seriesEqual(e.Series, o.Series) {
		errs = append(errs, validateSeries(e.Series)...)
	}
	immutable := []struct {
		name     string
		new, old interface{}
	}{
		{"regarding", e.Regarding, o.Regarding},
		{"related", e.Related, o.Related},
		{"reason", e.Reason, o.Reason},
		{"note", e.Note, o.Note},
		{"type", e.Type, o.Type},
		{"action", e.Action, o.Action},
		{"reportingController", e.ReportingController, o.ReportingController},
		{"reportingInstance", e.ReportingInstance, o.ReportingInstance},
		{"deprecatedSource", e.DeprecatedSource, o.DeprecatedSource},
		{"deprecatedFirstTimestamp", e.DeprecatedFirstTimestamp, o.DeprecatedFirstTimestamp},
		{"deprecatedLastTimestamp", e.DeprecatedLastTimestamp, o.DeprecatedLastTimestamp},
		{"deprecatedCount", e.DeprecatedCount, o.DeprecatedCount},
	}
	for _, f := range immutable {
		errs = append(errs, apivalidation.ValidateImmutableField(f.new, f.old, field.NewPath(f.name))...)
	}
	// Sub-microsecond differences are tolerated: clients that serialise
	// MicroTime correctly truncate what the server stored with more digits.
	if !e.EventTime.Truncate(time.Microsecond).Equal(o.EventTime.Truncate(time.Microsecond)) {
		errs = append(errs, apivalidation.ValidateImmutableField(e.EventTime, o.EventTime, field.NewPath("eventTime"))...)
	}
	return errs
}

func seriesEqual(a, b *eventsv1.EventSeries) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Count == b.Count && a.LastObservedTime.Equal(&b.LastObservedTime)
}

// SelectableFields serves the events.k8s.io/v1 names (regarding.*,
// reportingController, ...) and the core/v1 names clients still use for
// the same fields (involvedObject.*, reportingComponent, source).
func (eventStrategy) SelectableFields(obj runtime.Object) fields.Set {
	e := obj.(*eventsv1.Event)
	set := registry.MetaFields(obj)
	r := e.Regarding
	source := e.DeprecatedSource.Component
	if source == "" {
		source = e.ReportingController
	}
	for _, prefix := range []string{"regarding.", "involvedObject."} {
		set[prefix+"kind"] = r.Kind
		set[prefix+"namespace"] = r.Namespace
		set[prefix+"name"] = r.Name
		set[prefix+"uid"] = string(r.UID)
		set[prefix+"apiVersion"] = r.APIVersion
		set[prefix+"resourceVersion"] = r.ResourceVersion
		set[prefix+"fieldPath"] = r.FieldPath
	}
	set["reason"] = e.Reason
	set["type"] = e.Type
	set["reportingController"] = e.ReportingController
	set["reportingComponent"] = e.ReportingController
	set["source"] = source
	return set
}
