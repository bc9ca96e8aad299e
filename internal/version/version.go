// Package version says which hanok build this is and which Kubernetes API
// version it serves. The linker fills Version, Commit and BuildDate
// (see the Makefile).
package version

// KubeMajor and KubeMinor are the Kubernetes API version served: the
// k8s.io/api module hanok is built on (v0.37 = Kubernetes 1.37).
const (
	KubeMajor = "1"
	KubeMinor = "37"
)

var (
	// Version is hanok's own version, e.g. v0.1.0.
	Version = "v0.1.0-dev"
	// Commit is the git commit built.
	Commit = ""
	// BuildDate is when the binary was built (RFC 3339).
	BuildDate = "1970-01-01T00:00:00Z"
)

// GitVersion is the version reported by /version, upstream-style:
// v1.37.2+hanok.
func GitVersion() string {
	return "v" + KubeMajor + "." + KubeMinor + ".2+hanok"
}
