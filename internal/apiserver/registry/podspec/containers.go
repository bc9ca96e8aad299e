package podspec

import (
	v1 "k8s.io/api/core/v1"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// containerKind decides which container fields are allowed: probes and
// lifecycle hooks only make sense for containers that keep running.
type containerKind int

const (
	regularContainer containerKind = iota
	initContainer
	ephemeralContainer
)

var (
	pullPolicies       = []v1.PullPolicy{v1.PullAlways, v1.PullIfNotPresent, v1.PullNever}
	portProtocols      = []v1.Protocol{v1.ProtocolSCTP, v1.ProtocolTCP, v1.ProtocolUDP}
	httpSchemes        = []v1.URIScheme{v1.URISchemeHTTP, v1.URISchemeHTTPS}
	mountPropagations  = []v1.MountPropagationMode{v1.MountPropagationBidirectional, v1.MountPropagationHostToContainer, v1.MountPropagationNone}
	recursiveReadOnlys = []v1.RecursiveReadOnlyMode{v1.RecursiveReadOnlyDisabled, v1.RecursiveReadOnlyEnabled, v1.RecursiveReadOnlyIfPossible}
)

// validateContainers checks one list (containers or initContainers). names
// holds the names seen in earlier lists, so names are unique across both as
// the kubelet needs them to be.
func validateContainers(list []v1.Container, kind containerKind, spec *v1.PodSpec, vols map[string]v1.VolumeSource, names map[string]bool, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := range list {
		c := &list[i]
		p := fldPath.Index(i)
		if c.Name != "" && names[c.Name] {
			errs = append(errs, field.Duplicate(p.Child("name"), c.Name))
		}
		names[c.Name] = true
		errs = append(errs, validateContainer(c, kind, spec, vols, p)...)
	}
	return errs
}

func validateContainer(c *v1.Container, kind containerKind, spec *v1.PodSpec, vols map[string]v1.VolumeSource, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, requiredName(c.Name, p.Child("name"), ValidateDNS1123Label)...)
	// Only emptiness is checked: " " is a placeholder some tools put in
	// templates; pods refuse surrounding whitespace separately.
	if len(c.Image) == 0 {
		errs = append(errs, field.Required(p.Child("image"), ""))
	}
	errs = append(errs, oneOf(c.ImagePullPolicy, pullPolicies, true, p.Child("imagePullPolicy"))...)
	switch c.TerminationMessagePolicy {
	case v1.TerminationMessageReadFile, v1.TerminationMessageFallbackToLogsOnError:
	case "":
		errs = append(errs, field.Required(p.Child("terminationMessagePolicy"), "must be 'File' or 'FallbackToLogsOnError'"))
	default:
		errs = append(errs, field.Invalid(p.Child("terminationMessagePolicy"), c.TerminationMessagePolicy, "must be 'File' or 'FallbackToLogsOnError'"))
	}
	if kind == ephemeralContainer {
		errs = append(errs, forbidEphemeralFields(c, p)...)
	} else {
		errs = append(errs, validateContainerPorts(c.Ports, spec.HostNetwork, p.Child("ports"))...)
	}
	errs = append(errs, validateEnv(c.Env, p.Child("env"))...)
	errs = append(errs, validateEnvFrom(c.EnvFrom, p.Child("envFrom"))...)
	errs = append(errs, validateVolumeMounts(c, vols, p)...)
	errs = append(errs, ValidateResourceRequirements(&c.Resources, p.Child("resources"))...)
	errs = append(errs, validateContainerSecurityContext(c.SecurityContext, p.Child("securityContext"))...)
	errs = append(errs, validateRestartPolicyAndHooks(c, kind, spec, p)...)
	return errs
}

// validateRestartPolicyAndHooks applies the sidecar rules: only init
// containers may set restartPolicy (and only to Always), and only containers
// that keep running (regular ones and such sidecars) may have probes and
// lifecycle hooks.
func validateRestartPolicyAndHooks(c *v1.Container, kind containerKind, spec *v1.PodSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	running := kind == regularContainer
	switch kind {
	case regularContainer, ephemeralContainer:
		if c.RestartPolicy != nil {
			errs = append(errs, field.Forbidden(p.Child("restartPolicy"), "may not be set for non-init containers"))
		}
	case initContainer:
		if c.RestartPolicy != nil {
			if *c.RestartPolicy != v1.ContainerRestartPolicyAlways {
				errs = append(errs, field.NotSupported(p.Child("restartPolicy"), *c.RestartPolicy, []v1.ContainerRestartPolicy{v1.ContainerRestartPolicyAlways}))
			} else {
				running = true
			}
		}
	}
	if kind == ephemeralContainer {
		return errs
	}
	if !running {
		const msg = "may not be set for init containers without restartPolicy=Always"
		for name, set := range map[string]bool{
			"lifecycle": c.Lifecycle != nil, "livenessProbe": c.LivenessProbe != nil,
			"readinessProbe": c.ReadinessProbe != nil, "startupProbe": c.StartupProbe != nil,
		} {
			if set {
				errs = append(errs, field.Forbidden(p.Child(name), msg))
			}
		}
		sortErrors(errs)
		return errs
	}
	grace := spec.TerminationGracePeriodSeconds
	errs = append(errs, validateLifecycle(c.Lifecycle, grace, p.Child("lifecycle"))...)
	errs = append(errs, validateProbe(c.LivenessProbe, p.Child("livenessProbe"))...)
	errs = append(errs, validateProbe(c.ReadinessProbe, p.Child("readinessProbe"))...)
	errs = append(errs, validateProbe(c.StartupProbe, p.Child("startupProbe"))...)
	// A liveness or startup probe succeeds once; a threshold above one
	// would only delay restarts and upstream refuses it.
	if c.LivenessProbe != nil && c.LivenessProbe.SuccessThreshold != 1 {
		errs = append(errs, field.Invalid(p.Child("livenessProbe", "successThreshold"), c.LivenessProbe.SuccessThreshold, "must be 1"))
	}
	if c.StartupProbe != nil && c.StartupProbe.SuccessThreshold != 1 {
		errs = append(errs, field.Invalid(p.Child("startupProbe", "successThreshold"), c.StartupProbe.SuccessThreshold, "must be 1"))
	}
	return errs
}

// forbidEphemeralFields: an ephemeral (debug) container joins a running pod
// and gets no ports, probes, lifecycle hooks or resources of its own.
func forbidEphemeralFields(c *v1.Container, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	const msg = "cannot be set for an Ephemeral Container"
	if len(c.Ports) > 0 {
		errs = append(errs, field.Forbidden(p.Child("ports"), msg))
	}
	if c.LivenessProbe != nil {
		errs = append(errs, field.Forbidden(p.Child("livenessProbe"), msg))
	}
	if c.ReadinessProbe != nil {
		errs = append(errs, field.Forbidden(p.Child("readinessProbe"), msg))
	}
	if c.StartupProbe != nil {
		errs = append(errs, field.Forbidden(p.Child("startupProbe"), msg))
	}
	if c.Lifecycle != nil {
		errs = append(errs, field.Forbidden(p.Child("lifecycle"), msg))
	}
	if len(c.Resources.Limits) > 0 || len(c.Resources.Requests) > 0 {
		errs = append(errs, field.Forbidden(p.Child("resources"), msg))
	}
	return errs
}

func validateContainerPorts(ports []v1.ContainerPort, hostNetwork bool, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	names := map[string]bool{}
	for i, port := range ports {
		p := fldPath.Index(i)
		if port.Name != "" {
			if msgs := utilvalidation.IsValidPortName(port.Name); len(msgs) > 0 {
				for _, msg := range msgs {
					errs = append(errs, field.Invalid(p.Child("name"), port.Name, msg))
				}
			} else if names[port.Name] {
				errs = append(errs, field.Duplicate(p.Child("name"), port.Name))
			} else {
				names[port.Name] = true
			}
		}
		if port.ContainerPort == 0 {
			errs = append(errs, field.Required(p.Child("containerPort"), ""))
		} else {
			for _, msg := range utilvalidation.IsValidPortNum(int(port.ContainerPort)) {
				errs = append(errs, field.Invalid(p.Child("containerPort"), port.ContainerPort, msg))
			}
		}
		if port.HostPort != 0 {
			for _, msg := range utilvalidation.IsValidPortNum(int(port.HostPort)) {
				errs = append(errs, field.Invalid(p.Child("hostPort"), port.HostPort, msg))
			}
		}
		// With the host's network there is no port mapping: the process
		// listens on the host port itself.
		if hostNetwork && port.HostPort != 0 && port.HostPort != port.ContainerPort {
			errs = append(errs, field.Invalid(p.Child("hostPort"), port.HostPort, "must match `containerPort` when `hostNetwork` is true"))
		}
		errs = append(errs, oneOf(port.Protocol, portProtocols, true, p.Child("protocol"))...)
		if port.HostIP != "" {
			errs = append(errs, utilvalidation.IsValidIPForLegacyField(p.Child("hostIP"), port.HostIP, true, nil)...)
		}
	}
	return errs
}
