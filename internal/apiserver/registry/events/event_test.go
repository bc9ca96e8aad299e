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
		want   []wantErr
	}{
		{"valid", func(*eventsv1.Event) {}, nil},
		{"cluster-scoped object in default", func(e *eventsv1.Event) { e.Regarding = v1.ObjectReference{Kind: "Node", Name: "node-1"} }, nil},
		{"series", func(e *eventsv1.Event) {
			e.Series = &eventsv1.EventSeries{Count: 2, LastObservedTime: metav1.NewMicroTime(time.Now())}
		}, nil},
		{"other namespace", func(e *eventsv1.Event) { e.Regarding.Namespace = "kube-system" },
			[]wantErr{{field.ErrorTypeInvalid, "regarding.namespace"}}},
		{"no controller", func(e *eventsv1.Event) { e.ReportingController = "" },
			[]wantErr{{field.ErrorTypeRequired, "reportingController"}}},
		{"no instance", func(e *eventsv1.Event) { e.ReportingInstance = "" },
			[]wantErr{{field.ErrorTypeRequired, "reportingInstance"}}},
		{"no action", func(e *eventsv1.Event) { e.Action = "" }, []wantErr{{field.ErrorTypeRequired, "action"}}},
		{"long reason", func(e *eventsv1.Event) { e.Reason = strings.Repeat("r", 129) }, []wantErr{{field.ErrorTypeInvalid, "reason"}}},
		{"long note", func(e *eventsv1.Event) { e.Note = strings.Repeat("n", 1025) }, []wantErr{{field.ErrorTypeInvalid, "note"}}},
		{"no time", func(e *eventsv1.Event) { e.EventTime = metav1.MicroTime{} }, []wantErr{{field.ErrorTypeRequired, "eventTime"}}},
		{"bad type", func(e *eventsv1.Event) { e.Type = "Info" }, []wantErr{{field.ErrorTypeInvalid, "type"}}},
		{"deprecated count", func(e *eventsv1.Event) { e.DeprecatedCount = 3 }, []wantErr{{field.ErrorTypeInvalid, "deprecatedCount"}}},
		{"deprecated source", func(e *eventsv1.Event) { e.DeprecatedSource.Component = "kubelet" },
			[]wantErr{{field.ErrorTypeInvalid, "deprecatedSource"}}},
		{"short series", func(e *eventsv1.Event) { e.Series = &eventsv1.EventSeries{Count: 1} },
			[]wantErr{{field.ErrorTypeInvalid, "series.count"}, {field.ErrorTypeRequired, "series.lastObservedTime"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEvent()
			tt.mutate(e)
			checkErrors(t, create(eventStrategy{}, e), tt.want...)
		})
	}
}

func TestEventUpdate(t *testing.T) {
	old := newEvent()
	e := old.DeepCopy()
	e.Series = &eventsv1.EventSeries{Count: 2, LastObservedTime: metav1.NewMicroTime(time.Now())}
	checkErrors(t, update(eventStrategy{}, e, old))
	e.Note = "something else"
	checkErrors(t, update(eventStrategy{}, e, old), wantErr{field.ErrorTypeInvalid, "note"})
	e = old.DeepCopy()
	e.EventTime = metav1.NewMicroTime(old.EventTime.Add(300 * time.Nanosecond).Truncate(time.Microsecond))
	if old.EventTime.Truncate(time.Microsecond).Equal(e.EventTime.Time) {
		checkErrors(t, update(eventStrategy{}, e, old))
	}
	e.EventTime = metav1.NewMicroTime(old.EventTime.Add(time.Second))
	checkErrors(t, update(eventStrategy{}, e, old), wantErr{field.ErrorTypeInvalid, "eventTime"})
}

func TestEventTableAndFields(t *testing.T) {
	want := []string{"Last Seen", "Type", "Reason", "Object", "Subobject*", "Source*", "Message", "First Seen*", "Count*"}
	if got := columnNames(eventStrategy{}); !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v", got)
	}
	e := newEvent()
	checkTable(t, eventStrategy{}, e, []interface{}{"2m", "Normal", "Scheduled", "pod/web-1", "spec.containers{web}",
		"hanok.dev/scheduler, scheduler-node-1", "Successfully assigned default/web-1 to node-1", "2m", int64(1)})
	e.Series = &eventsv1.EventSeries{Count: 5, LastObservedTime: metav1.NewMicroTime(time.Now().Add(-10 * time.Second))}
	checkTable(t, eventStrategy{}, e, []interface{}{"10s", "Normal", "Scheduled", "pod/web-1", "spec.containers{web}",
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
