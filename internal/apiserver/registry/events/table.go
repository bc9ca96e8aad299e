package events

import (
	"fmt"
	"strings"

	v1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// TableColumns are kubectl's event columns (upstream prints events.k8s.io
// events through the core printer): LAST SEEN TYPE REASON OBJECT MESSAGE,
// and with -o wide SUBOBJECT SOURCE FIRST SEEN COUNT. Upstream puts NAME
// last as a wide column; the handler always prints it first.
func (eventStrategy) TableColumns() []metav1.TableColumnDefinition {
	doc := v1.Event{}.SwaggerDoc()
	return []metav1.TableColumnDefinition{
		{Name: "Last Seen", Type: "string", Description: doc["lastTimestamp"]},
		{Name: "Type", Type: "string", Description: doc["type"]},
		{Name: "Reason", Type: "string", Description: doc["reason"]},
		{Name: "Object", Type: "string", Description: doc["involvedObject"]},
		{Name: "Subobject", Type: "string", Priority: 1, Description: v1.ObjectReference{}.SwaggerDoc()["fieldPath"]},
		{Name: "Source", Type: "string", Priority: 1, Description: doc["source"]},
		{Name: "Message", Type: "string", Description: doc["message"]},
		{Name: "First Seen", Type: "string", Priority: 1, Description: doc["firstTimestamp"]},
		{Name: "Count", Type: "string", Priority: 1, Description: doc["count"]},
	}
}

func (eventStrategy) TableRow(obj runtime.Object) []interface{} {
	e := obj.(*eventsv1.Event)
	first := registry.HumanAge(e.DeprecatedFirstTimestamp)
	if e.DeprecatedFirstTimestamp.IsZero() {
		first = microAge(e.EventTime)
	}
	last := registry.HumanAge(e.DeprecatedLastTimestamp)
	if e.DeprecatedLastTimestamp.IsZero() {
		last = first
	}
	count := e.DeprecatedCount
	if e.Series != nil {
		last, count = microAge(e.Series.LastObservedTime), e.Series.Count
	} else if count == 0 {
		count = 1 // a singleton event in the new API has no count
	}
	target := strings.ToLower(e.Regarding.Kind)
	if e.Regarding.Name != "" {
		target = fmt.Sprintf("%s/%s", target, e.Regarding.Name)
	}
	component, instance := e.DeprecatedSource.Component, e.DeprecatedSource.Host
	if component == "" {
		component = e.ReportingController
	}
	if instance == "" {
		instance = e.ReportingInstance
	}
	source := component
	if instance != "" {
		source += ", " + instance
	}
	return []interface{}{last, e.Type, e.Reason, target, e.Regarding.FieldPath, source, strings.TrimSpace(e.Note), first, int64(count)}
}

func microAge(t metav1.MicroTime) string {
	return registry.HumanAge(metav1.NewTime(t.Time))
}
