package apiserver

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/sirupsen/logrus"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var statusGVK = schema.GroupVersion{Version: "v1"}.WithKind("Status")

// writeError answers with a Kubernetes Status carrying the error's code,
// reason and causes; anything not already an API error becomes a 500 whose
// message still says what went wrong.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	warn(w, admission.WarningsFrom(r.Context()))
	var status metav1.Status
	var apiStatus apierrors.APIStatus
	if errors.As(err, &apiStatus) {
		status = apiStatus.Status()
	} else {
		status = apierrors.NewInternalError(err).Status()
		logrus.WithField("component", "apiserver").WithField("path", r.URL.Path).Errorf("internal error: %v", err)
	}
	if status.Status == "" {
		status.Status = metav1.StatusFailure
	}
	if status.Code == 0 {
		status.Code = http.StatusInternalServerError
	}
	status.SetGroupVersionKind(statusGVK)
	format, ok := negotiateOutput(r)
	if !ok || format.info.MediaType == "application/yaml" {
		// Errors to YAML-only clients still go as JSON: every client parses it.
		format, _ = negotiateOutput(&http.Request{Header: http.Header{}, URL: r.URL})
	}
	writeObjectWithFormat(w, int(status.Code), format, &status)
}

// writeObjectWithFormat encodes obj (whose GVK must be set) in the chosen
// format.
func writeObjectWithFormat(w http.ResponseWriter, code int, format outputFormat, obj runtime.Object) {
	enc := format.info.Serializer
	if format.pretty && format.info.PrettySerializer != nil {
		enc = format.info.PrettySerializer
	}
	var buf bytes.Buffer
	if err := enc.Encode(obj, &buf); err != nil {
		if _, isStatus := obj.(*metav1.Status); isStatus {
			http.Error(w, fmt.Sprintf("encoding response: %v", err), http.StatusInternalServerError)
			return
		}
		st := apierrors.NewInternalError(fmt.Errorf("encoding response: %w", err)).Status()
		st.SetGroupVersionKind(statusGVK)
		writeObjectWithFormat(w, http.StatusInternalServerError, jsonFormat(), &st)
		return
	}
	w.Header().Set("Content-Type", format.contentType())
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// badRequest, notAcceptable and friends build the errors the handler uses
// most, with upstream's wording.
func badRequest(format string, args ...interface{}) error {
	return apierrors.NewBadRequest(fmt.Sprintf(format, args...))
}

func notAcceptable() error {
	return apierrors.NewGenericServerResponse(http.StatusNotAcceptable, "", schema.GroupResource{}, "",
		"only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf", 0, false)
}

func unsupportedMediaType(ct string) error {
	return apierrors.NewGenericServerResponse(http.StatusUnsupportedMediaType, "", schema.GroupResource{}, "",
		fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/apply-patch+yaml (got %q)", ct), 0, false)
}

// jsonFormat is plain JSON, the format every client reads.
func jsonFormat() outputFormat {
	return outputFormat{info: jsonInfo()}
}
