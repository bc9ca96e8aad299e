package webhook

import (
	"encoding/json"
	"fmt"
	"slices"

	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/uuid"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// reviewVersion picks the AdmissionReview version to send: the first of
// the webhook's list hanok speaks. v1beta1 has the same shape as v1, so
// only apiVersion differs on the wire.
func reviewVersion(versions []string) (string, error) {
	for _, v := range versions {
		if v == "v1" || v == "v1beta1" {
			return admissionv1.GroupName + "/" + v, nil
		}
	}
	return "", fmt.Errorf("webhook does not accept known AdmissionReview versions (v1, v1beta1), only %v", versions)
}

// newReview builds the AdmissionReview for one call. The object is
// encoded now, not once per write, as an earlier mutating webhook may have
// changed it.
func newReview(apiVersion string, a *admission.Attributes) (*admissionv1.AdmissionReview, error) {
	gvk := metav1.GroupVersionKind{Group: a.Kind.Group, Version: a.Kind.Version, Kind: a.Kind.Kind}
	gvr := metav1.GroupVersionResource{Group: a.Resource.Group, Version: a.Resource.Version, Resource: a.Resource.Resource}
	req := &admissionv1.AdmissionRequest{
		UID:  uuid.NewUUID(),
		Kind: gvk, Resource: gvr, SubResource: a.Subresource,
		// No conversion happens (see the package doc), so what was
		// requested is what is sent.
		RequestKind: &gvk, RequestResource: &gvr, RequestSubResource: a.Subresource,
		Name: a.Name, Namespace: a.Namespace,
		Operation: admissionv1.Operation(a.Operation),
		UserInfo:  userInfo(a),
		DryRun:    &a.DryRun,
	}
	var err error
	if req.Object, err = encode(a.Object, a.Kind); err != nil {
		return nil, err
	}
	if req.OldObject, err = encode(a.OldObject, a.Kind); err != nil {
		return nil, err
	}
	if req.Options, err = encodeOptions(a); err != nil {
		return nil, err
	}
	return &admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: apiVersion, Kind: "AdmissionReview"},
		Request:  req,
	}, nil
}

func userInfo(a *admission.Attributes) authenticationv1.UserInfo {
	if a.User == nil {
		return authenticationv1.UserInfo{}
	}
	u := authenticationv1.UserInfo{Username: a.User.Name, UID: a.User.UID, Groups: slices.Clone(a.User.Groups)}
	if len(a.User.Extra) > 0 {
		u.Extra = map[string]authenticationv1.ExtraValue{}
		for k, v := range a.User.Extra {
			u.Extra[k] = slices.Clone(v)
		}
	}
	return u
}

// encode writes obj as JSON with its apiVersion and kind, which typed
// objects in memory may not carry but webhooks decode by.
func encode(obj runtime.Object, gvk schema.GroupVersionKind) (runtime.RawExtension, error) {
	if obj == nil {
		return runtime.RawExtension{}, nil
	}
	obj = obj.DeepCopyObject()
	if obj.GetObjectKind().GroupVersionKind().Empty() {
		obj.GetObjectKind().SetGroupVersionKind(gvk)
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return runtime.RawExtension{}, fmt.Errorf("encoding %s for the webhook: %w", gvk.Kind, err)
	}
	return runtime.RawExtension{Raw: raw}, nil
}

// encodeOptions sends the request's options (CreateOptions, UpdateOptions,
// DeleteOptions), made up from the operation when the handler gave none,
// so a webhook can always read dryRun and the field manager from them.
func encodeOptions(a *admission.Attributes) (runtime.RawExtension, error) {
	opts := a.Options
	var dryRun []string
	if a.DryRun {
		dryRun = []string{metav1.DryRunAll}
	}
	if opts == nil {
		switch a.Operation {
		case admission.Create:
			opts = &metav1.CreateOptions{DryRun: dryRun}
		case admission.Update:
			opts = &metav1.UpdateOptions{DryRun: dryRun}
		case admission.Delete:
			opts = &metav1.DeleteOptions{DryRun: dryRun}
		default:
			return runtime.RawExtension{}, nil
		}
	}
	kind := ""
	switch opts.(type) {
	case *metav1.CreateOptions:
		kind = "CreateOptions"
	case *metav1.UpdateOptions:
		kind = "UpdateOptions"
	case *metav1.DeleteOptions:
		kind = "DeleteOptions"
	case *metav1.PatchOptions:
		kind = "PatchOptions"
	}
	if kind == "" {
		return encode(opts, schema.GroupVersionKind{})
	}
	return encode(opts, metav1.SchemeGroupVersion.WithKind(kind))
}

// checkResponse verifies an answer belongs to the request. For v1, as
// upstream: the same review version and kind, and the request's uid;
// v1beta1 answers were never held to that, and still are not.
func checkResponse(sent, got *admissionv1.AdmissionReview) error {
	if got.Response == nil {
		return fmt.Errorf("webhook response was absent")
	}
	if sent.APIVersion != admissionv1.SchemeGroupVersion.String() {
		return nil
	}
	if got.APIVersion != sent.APIVersion || got.Kind != "AdmissionReview" {
		return fmt.Errorf("expected webhook response of %s, Kind=AdmissionReview, got %s, Kind=%s", sent.APIVersion, got.APIVersion, got.Kind)
	}
	if got.Response.UID != sent.Request.UID {
		return fmt.Errorf("expected response.uid=%q, got %q", sent.Request.UID, got.Response.UID)
	}
	return nil
}
