package events

import (
	"reflect"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func newEvent() *eventsv1.Event {
	return &eventsv1.Event{
		ObjectMeta:          meta("web-1.17f3"),
		EventTime:           metav1.NewMicroTime(time.Now().Add(-2 * time.Minute)),
		ReportingController: "hanok.dev/scheduler",
		ReportingInstance:   "scheduler-node-1",
		Action:              "Binding",
		Reason:              "Scheduled",
		Regarding:           v1.ObjectReference{Kind: "Pod", Namespace: "default", Name: "web-1", FieldPath: "spec.containers{web}"},
		Note:                "Successfully assigned default/web-1 to node-1 ",
		Type:                v1.EventTypeNormal,
	}
}

func TestEventValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*eventsv1.Event)
		want   []registrytest.WantErr
	}{
		{"valid", func(*eventsv1.Event) {}, nil},
		{"cluster-scoped object in default", func(e *eventsv1.Event) { e.Regarding = v1.ObjectReference{Kind: "Node", Name: "node-1"} }, nil},
		{"series", func(e *eventsv1.Event) {
			e.Series = &eventsv1.EventSeries{Count: 2, LastObservedTime: metav1.NewMicroTime(time.Now())}
		}, nil},
		{"other namespace", func(e *eventsv1.Event) { e.Regarding.Namespace = "kube-system" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "regarding.namespace"}}},
		{"no controller", func(e *eventsv1.Event) { e.ReportingController = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "reportingController"}}},
		{"no instance", func(e *eventsv1.Event) { e.ReportingInstance = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "reportingInstance"}}},
		{"no action", func(e *eventsv1.Event) { e.Action = "" }, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "action"}}},
		{"long reason", func(e *eventsv1.Event) { e.Reason = strings.Repeat("r", 129) }, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "reason"}}},
		{"long note", func(e *eventsv1.Event) { e.Note = strings.Repeat("n", 1025) }, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "note"}}},
		{"no time", func(e *eventsv1.Event) { e.EventTime = metav1.MicroTime{} }, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "eventTime"}}},
		{"bad type", func(e *eventsv1.Event) { e.Type = "Info" }, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "type"}}},
		{"deprecated count", func(e *eventsv1.Event) { e.DeprecatedCount = 3 }, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "deprecatedCount"}}},
		{"deprecated source", func(e *eventsv1.Event) { e.DeprecatedSource.Component = "kubelet" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "deprecatedSource"}}},
		{"short series", func(e *eventsv1.Event) { e.Series = &eventsv1.EventSeries{Count: 1} },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "series.count"}, {Type: field.ErrorTypeRequired, Field: "series.lastObservedTime"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEvent()
			tt.mutate(e)
			registrytest.CheckErrors(t, registrytest.Create(eventStrategy{}, e), tt.want...)
		})
	}
}

func TestEventUpdate(t *testing.T) {
	old := newEvent()
	e := old.DeepCopy()
	e.Series = &eventsv1.EventSeries{Count: 2, LastObservedTime: metav1.NewMicroTime(time.Now())}
	registrytest.CheckErrors(t, registrytest.Update(eventStrategy{}, e, old))
	e.Note = "something else"
	registrytest.CheckErrors(t, registrytest.Update(eventStrategy{}, e, old), registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "note"})
	e = old.DeepCopy()
	e.EventTime = metav1.NewMicroTime(old.EventTime.Add(300 * time.Nanosecond).Truncate(time.Microsecond))
	if old.EventTime.Truncate(time.Microsecond).Equal(e.EventTime.Time) {
		registrytest.CheckErrors(t, registrytest.Update(eventStrategy{}, e, old))
	}
	e.EventTime = metav1.NewMicroTime(old.EventTime.Add(time.Second))
	registrytest.CheckErrors(t, registrytest.Update(eventStrategy{}, e, old), registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "eventTime"})
}

func TestEventTableAndFields(t *testing.T) {
	want := []string{"Last Seen", "Type", "Reason", "Object", "Subobject*", "Source*", "Message", "First Seen*", "Count*"}
	if got := registrytest.ColumnNames(eventStrategy{}); !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v", got)
	}
	e := newEvent()
	registrytest.CheckTable(t, eventStrategy{}, e, []interface{}{"2m", "Normal", "Scheduled", "pod/web-1", "spec.containers{web}",
		"hanok.dev/scheduler, scheduler-node-1", "Successfully assigned default/web-1 to node-1", "2m", int64(1)})
	e.Series = &eventsv1.EventSeries{Count: 5, LastObservedTime: metav1.NewMicroTime(time.Now().Add(-10 * time.Second))}
	registrytest.CheckTable(t, eventStrategy{}, e, []interface{}{"10s", "Normal", "Scheduled", "pod/web-1", "spec.containers{web}",
		"hanok.dev/scheduler, scheduler-node-1", "Successfully assigned default/web-1 to node-1", "2m", int64(5)})

	f := eventStrategy{}.SelectableFields(e)
	for k, v := range map[string]string{"regarding.name": "web-1", "involvedObject.kind": "Pod", "reason": "Scheduled", "type": "Normal", "reportingController": "hanok.dev/scheduler", "source": "hanok.dev/scheduler"} {
		if f[k] != v {
			t.Errorf("field %s = %q, want %q", k, f[k], v)
		}
	}
}

func TestResources(t *testing.T) {
	rs := Resources()
	if len(rs) != 1 || rs[0].GroupVersion.String() != "events.k8s.io/v1" || rs[0].Plural != "events" ||
		!reflect.DeepEqual(rs[0].ShortNames, []string{"ev"}) || !rs[0].Namespaced {
		t.Errorf("%+v", rs)
	}
}
