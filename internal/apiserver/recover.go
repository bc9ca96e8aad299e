package apiserver

import (
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/sirupsen/logrus"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// recoverPanic turns a panic in a request's handling into a 500 Status and
// a log line with the stack, as upstream's panic filter does: without it
// net/http resets the stream (HTTP/2) or drops the connection, and the
// client sees a transport error instead of an answer it can report. It
// must be deferred directly by ServeHTTP.
func recoverPanic(w http.ResponseWriter, r *http.Request) {
	p := recover()
	if p == nil {
		return
	}
	if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
		panic(p) // the deliberate way to abort a response (e.g. a cut watch)
	}
	logrus.WithField("component", "apiserver").WithField("path", r.URL.Path).
		Errorf("panic serving %s %s: %v\n%s", r.Method, r.URL.Path, p, debug.Stack())
	writeError(w, r, apierrors.NewInternalError(fmt.Errorf("this request caused the API server to panic; its log has the details")))
}
