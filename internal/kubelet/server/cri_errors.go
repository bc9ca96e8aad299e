package server

import (
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// isNotFound reports whether a CRI call failed because the object is gone.
func isNotFound(err error) bool {
	return status.Code(err) == codes.NotFound
}

// criErrorStatus maps a failed CRI call to the HTTP status to answer.
func criErrorStatus(err error) int {
	switch status.Code(err) {
	case codes.NotFound:
		return http.StatusNotFound
	case codes.InvalidArgument, codes.FailedPrecondition:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}
