package apiserver_test

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// minimalObjects are the smallest valid object of every served kind (the
// body below apiVersion/kind/metadata), by "group/version/resource". A
// served kind missing here fails TestCRUDEveryKind, so a new kind gets a
// fixture (and thereby CRUD coverage) when it is added.
var minimalObjects = map[string]string{
	"/v1/namespaces": ``,
	"/v1/pods": `
spec:
  containers: [{name: c, image: busybox}]`,
	"/v1/services": `
spec:
  ports: [{port: 80}]`,
	"/v1/endpoints": `
subsets:
- addresses: [{ip: 10.1.2.3}]
  ports: [{port: 80}]`,
	"/v1/nodes":           ``,
	"/v1/configmaps":      `data: {k: v}`,
	"/v1/secrets":         `stringData: {k: v}`,
	"/v1/serviceaccounts": ``,
	"/v1/events": `
involvedObject: {kind: Pod, name: p, namespace: NAMESPACE}
reason: Test
message: hello`,
	"/v1/persistentvolumes": `
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /tmp/pv}`,
	"/v1/persistentvolumeclaims": `
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}`,
	"/v1/limitranges": `
spec:
  limits: [{type: Container, default: {cpu: 100m}}]`,
	"/v1/resourcequotas": `
spec:
  hard: {pods: "10"}`,
	"/v1/podtemplates": `
template:
  spec:
    containers: [{name: c, image: busybox}]`,
	"/v1/replicationcontrollers": `
spec:
  replicas: 1
  selector: {app: a}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: c, image: busybox}]`,
	"apps/v1/deployments": `
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: c, image: busybox}]`,
	"apps/v1/replicasets": `
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: c, image: busybox}]`,
	"apps/v1/statefulsets": `
spec:
  serviceName: s
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: c, image: busybox}]`,
	"apps/v1/daemonsets": `
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: c, image: busybox}]`,
	"apps/v1/controllerrevisions": `
revision: 1
data: {}`,
	"events.k8s.io/v1/events": `
eventTime: "2024-01-01T00:00:00.000000Z"
reportingController: example.com/test
reportingInstance: test-1
action: Testing
reason: Test
type: Normal
regarding: {kind: Pod, name: p, namespace: NAMESPACE}`,
	"batch/v1/jobs": `
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]`,
	"batch/v1/cronjobs": `
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox}]`,
	"networking.k8s.io/v1/ingresses": `
spec:
  defaultBackend: {service: {name: s, port: {number: 80}}}`,
	"networking.k8s.io/v1/ingressclasses": `
spec: {controller: example.com/ingress}`,
	"networking.k8s.io/v1/networkpolicies": `
spec: {podSelector: {}}`,
	"policy/v1/poddisruptionbudgets": `
spec:
  minAvailable: 1
  selector: {matchLabels: {app: a}}`,
	"rbac.authorization.k8s.io/v1/roles": `
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]`,
	"rbac.authorization.k8s.io/v1/rolebindings": `
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: alice}]`,
	"rbac.authorization.k8s.io/v1/clusterroles": `
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]`,
	"rbac.authorization.k8s.io/v1/clusterrolebindings": `
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: alice}]`,
	"storage.k8s.io/v1/storageclasses": `provisioner: example.com/disk`,
	"storage.k8s.io/v1/csidrivers":     `spec: {attachRequired: false}`,
	"storage.k8s.io/v1/csinodes": `
spec:
  drivers: [{name: example.com.disk, nodeID: node-1, topologyKeys: [topology.kubernetes.io/zone]}]`,
	"storage.k8s.io/v1/csistoragecapacities": `
storageClassName: standard
capacity: 10Gi`,
	"storage.k8s.io/v1/volumeattachments": `
spec:
  attacher: example.com.disk
  nodeName: node-1
  source: {persistentVolumeName: pv-1}`,
	"resource.k8s.io/v1/deviceclasses": `
spec:
  selectors: [{cel: {expression: 'device.driver == "gpu.example.com"'}}]`,
	"resource.k8s.io/v1/resourceclaims": `
spec:
  devices:
    requests: [{name: gpu, exactly: {deviceClassName: gpu.example.com}}]`,
	"resource.k8s.io/v1/resourceclaimtemplates": `
spec:
  spec:
    devices:
      requests: [{name: gpu, exactly: {deviceClassName: gpu.example.com}}]`,
	"resource.k8s.io/v1/resourceslices": `
spec:
  driver: gpu.example.com
  pool: {name: node-1, generation: 1, resourceSliceCount: 1}
  nodeName: node-1
  devices: [{name: gpu-0}]`,
	"resource.k8s.io/v1/devicetaintrules": `
spec:
  deviceSelector: {driver: gpu.example.com}
  taint: {key: example.com/broken, effect: NoSchedule}`,
	"scheduling.k8s.io/v1/priorityclasses": `value: 1000`,
	"coordination.k8s.io/v1/leases": `
spec: {holderIdentity: me, leaseDurationSeconds: 15}`,
	"admissionregistration.k8s.io/v1/validatingwebhookconfigurations": `
webhooks:
- name: check.example.com
  clientConfig: {url: "https://example.com/check"}
  sideEffects: None
  admissionReviewVersions: [v1]`,
	"admissionregistration.k8s.io/v1/mutatingwebhookconfigurations": `
webhooks:
- name: mutate.example.com
  clientConfig: {url: "https://example.com/mutate"}
  sideEffects: None
  admissionReviewVersions: [v1]`,
	"discovery.k8s.io/v1/endpointslices": `
addressType: IPv4
endpoints: [{addresses: [10.1.2.3]}]
ports: [{port: 80}]`,
}

func resourceKey(res *registry.Resource) string {
	return res.GroupVersion.Group + "/" + res.GroupVersion.Version + "/" + res.Plural
}

func gvrOf(res *registry.Resource) schema.GroupVersionResource {
	return res.GroupVersionResource()
}

// minimalObject returns the fixture of res named name in namespace ns
// (ignored for cluster-scoped kinds).
func minimalObject(t testing.TB, res *registry.Resource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	body, ok := minimalObjects[resourceKey(res)]
	if !ok {
		t.Fatalf("no fixture for %s: add one to minimalObjects", resourceKey(res))
	}
	obj := &unstructured.Unstructured{Object: map[string]interface{}{}}
	if body != "" {
		if err := yaml.Unmarshal([]byte(strings.ReplaceAll(body, "NAMESPACE", ns)), &obj.Object); err != nil {
			t.Fatalf("fixture %s: %v", resourceKey(res), err)
		}
	}
	obj.SetGroupVersionKind(res.GroupVersionKind())
	obj.SetName(name)
	// A label gives every kind at least one field its manager owns.
	obj.SetLabels(map[string]string{"fixture": "minimal"})
	if res.Namespaced {
		obj.SetNamespace(ns)
	}
	return obj
}
