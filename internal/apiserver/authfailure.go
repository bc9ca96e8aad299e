package apiserver

import (
	"net/http"

	"github.com/sirupsen/logrus"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// authenticationFailed is the answer to a request whose credential was
// refused: 401 "Unauthorized" and nothing more, as upstream answers, since
// the cause (expired, forged, revoked, wrong CA) would help whoever is
// guessing credentials; it goes to the debug log instead. A plugin that
// could not decide at all (503 while the token caches fill) says so with a
// Status error, which is passed on as it is.
func authenticationFailed(r *http.Request, err error) error {
	if status := statusError(err); status != nil {
		return status
	}
	logrus.WithField("component", "apiserver").WithField("path", r.URL.Path).
		WithError(err).Debug("authentication failed")
	return apierrors.NewUnauthorized("Unauthorized")
}

// statusError returns err when a pipeline plugin answered 503 Service
// Unavailable (it could not decide yet: its caches are still filling), which
// is passed on as it is; nil for every other error, which means "refused".
func statusError(err error) error {
	if err != nil && apierrors.IsServiceUnavailable(err) {
		return err
	}
	return nil
}
