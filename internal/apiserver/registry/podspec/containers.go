package podspec

import (
	"fmt"
	"strings"

	v1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
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

// envFieldPaths are the pod fields an env var may take from the downward
// API (labels and annotations go through a subscript, see fieldRef).
var envFieldPaths = []string{
	"metadata.name", "metadata.namespace", "metadata.uid",
	"spec.nodeName", "spec.serviceAccountName",
	"status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
}

// volumeFieldPaths are the pod fields a downwardAPI volume file may hold.
var volumeFieldPaths = []string{
	"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid",
}

// resourceFieldRefs are the container resources the downward API exposes.
var resourceFieldRefs = []string{
	"limits.cpu", "limits.ephemeral-storage", "limits.memory",
	"requests.cpu", "requests.ephemeral-storage", "requests.memory",
}

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

// validateEnv uses upstream's relaxed names (GA since 1.34): any printable
// ASCII but '='. Shells cannot expand such names, but programs can read them.
func validateEnv(vars []v1.EnvVar, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, ev := range vars {
		p := fldPath.Index(i)
		if ev.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), ""))
		} else {
			for _, msg := range utilvalidation.IsRelaxedEnvVarName(ev.Name) {
				errs = append(errs, field.Invalid(p.Child("name"), ev.Name, msg))
			}
		}
		errs = append(errs, validateEnvVarValueFrom(ev, p.Child("valueFrom"))...)
	}
	return errs
}

func validateEnvVarValueFrom(ev v1.EnvVar, fldPath *field.Path) field.ErrorList {
	vf := ev.ValueFrom
	if vf == nil {
		return nil
	}
	var errs field.ErrorList
	n := 0
	if vf.FieldRef != nil {
		n++
		errs = append(errs, validateFieldRef(vf.FieldRef, envFieldPaths, fldPath.Child("fieldRef"))...)
	}
	if vf.ResourceFieldRef != nil {
		n++
		errs = append(errs, validateResourceFieldRef(vf.ResourceFieldRef, false, fldPath.Child("resourceFieldRef"))...)
	}
	if vf.ConfigMapKeyRef != nil {
		n++
		errs = append(errs, validateKeySelector(vf.ConfigMapKeyRef.Name, vf.ConfigMapKeyRef.Key, fldPath.Child("configMapKeyRef"))...)
	}
	if vf.SecretKeyRef != nil {
		n++
		errs = append(errs, validateKeySelector(vf.SecretKeyRef.Name, vf.SecretKeyRef.Key, fldPath.Child("secretKeyRef"))...)
	}
	if vf.FileKeyRef != nil {
		n++
		if vf.FileKeyRef.VolumeName == "" {
			errs = append(errs, field.Required(fldPath.Child("fileKeyRef", "volumeName"), ""))
		}
		if vf.FileKeyRef.Path == "" {
			errs = append(errs, field.Required(fldPath.Child("fileKeyRef", "path"), ""))
		}
		if vf.FileKeyRef.Key == "" {
			errs = append(errs, field.Required(fldPath.Child("fileKeyRef", "key"), ""))
		}
	}
	switch {
	case n == 0:
		errs = append(errs, field.Invalid(fldPath, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
	case ev.Value != "":
		errs = append(errs, field.Invalid(fldPath, "", "may not be specified when `value` is not empty"))
	case n > 1:
		errs = append(errs, field.Invalid(fldPath, "", "may not have more than one field specified at a time"))
	}
	return errs
}

// validateFieldRef checks a downward API field reference. Labels and
// annotations may be picked one key at a time with a subscript, as in
// metadata.labels['app'].
func validateFieldRef(fs *v1.ObjectFieldSelector, allowed []string, fldPath *field.Path) field.ErrorList {
	if fs.APIVersion == "" {
		return field.ErrorList{field.Required(fldPath.Child("apiVersion"), "")}
	}
	if fs.FieldPath == "" {
		return field.ErrorList{field.Required(fldPath.Child("fieldPath"), "")}
	}
	if fs.APIVersion != "v1" {
		return field.ErrorList{field.Invalid(fldPath.Child("fieldPath"), fs.FieldPath,
			fmt.Sprintf("error converting fieldPath: unsupported pod version: %s", fs.APIVersion))}
	}
	if path, key, ok := splitSubscript(fs.FieldPath); ok {
		var errs field.ErrorList
		switch path {
		case "metadata.annotations":
			key = strings.ToLower(key)
			fallthrough
		case "metadata.labels":
			for _, msg := range utilvalidation.IsQualifiedName(key) {
				errs = append(errs, field.Invalid(fldPath, key, msg))
			}
		default:
			errs = append(errs, field.Invalid(fldPath, path, "does not support subscript"))
		}
		return errs
	}
	for _, a := range allowed {
		if a == fs.FieldPath {
			return nil
		}
	}
	return field.ErrorList{field.NotSupported(fldPath.Child("fieldPath"), fs.FieldPath, allowed)}
}

// splitSubscript splits "metadata.labels['key']" into its path and key.
func splitSubscript(fieldPath string) (string, string, bool) {
	if !strings.HasSuffix(fieldPath, "']") {
		return fieldPath, "", false
	}
	s := strings.TrimSuffix(fieldPath, "']")
	parts := strings.SplitN(s, "['", 2)
	if len(parts) < 2 || len(parts[0]) == 0 {
		return fieldPath, "", false
	}
	return parts[0], parts[1], true
}

// validateResourceFieldRef: volumes must name the container whose resources
// they expose; env vars default to their own container.
func validateResourceFieldRef(rs *v1.ResourceFieldSelector, needContainer bool, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if needContainer && rs.ContainerName == "" {
		errs = append(errs, field.Required(fldPath.Child("containerName"), ""))
	}
	switch {
	case rs.Resource == "":
		errs = append(errs, field.Required(fldPath.Child("resource"), ""))
	case strings.HasPrefix(rs.Resource, "limits.hugepages-"), strings.HasPrefix(rs.Resource, "requests.hugepages-"):
	default:
		errs = append(errs, oneOf(rs.Resource, resourceFieldRefs, true, fldPath.Child("resource"))...)
	}
	if rs.Divisor.Sign() < 0 {
		errs = append(errs, field.Invalid(fldPath.Child("divisor"), rs.Divisor.String(), isNegativeErrorMsg))
	}
	return errs
}

// validateKeySelector checks a configMapKeyRef or secretKeyRef.
func validateKeySelector(name, key string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range apivalidation.NameIsDNSSubdomain(name, false) {
		errs = append(errs, field.Invalid(fldPath.Child("name"), name, msg))
	}
	if key == "" {
		errs = append(errs, field.Required(fldPath.Child("key"), ""))
	} else {
		for _, msg := range utilvalidation.IsConfigMapKey(key) {
			errs = append(errs, field.Invalid(fldPath.Child("key"), key, msg))
		}
	}
	return errs
}

func validateEnvFrom(sources []v1.EnvFromSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, ev := range sources {
		p := fldPath.Index(i)
		if ev.Prefix != "" {
			for _, msg := range utilvalidation.IsRelaxedEnvVarName(ev.Prefix) {
				errs = append(errs, field.Invalid(p.Child("prefix"), ev.Prefix, msg))
			}
		}
		n := 0
		if ev.ConfigMapRef != nil {
			n++
			errs = append(errs, validateRefName(ev.ConfigMapRef.Name, p.Child("configMapRef", "name"))...)
		}
		if ev.SecretRef != nil {
			n++
			errs = append(errs, validateRefName(ev.SecretRef.Name, p.Child("secretRef", "name"))...)
		}
		if n == 0 {
			errs = append(errs, field.Invalid(p, "", "must specify one of: `configMapRef` or `secretRef`"))
		} else if n > 1 {
			errs = append(errs, field.Invalid(p, "", "may not have more than one field specified at a time"))
		}
	}
	return errs
}

// validateRefName checks the name of a configmap or secret a pod refers to.
func validateRefName(name string, fldPath *field.Path) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	var errs field.ErrorList
	for _, msg := range apivalidation.NameIsDNSSubdomain(name, true) {
		errs = append(errs, field.Invalid(fldPath, name, msg))
	}
	return errs
}

func validateVolumeMounts(c *v1.Container, vols map[string]v1.VolumeSource, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	fldPath := p.Child("volumeMounts")
	mountPoints := map[string]bool{}
	for i, m := range c.VolumeMounts {
		mp := fldPath.Index(i)
		if m.Name == "" {
			errs = append(errs, field.Required(mp.Child("name"), ""))
		} else if _, ok := vols[m.Name]; !ok {
			errs = append(errs, field.NotFound(mp.Child("name"), m.Name))
		}
		if m.MountPath == "" {
			errs = append(errs, field.Required(mp.Child("mountPath"), ""))
		} else if mountPoints[m.MountPath] {
			errs = append(errs, field.Invalid(mp.Child("mountPath"), m.MountPath, "must be unique"))
		}
		mountPoints[m.MountPath] = true
		if m.SubPath != "" {
			errs = append(errs, validateLocalDescendingPath(m.SubPath, mp.Child("subPath"))...)
		}
		if m.SubPathExpr != "" {
			if m.SubPath != "" {
				errs = append(errs, field.Invalid(mp.Child("subPathExpr"), m.SubPathExpr, "subPathExpr and subPath are mutually exclusive"))
			}
			errs = append(errs, validateLocalDescendingPath(m.SubPathExpr, mp.Child("subPathExpr"))...)
		}
		if m.MountPropagation != nil {
			errs = append(errs, oneOf(*m.MountPropagation, mountPropagations, true, mp.Child("mountPropagation"))...)
			privileged := c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged
			if *m.MountPropagation == v1.MountPropagationBidirectional && !privileged {
				errs = append(errs, field.Forbidden(mp.Child("mountPropagation"), "Bidirectional mount propagation is available only to privileged containers"))
			}
		}
		if m.RecursiveReadOnly != nil {
			errs = append(errs, oneOf(*m.RecursiveReadOnly, recursiveReadOnlys, true, mp.Child("recursiveReadOnly"))...)
			if *m.RecursiveReadOnly != v1.RecursiveReadOnlyDisabled && !m.ReadOnly {
				errs = append(errs, field.Forbidden(mp.Child("recursiveReadOnly"), "may only be specified when readOnly is true"))
			}
		}
	}
	devPath := p.Child("volumeDevices")
	for i, d := range c.VolumeDevices {
		dp := devPath.Index(i)
		if d.Name == "" {
			errs = append(errs, field.Required(dp.Child("name"), ""))
		} else if _, ok := vols[d.Name]; !ok {
			errs = append(errs, field.NotFound(dp.Child("name"), d.Name))
		}
		if d.DevicePath == "" {
			errs = append(errs, field.Required(dp.Child("devicePath"), ""))
		} else if mountPoints[d.DevicePath] {
			errs = append(errs, field.Invalid(dp.Child("devicePath"), d.DevicePath, "must not already exist in volumeMounts"))
		}
	}
	return errs
}

func validateProbe(probe *v1.Probe, fldPath *field.Path) field.ErrorList {
	if probe == nil {
		return nil
	}
	h := probe.ProbeHandler
	errs := validateHandler(h.Exec, h.HTTPGet, h.TCPSocket, h.GRPC, nil, nil, fldPath)
	for _, f := range []struct {
		name string
		v    int32
	}{
		{"initialDelaySeconds", probe.InitialDelaySeconds}, {"timeoutSeconds", probe.TimeoutSeconds},
		{"periodSeconds", probe.PeriodSeconds}, {"successThreshold", probe.SuccessThreshold},
		{"failureThreshold", probe.FailureThreshold},
	} {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(f.v), fldPath.Child(f.name))...)
	}
	if probe.TerminationGracePeriodSeconds != nil && *probe.TerminationGracePeriodSeconds <= 0 {
		errs = append(errs, field.Invalid(fldPath.Child("terminationGracePeriodSeconds"), *probe.TerminationGracePeriodSeconds, "must be greater than 0"))
	}
	return errs
}

func validateLifecycle(l *v1.Lifecycle, grace *int64, fldPath *field.Path) field.ErrorList {
	if l == nil {
		return nil
	}
	var errs field.ErrorList
	for name, h := range map[string]*v1.LifecycleHandler{"postStart": l.PostStart, "preStop": l.PreStop} {
		if h != nil {
			errs = append(errs, validateHandler(h.Exec, h.HTTPGet, h.TCPSocket, nil, h.Sleep, grace, fldPath.Child(name))...)
		}
	}
	sortErrors(errs)
	return errs
}

// validateHandler checks that exactly one action is set on a probe or hook
// and that the one set is well formed.
func validateHandler(exec *v1.ExecAction, httpGet *v1.HTTPGetAction, tcp *v1.TCPSocketAction, grpc *v1.GRPCAction, sleep *v1.SleepAction, grace *int64, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	n := 0
	more := func(name string) bool {
		n++
		if n > 1 {
			errs = append(errs, field.Forbidden(fldPath.Child(name), "may not specify more than 1 handler type"))
			return false
		}
		return true
	}
	if exec != nil && more("exec") && len(exec.Command) == 0 {
		errs = append(errs, field.Required(fldPath.Child("exec", "command"), ""))
	}
	if httpGet != nil && more("httpGet") {
		hp := fldPath.Child("httpGet")
		if httpGet.Path == "" {
			errs = append(errs, field.Required(hp.Child("path"), ""))
		}
		errs = append(errs, ValidatePortNumOrName(httpGet.Port, hp.Child("port"))...)
		errs = append(errs, oneOf(httpGet.Scheme, httpSchemes, false, hp.Child("scheme"))...)
		for _, h := range httpGet.HTTPHeaders {
			for _, msg := range utilvalidation.IsHTTPHeaderName(h.Name) {
				errs = append(errs, field.Invalid(hp.Child("httpHeaders"), h.Name, msg))
			}
		}
	}
	if tcp != nil && more("tcpSocket") {
		errs = append(errs, ValidatePortNumOrName(tcp.Port, fldPath.Child("tcpSocket", "port"))...)
	}
	if grpc != nil && more("grpc") {
		for _, msg := range utilvalidation.IsValidPortNum(int(grpc.Port)) {
			errs = append(errs, field.Invalid(fldPath.Child("grpc", "port"), grpc.Port, msg))
		}
	}
	if sleep != nil && more("sleep") {
		sp := fldPath.Child("sleep", "seconds")
		if sleep.Seconds < 0 {
			errs = append(errs, field.Invalid(sp, sleep.Seconds, "must be non-negative integer"))
		} else if grace != nil && sleep.Seconds > *grace {
			errs = append(errs, field.Invalid(sp, sleep.Seconds, "must be less than terminationGracePeriodSeconds"))
		}
	}
	if n == 0 {
		errs = append(errs, field.Required(fldPath, "must specify a handler type"))
	}
	return errs
}
