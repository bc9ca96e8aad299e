package storage

import (
	"errors"
	"fmt"
	"path"
	"strconv"

	rpctypes "go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Messages clients (and client-go's retry helpers) know from upstream; kept
// word for word.
const (
	// OptimisticLockErrorMsg is the Conflict message for an update carrying
	// a stale resourceVersion.
	OptimisticLockErrorMsg = "the object has been modified; please apply your changes to the latest version and try again"

	listExpiredMsg     = "The resourceVersion for the provided list is too old."
	watchExpiredMsg    = "The resourceVersion for the provided watch is too old."
	continueExpiredMsg = "The provided continue parameter is too old to display a consistent list result. " +
		"You can start a new list without the continue parameter."
	inconsistentContinueMsg = "The provided continue parameter is too old to display a consistent list result. " +
		"You can start a new list without the continue parameter, or use the continue token in this response to " +
		"retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - " +
		"objects that were created, modified, or deleted between the time the first chunk was returned " +
		"and now may show up in the list."
	tooLargeResourceVersionCauseMsg = "Too large resource version"
)

// errTimeout is what waitForRev returns when the cache did not catch up in
// time; callers turn it into the error that fits the request.
var errTimeout = errors.New("timed out waiting for the watch cache")

// nameFromKey is the last key segment, the object's name, for error messages.
func nameFromKey(key string) string {
	return path.Base(key)
}

// newTooLargeResourceVersionError is upstream's 504 for a resourceVersion
// the server has not reached; client-go's reflector recognises the cause and
// retries instead of giving up.
func newTooLargeResourceVersionError(minimum, current int64, retrySeconds int) error {
	err := apierrors.NewTimeoutError(fmt.Sprintf("Too large resource version: %d, current: %d", minimum, current), retrySeconds)
	err.ErrStatus.Details.Causes = []metav1.StatusCause{{
		Type:    metav1.CauseTypeResourceVersionTooLarge,
		Message: tooLargeResourceVersionCauseMsg,
	}}
	return err
}

// newTooOldResourceVersionError is the watch cache's 410 for a watch
// starting before the oldest event it still holds.
func newTooOldResourceVersionError(requested, oldest int64) error {
	return apierrors.NewResourceExpired(fmt.Sprintf("too old resource version: %d (%d)", requested, oldest))
}

// parseResourceVersion reads a resourceVersion parameter; "" is 0.
func parseResourceVersion(rv string) (int64, error) {
	if rv == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(rv, 10, 64)
	if err != nil || n < 0 {
		return 0, apierrors.NewBadRequest(fmt.Sprintf("invalid resourceVersion %q: must be a non-negative integer", rv))
	}
	return n, nil
}

// isCompacted tells whether err is etcd's "required revision has been
// compacted".
func isCompacted(err error) bool {
	return errors.Is(err, rpctypes.ErrCompacted) || (err != nil && err.Error() == rpctypes.ErrCompacted.Error())
}
