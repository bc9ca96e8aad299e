package volume

import (
	"fmt"

	v1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// ContainerMounts turns a container's volumeMounts into CRI mounts (subPath,
// subPathExpr, readOnly, mountPropagation); errors name the mount.
// subPathExpr sees the container's literal env values and its fieldRef env
// (see ContainerMountsWithEnv to give it the fully resolved env).
func ContainerMounts(pod *v1.Pod, c *v1.Container, vols Mounted) ([]*runtimeapi.Mount, error) {
	return ContainerMountsWithEnv(pod, c, vols, simpleEnv(pod, c))
}

// ContainerMountsWithEnv is ContainerMounts with the container's resolved
// environment for subPathExpr's $(VAR) references (env returns false for an
// unset name; nil means no variables).
func ContainerMountsWithEnv(pod *v1.Pod, c *v1.Container, vols Mounted, env func(name string) (string, bool)) ([]*runtimeapi.Mount, error) {
	out := make([]*runtimeapi.Mount, 0, len(c.VolumeMounts))
	for i := range c.VolumeMounts {
		vm := &c.VolumeMounts[i]
		m, err := containerMount(pod, c, vm, vols, env)
		if err != nil {
			return nil, fmt.Errorf("volumeMount %q at %q of container %q: %w", vm.Name, vm.MountPath, c.Name, err)
		}
		out = append(out, m)
	}
	return out, nil
}

func containerMount(pod *v1.Pod, c *v1.Container, vm *v1.VolumeMount, vols Mounted, env func(string) (string, bool)) (*runtimeapi.Mount, error) {
	vol, ok := vols[vm.Name]
	if !ok {
		return nil, fmt.Errorf("volume %q is not mounted", vm.Name)
	}
	hostPath := vol.HostPath
	subPath := vm.SubPath
	if vm.SubPathExpr != "" {
		subPath = expandEnv(vm.SubPathExpr, env)
	}
	if subPath != "" {
		p, err := resolveSubPath(vol.HostPath, subPath, !vol.ReadOnly)
		if err != nil {
			return nil, err
		}
		hostPath = p
	}

	prop, err := propagation(vm.MountPropagation, c)
	if err != nil {
		return nil, err
	}
	readOnly := vm.ReadOnly || vol.ReadOnly
	rro := false
	if vm.RecursiveReadOnly != nil && *vm.RecursiveReadOnly == v1.RecursiveReadOnlyEnabled {
		if !readOnly || prop != runtimeapi.MountPropagation_PROPAGATION_PRIVATE {
			return nil, fmt.Errorf("recursiveReadOnly needs readOnly and mountPropagation None")
		}
		rro = true
	}
	return &runtimeapi.Mount{
		ContainerPath:     vm.MountPath,
		HostPath:          hostPath,
		Readonly:          readOnly,
		RecursiveReadOnly: rro,
		Propagation:       prop,
	}, nil
}

// propagation maps the API's mountPropagation to CRI's. Bidirectional needs
// a privileged container, as upstream.
func propagation(mode *v1.MountPropagationMode, c *v1.Container) (runtimeapi.MountPropagation, error) {
	if mode == nil {
		return runtimeapi.MountPropagation_PROPAGATION_PRIVATE, nil
	}
	switch *mode {
	case v1.MountPropagationNone:
		return runtimeapi.MountPropagation_PROPAGATION_PRIVATE, nil
	case v1.MountPropagationHostToContainer:
		return runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER, nil
	case v1.MountPropagationBidirectional:
		if c.SecurityContext == nil || c.SecurityContext.Privileged == nil || !*c.SecurityContext.Privileged {
			return 0, fmt.Errorf("mountPropagation Bidirectional is only allowed in privileged containers")
		}
		return runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL, nil
	}
	return 0, fmt.Errorf("unknown mountPropagation %q", *mode)
}
