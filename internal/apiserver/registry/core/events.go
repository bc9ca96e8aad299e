package core

import (
	"context"
	"fmt"
	"strings"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func events() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "Event",
		Plural: "events", Singular: "event", ShortNames: []string{"ev"},
		Namespaced: true,
		New:        func() runtime.Object { return &v1.Event{} },
		NewList:    func() runtime.Object { return &v1.EventList{} },
		Strategy:   eventStrategy{},
	}
}

// Length limits upstream applies to new-style events (those with eventTime).
const (
	eventReportingInstanceLimit = 128
	eventActionLimit            = 128
	eventReasonLimit            = 128
	eventNoteLimit              = 1024
)

type eventStrategy struct{ registry.Base }

func (eventStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	ev := obj.(*v1.Event)
	return append(validateMeta(&ev.ObjectMeta, true, subdomainName), validateEvent(ev)...)
}

func (eventStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	ev, oldEv := obj.(*v1.Event), old.(*v1.Event)
	return append(validateMetaUpdate(&ev.ObjectMeta, &oldEv.ObjectMeta, true, subdomainName), validateEvent(ev)...)
}

// validateEvent follows upstream's rules for core/v1 events: an event is
// about some object, lives in that object's namespace (or default, for
// cluster-scoped objects), and new-style events name who reported them.
func validateEvent(ev *v1.Event) field.ErrorList {
	var errs field.ErrorList
	io := ev.InvolvedObject
	ioPath := field.NewPath("involvedObject")
	if io.Kind == "" && io.Name == "" && io.UID == "" {
		errs = append(errs, field.Required(ioPath, "must identify the object the event is about"))
	}
	if ev.EventTime.IsZero() {
		if io.Namespace == "" {
			if ev.Namespace != metav1.NamespaceNone && ev.Namespace != metav1.NamespaceDefault {
				errs = append(errs, field.Invalid(ioPath.Child("namespace"), io.Namespace, "does not match event.namespace"))
			}
		} else if ev.Namespace != io.Namespace {
			errs = append(errs, field.Invalid(ioPath.Child("namespace"), io.Namespace, "does not match event.namespace"))
		}
		return errs
	}
	if io.Namespace == "" && ev.Namespace != metav1.NamespaceDefault && ev.Namespace != metav1.NamespaceSystem {
		errs = append(errs, field.Invalid(ioPath.Child("namespace"), io.Namespace, "does not match event.namespace"))
	}
	rc := field.NewPath("reportingComponent")
	if ev.ReportingController == "" {
		errs = append(errs, field.Required(rc, ""))
	} else {
		for _, msg := range utilvalidation.IsQualifiedName(ev.ReportingController) {
			errs = append(errs, field.Invalid(rc, ev.ReportingController, msg))
		}
	}
	for _, l := range []struct {
		name     string
		value    string
		required bool
		limit    int
	}{
		{"reportingInstance", ev.ReportingInstance, true, eventReportingInstanceLimit},
		{"action", ev.Action, true, eventActionLimit},
		{"reason", ev.Reason, true, eventReasonLimit},
		{"message", ev.Message, false, eventNoteLimit},
	} {
		if l.required && l.value == "" {
			errs = append(errs, field.Required(field.NewPath(l.name), ""))
		}
		if len(l.value) > l.limit {
			errs = append(errs, field.Invalid(field.NewPath(l.name), "", fmt.Sprintf("can have at most %v characters", l.limit)))
		}
	}
	return errs
}

// SelectableFields are upstream's event field selectors; kubectl describe
// finds an object's events by involvedObject.*.
func (eventStrategy) SelectableFields(obj runtime.Object) fields.Set {
	ev := obj.(*v1.Event)
	source := ev.Source.Component
	if source == "" {
		source = ev.ReportingController
	}
	f := registry.MetaFields(obj)
	f["involvedObject.kind"] = ev.InvolvedObject.Kind
	f["involvedObject.namespace"] = ev.InvolvedObject.Namespace
	f["involvedObject.name"] = ev.InvolvedObject.Name
	f["involvedObject.uid"] = string(ev.InvolvedObject.UID)
	f["involvedObject.apiVersion"] = ev.InvolvedObject.APIVersion
	f["involvedObject.resourceVersion"] = ev.InvolvedObject.ResourceVersion
	f["involvedObject.fieldPath"] = ev.InvolvedObject.FieldPath
	f["reason"] = ev.Reason
	f["reportingComponent"] = ev.ReportingController
	f["source"] = source
	f["type"] = ev.Type
	return f
}

// TableColumns are upstream's, with NAME last and wide; its "name" format
// tells the handler not to put NAME first.
func (eventStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded.", false),
		registry.Column("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future", false),
		registry.Column("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", false),
		registry.Column("Object", "string", "The object that this event is about.", false),
		registry.Column("Subobject", "string", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.", true),
		registry.Column("Source", "string", "The component reporting this event. Should be a short machine understandable string.", true),
		registry.Column("Message", "string", "A human-readable description of the status of this operation.", false),
		registry.Column("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", true),
		registry.Column("Count", "string", "The number of times this event has occurred.", true),
		{Name: "Name", Type: "string", Format: "name", Priority: 1, Description: "The name of the event."},
	}
}

func (eventStrategy) TableRow(obj runtime.Object) []interface{} {
	ev := obj.(*v1.Event)
	first := registry.HumanAge(ev.FirstTimestamp)
	if ev.FirstTimestamp.IsZero() {
		first = microAge(ev.EventTime)
	}
	last := registry.HumanAge(ev.LastTimestamp)
	if ev.LastTimestamp.IsZero() {
		last = first
	}
	count := ev.Count
	if ev.Series != nil {
		last = microAge(ev.Series.LastObservedTime)
		count = ev.Series.Count
	} else if count == 0 {
		count = 1 // new-style singleton events carry no count
	}
	target := strings.ToLower(ev.InvolvedObject.Kind)
	if ev.InvolvedObject.Name != "" {
		target += "/" + ev.InvolvedObject.Name
	}
	return []interface{}{
		last, ev.Type, ev.Reason, target, ev.InvolvedObject.FieldPath,
		eventSource(ev), strings.TrimSpace(ev.Message), first, int64(count), ev.Name,
	}
}

func microAge(t metav1.MicroTime) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return registry.HumanAge(metav1.NewTime(t.Time))
}

// eventSource is "component, host", falling back to the new-style
// reporting fields.
func eventSource(ev *v1.Event) string {
	component, host := ev.Source.Component, ev.Source.Host
	if component == "" {
		component = ev.ReportingController
	}
	if host == "" {
		host = ev.ReportingInstance
	}
	if host == "" {
		return component
	}
	return component + ", " + host
}
