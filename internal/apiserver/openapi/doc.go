// Package openapi serves hanok's OpenAPI documents and gives the API server
// the schema-driven pieces that need them.
//
//   - GET /openapi/v2: one swagger 2.0 document for every served resource,
//     in JSON or in gnostic's protobuf form (kubectl asks for the latter).
//   - GET /openapi/v3 and /openapi/v3/<api|apis/group>/<version>: the
//     OpenAPI 3.0 index and one document per group-version. kubectl reads
//     these for `kubectl explain`, for client-side apply's patch strategies,
//     and to learn that the server validates fields (the fieldValidation
//     query parameter on PATCH).
//   - Service.TypeConverter: the structured-merge-diff type converter that
//     server-side apply and managedFields tracking run on.
//
// The schemas themselves are not written by hand: zz_generated.openapi.go is
// kube-openapi's openapi-gen output for the k8s.io/api and apimachinery
// packages hanok serves (see generate.sh). What this package adds is what
// upstream's go-restful route tables would add: the paths and parameters of
// each registry.Resource, and the x-kubernetes-group-version-kind extension
// that ties a definition to its kind.
//
// Everything is built lazily on first use and cached, and only the
// compressed bytes of the documents are kept, so a server nobody asks for
// OpenAPI pays neither start-up time nor memory for it.
package openapi

//go:generate sh generate.sh
