package admission

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestWarnings(t *testing.T) {
	a := &Attributes{}
	if a.Warnings() != nil {
		t.Fatal("warnings before any")
	}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			a.AddWarning(fmt.Sprintf("w%d", i%5))
			a.AddWarning("")
		}(i)
	}
	wg.Wait()
	if got := a.Warnings(); len(got) != 5 {
		t.Errorf("warnings %q, want 5 distinct", got)
	}
	var nilAttrs *Attributes
	nilAttrs.AddWarning("x")
	if nilAttrs.Warnings() != nil {
		t.Error("nil attributes have warnings")
	}
}

func TestNewForbidden(t *testing.T) {
	pods := corev1.SchemeGroupVersion.WithResource("pods")
	tests := []struct {
		name string
		a    *Attributes
		err  error
		want string
	}{
		{"named", &Attributes{Resource: pods, Name: "web"}, fmt.Errorf("no"), `pods "web" is forbidden: no`},
		{"generateName", &Attributes{Resource: pods, Object: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{GenerateName: "web-"}}},
			fmt.Errorf("no"), `pods "web-" is forbidden: no`},
		{"unknown", &Attributes{Resource: pods}, fmt.Errorf("no"), `pods "Unknown" is forbidden: no`},
		{"already forbidden", &Attributes{Resource: pods, Name: "web"},
			apierrors.NewForbidden(corev1.Resource("secrets"), "s", fmt.Errorf("no")), `secrets "s" is forbidden: no`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := NewForbidden(tt.a, tt.err)
			if !apierrors.IsForbidden(err) || err.Error() != tt.want {
				t.Errorf("got %v", err)
			}
			if !strings.Contains(err.Error(), "forbidden") {
				t.Error("not a refusal")
			}
		})
	}
}

// TestWithWarnings: warnings of the admissions made under a context reach
// whoever answers the request.
func TestWithWarnings(t *testing.T) {
	ctx, warnings := WithWarnings(context.Background())
	if warnings() != nil {
		t.Fatal("warnings before any admission")
	}
	a, b := &Attributes{}, &Attributes{}
	CollectWarnings(ctx, a)
	CollectWarnings(ctx, b)
	CollectWarnings(context.Background(), &Attributes{}) // no collector: ignored
	a.AddWarning("one")
	b.AddWarning("two")
	b.AddWarning("one")
	if got := fmt.Sprint(warnings()); got != "[one two]" {
		t.Errorf("warnings %s", got)
	}
	if got := fmt.Sprint(WarningsFrom(ctx)); got != "[one two]" {
		t.Errorf("WarningsFrom %s", got)
	}
	if WarningsFrom(context.Background()) != nil {
		t.Error("warnings without a collector")
	}
}
