package apiserver

import (
	apidiscoveryv2 "k8s.io/api/apidiscovery/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// Scheme knows every type the server speaks: all of k8s.io/api's groups,
// meta.k8s.io/v1 (Table, PartialObjectMetadata), aggregated discovery and
// metrics.k8s.io/v1beta1 (served from the kubelets' summaries).
var Scheme = newScheme()

// Codecs are the scheme's serializers: JSON, YAML and protobuf, each with a
// strict variant for fieldValidation=Strict.
var Codecs = serializer.NewCodecFactory(Scheme, serializer.EnableStrict)

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	metav1.AddToGroupVersion(s, schema.GroupVersion{Version: "v1"})
	// Clients send DeleteOptions and friends as meta.k8s.io/v1 too.
	metav1.AddToGroupVersion(s, metav1.SchemeGroupVersion)
	if err := metav1.AddMetaToScheme(s); err != nil {
		panic(err)
	}
	if err := apidiscoveryv2.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := metricsv1beta1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}
