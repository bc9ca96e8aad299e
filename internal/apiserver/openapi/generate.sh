#!/bin/sh
# Regenerates zz_generated.openapi.go: the OpenAPI definitions of every type
# hanok serves, written by kube-openapi's openapi-gen from the Go sources of
# k8s.io/api and k8s.io/apimachinery (the versions pinned in go.mod).
#
# Run through `go generate ./internal/apiserver/openapi/` (see doc.go).
# To serve a new group-version, add its package below and rerun; openapi.New
# refuses resources whose kinds have no definition, naming this file.
# scheduling/v1alpha3 is here only because batch/v1 Job refers to its
# types (an alpha field); every type reachable from a served one must be
# generated.
set -eu
cd "$(dirname "$0")"

# The generator is the same version as the kube-openapi library we link, so
# the generated code and pkg/common agree.
version=$(go list -m -f '{{.Version}}' k8s.io/kube-openapi)

exec go run "k8s.io/kube-openapi/cmd/openapi-gen@${version}" \
	--output-dir . \
	--output-pkg github.com/hanok-dev/hanok/internal/apiserver/openapi \
	--output-file zz_generated.openapi.go \
	--go-header-file /dev/null \
	--report-filename /dev/null \
	k8s.io/api/admissionregistration/v1 \
	k8s.io/api/apps/v1 \
	k8s.io/api/authentication/v1 \
	k8s.io/api/authorization/v1 \
	k8s.io/api/autoscaling/v1 \
	k8s.io/api/batch/v1 \
	k8s.io/api/coordination/v1 \
	k8s.io/api/core/v1 \
	k8s.io/api/discovery/v1 \
	k8s.io/api/events/v1 \
	k8s.io/api/networking/v1 \
	k8s.io/api/policy/v1 \
	k8s.io/api/rbac/v1 \
	k8s.io/api/resource/v1 \
	k8s.io/api/scheduling/v1 \
	k8s.io/api/scheduling/v1alpha3 \
	k8s.io/api/storage/v1 \
	k8s.io/apimachinery/pkg/api/resource \
	k8s.io/apimachinery/pkg/apis/meta/v1 \
	k8s.io/apimachinery/pkg/runtime \
	k8s.io/apimachinery/pkg/util/intstr \
	k8s.io/apimachinery/pkg/version
