package webhook

import (
	"fmt"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var namespacesResource = schema.GroupResource{Resource: "namespaces"}

// callError is a webhook that could not be called or gave no usable
// answer: the case failurePolicy decides (Ignore skips the webhook, Fail
// refuses the write).
type callError struct {
	webhook string
	err     error
}

func (e *callError) Error() string {
	return fmt.Sprintf("failed calling webhook %q: %v", e.webhook, e.err)
}

func (e *callError) Unwrap() error { return e.err }

// refuse turns a failed call under failurePolicy Fail into the client's
// error: `Internal error occurred: failed calling webhook "x": ...`, 500.
func (e *callError) refuse() error { return apierrors.NewInternalError(e) }

// denied is a webhook's refusal as upstream words it: the webhook's own
// status (code at least 400) with its message prefixed by
// `admission webhook "x" denied the request`.
func denied(webhook string, result *metav1.Status) error {
	st := metav1.Status{Status: metav1.StatusFailure}
	if result != nil {
		st = *result.DeepCopy()
	}
	if st.Code < http.StatusBadRequest {
		st.Code = http.StatusBadRequest
	}
	if st.Status == "" || st.Status == metav1.StatusSuccess {
		st.Status = metav1.StatusFailure
	}
	prefix := fmt.Sprintf("admission webhook %q denied the request", webhook)
	switch {
	case st.Message != "":
		st.Message = prefix + ": " + st.Message
	case st.Reason != "":
		st.Message = prefix + ": " + string(st.Reason)
	default:
		st.Message = prefix + " without explanation"
	}
	return &apierrors.StatusError{ErrStatus: st}
}

// dryRunUnsupported refuses a dry-run write a webhook with side effects
// would see: it cannot be told the write is not real.
func dryRunUnsupported(webhook string) error {
	return apierrors.NewBadRequest(fmt.Sprintf("admission webhook %q does not support dry run", webhook))
}
