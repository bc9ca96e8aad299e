package nodestatus

import (
	"context"
	"runtime"
	"strconv"
	"strings"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/version"
)

// nodeInfo describes the machine, the runtime and the kubelet. The
// kubelet reports the Kubernetes version the API server serves (as
// upstream's kubelet reports its own), with hanok's build suffix.
func nodeInfo(ctx context.Context, h host, rt RuntimeInfo) v1.NodeSystemInfo {
	info := v1.NodeSystemInfo{
		MachineID:       firstOf(h.read("/etc/machine-id"), h.read("/var/lib/dbus/machine-id")),
		SystemUUID:      h.read("/sys/class/dmi/id/product_uuid"),
		BootID:          h.read("/proc/sys/kernel/random/boot_id"),
		KernelVersion:   h.read("/proc/sys/kernel/osrelease"),
		OSImage:         firstOf(osPrettyName(h.read("/etc/os-release")), osPrettyName(h.read("/usr/lib/os-release")), "Linux"),
		KubeletVersion:  version.GitVersion(),
		OperatingSystem: runtime.GOOS,
		Architecture:    runtime.GOARCH,
	}
	if rt != nil {
		if name, ver, err := rt.Version(ctx); err == nil && name != "" {
			info.ContainerRuntimeVersion = name + "://" + ver
		}
	}
	return info
}

// osPrettyName is PRETTY_NAME of an os-release file.
func osPrettyName(osRelease string) string {
	for _, line := range strings.Split(osRelease, "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "PRETTY_NAME=")
		if !ok {
			continue
		}
		if u, err := strconv.Unquote(v); err == nil {
			return u
		}
		return strings.Trim(v, `"'`)
	}
	return ""
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
