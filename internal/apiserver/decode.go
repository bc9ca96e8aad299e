package apiserver

import (
	"fmt"
	"io"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// maxBodyBytes bounds a request body, as upstream's 3 MiB limit does.
const maxBodyBytes = 3 * 1024 * 1024

// fieldValidation reads the fieldValidation query parameter: Strict fails on
// unknown or duplicate fields, Warn (the default, as upstream) reports them
// as warnings, Ignore drops them silently.
func fieldValidation(r *http.Request) (string, error) {
	switch v := r.URL.Query().Get("fieldValidation"); v {
	case "":
		return "Warn", nil
	case "Strict", "Warn", "Ignore":
		return v, nil
	default:
		return "", badRequest("fieldValidation must be one of Ignore, Warn or Strict, got %q", v)
	}
}

// readBody reads a request body up to maxBodyBytes.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, badRequest("reading request body: %v", err)
	}
	if len(body) > maxBodyBytes {
		return nil, requestTooLarge()
	}
	return body, nil
}

// decodeObject decodes body (of the request's Content-Type) into into,
// which must be the resource's type. Unknown and duplicate fields are
// errors, warnings or ignored according to validation. A body whose
// apiVersion/kind name another type is refused with 400.
func decodeObject(r *http.Request, body []byte, gvk schema.GroupVersionKind, into runtime.Object, validation string) ([]string, error) {
	info, ok := negotiateInput(r)
	if !ok {
		return nil, unsupportedMediaType(r.Header.Get("Content-Type"))
	}
	return decodeWith(info, body, gvk, into, validation)
}

func decodeWith(info runtime.SerializerInfo, body []byte, gvk schema.GroupVersionKind, into runtime.Object, validation string) ([]string, error) {
	if len(body) == 0 {
		return nil, badRequest("the request body is empty: expected a %s object", gvk.Kind)
	}
	dec := info.Serializer
	if validation != "Ignore" && info.StrictSerializer != nil {
		dec = info.StrictSerializer
	}
	obj, got, err := dec.Decode(body, &gvk, into)
	var warnings []string
	if err != nil {
		strictErr, isStrict := runtime.AsStrictDecodingError(err)
		switch {
		case !isStrict:
			return nil, badRequest("the object provided is unrecognized or malformed: %v", err)
		case validation == "Strict":
			return nil, badRequest("%v", err)
		case validation == "Warn":
			for _, e := range strictErr.Errors() {
				warnings = append(warnings, e.Error())
			}
		}
		// Ignore: the codecs are built with EnableStrict, so even the
		// plain serializer reports unknown fields; they are dropped here.
	}
	if err := kindMismatch(got, gvk); err != nil {
		return nil, err
	}
	if obj != into {
		return nil, badRequest("the object provided is of type %T, expected %T", obj, into)
	}
	return warnings, nil
}

// kindMismatch refuses a body whose apiVersion/kind name another type than
// the URL's resource.
func kindMismatch(got *schema.GroupVersionKind, want schema.GroupVersionKind) error {
	if got == nil || *got == want {
		return nil
	}
	if got.Kind != want.Kind {
		return badRequest("the kind in the data (%s) does not match the expected kind (%s)", got.Kind, want.Kind)
	}
	return badRequest("the API version in the data (%s) does not match the expected API version (%s)",
		got.GroupVersion().String(), want.GroupVersion().String())
}

func requestTooLarge() error {
	return apierrors.NewRequestEntityTooLargeError(fmt.Sprintf("limit is %d", maxBodyBytes))
}
