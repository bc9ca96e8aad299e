package quota

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var deployments = schema.GroupResource{Group: "apps", Resource: "deployments"}

func TestObjectCountName(t *testing.T) {
	tests := []struct {
		gr     schema.GroupResource
		want   corev1.ResourceName
		legacy corev1.ResourceName
	}{
		{gr: PodsResource, want: "count/pods", legacy: "pods"},
		{gr: corev1.Resource("configmaps"), want: "count/configmaps", legacy: "configmaps"},
		{gr: corev1.Resource("resourcequotas"), want: "count/resourcequotas", legacy: "resourcequotas"},
		{gr: deployments, want: "count/deployments.apps"},
		{gr: schema.GroupResource{Group: "v1.example.com", Resource: "widgets"}, want: "count/widgets.v1.example.com"},
	}
	for _, tt := range tests {
		if got := ObjectCountName(tt.gr); got != tt.want {
			t.Errorf("ObjectCountName(%v) = %s, want %s", tt.gr, got, tt.want)
		}
		legacy, ok := LegacyCountName(tt.gr)
		if legacy != tt.legacy || ok != (tt.legacy != "") {
			t.Errorf("LegacyCountName(%v) = %s %v, want %s", tt.gr, legacy, ok, tt.legacy)
		}
		// The way back.
		if gr, ok := ResourceFor(tt.want); !ok || gr != tt.gr {
			t.Errorf("ResourceFor(%s) = %v %v", tt.want, gr, ok)
		}
	}
}

func TestTracksAndResourceFor(t *testing.T) {
	tests := []struct {
		name corev1.ResourceName
		gr   schema.GroupResource // zero: no evaluator tracks it
	}{
		{name: "count/deployments.apps", gr: deployments},
		{name: "count/pods", gr: PodsResource},
		{name: "pods", gr: PodsResource},
		{name: "cpu", gr: PodsResource},
		{name: "requests.memory", gr: PodsResource},
		{name: "limits.ephemeral-storage", gr: PodsResource},
		{name: "hugepages-2Mi", gr: PodsResource},
		{name: "requests.hugepages-1Gi", gr: PodsResource},
		{name: "requests.nvidia.com/gpu", gr: PodsResource},
		{name: "services", gr: ServicesResource},
		{name: "count/services", gr: ServicesResource},
		{name: "services.nodeports", gr: ServicesResource},
		{name: "services.loadbalancers", gr: ServicesResource},
		{name: "persistentvolumeclaims", gr: ClaimsResource},
		{name: "requests.storage", gr: ClaimsResource},
		{name: "gold.storageclass.storage.k8s.io/persistentvolumeclaims", gr: ClaimsResource},
		{name: "gold.storageclass.storage.k8s.io/requests.storage", gr: ClaimsResource},
		{name: "secrets", gr: corev1.Resource("secrets")},
		{name: "resourcequotas", gr: corev1.Resource("resourcequotas")},
		// Extended resources are quota'd by request only, and
		// kubernetes.io names are not extended.
		{name: "limits.nvidia.com/gpu"},
		{name: "nvidia.com/gpu"},
		{name: "requests.foo.kubernetes.io/bar"},
		{name: "limits.hugepages-2Mi"},
		{name: "gold.storageclass.storage.k8s.io/snapshots"},
		{name: "something.odd"},
		{name: "count/"},
	}
	for _, tt := range tests {
		gr, ok := ResourceFor(tt.name)
		if want := tt.gr != (schema.GroupResource{}); ok != want || gr != tt.gr {
			t.Errorf("ResourceFor(%s) = %v %v, want %v", tt.name, gr, ok, tt.gr)
		}
		for _, other := range []schema.GroupResource{PodsResource, ServicesResource, ClaimsResource, deployments, corev1.Resource("secrets")} {
			if got, want := Tracks(other, tt.name), other == tt.gr; got != want {
				t.Errorf("Tracks(%v, %s) = %v, want %v", other, tt.name, got, want)
			}
		}
	}
}
