package bootstrappolicy

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func metaOf(o runtime.Object) (metav1.Object, error) { return meta.Accessor(o) }

func typeName(o runtime.Object) string { return fmt.Sprintf("%T", o) }
