package registry

import (
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
)

// AgeColumn is the AGE column every kind shows last.
var AgeColumn = metav1.TableColumnDefinition{
	Name: "Age", Type: "string",
	Description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
}

// Column is a shorthand for a table column; wide columns (shown only with -o
// wide) have priority 1.
func Column(name, typ, description string, wide bool) metav1.TableColumnDefinition {
	c := metav1.TableColumnDefinition{Name: name, Type: typ, Description: description}
	if wide {
		c.Priority = 1
	}
	return c
}

// Age renders an object's age the way kubectl does ("5m", "3d").
func Age(obj runtime.Object) string {
	m, err := meta.Accessor(obj)
	if err != nil {
		return "<unknown>"
	}
	return HumanAge(m.GetCreationTimestamp())
}

// HumanAge renders the time since t, or <unknown> for a zero t.
func HumanAge(t metav1.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(t.Time))
}
