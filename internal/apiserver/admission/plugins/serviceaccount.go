package plugins

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// ServiceAccount is upstream's plugin of that name. On pod create it
// names the namespace's "default" account when the pod names none,
// refuses a pod whose account does not exist (the pod's token would be
// refused anyway, and the kubelet could not mount it), and, unless the pod
// or its account opts out, mounts a bound token in every container: a
// projected volume with a short-lived token for the account, the cluster
// CA and the pod's namespace, which is what in-cluster clients read from
// /var/run/secrets/kubernetes.io/serviceaccount.
//
// Mirror pods are left alone (the kubelet compares their spec with its
// manifest) but may not use accounts or secrets at all: a static manifest
// on a node must not be a way to read the API's secrets.
type ServiceAccount struct {
	// Accounts is the ServiceAccount lister.
	Accounts corelisters.ServiceAccountLister
	// Client reads an account the lister does not have (just created);
	// nil means the lister alone decides.
	Client corev1client.ServiceAccountsGetter
	// Ready waits for the lister; nil means always ready.
	Ready ReadyFunc

	// retryInterval spaces the live reads of the default account (tests).
	retryInterval time.Duration
}

const (
	// DefaultServiceAccountName is the account a pod gets when it names none.
	DefaultServiceAccountName = "default"
	// TokenVolumePrefix names the projected token volume, upstream's
	// "kube-api-access-" plus five random characters.
	TokenVolumePrefix = "kube-api-access-"
	// TokenMountPath is where containers find the token, CA and namespace.
	TokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount"
	// tokenExpirationSeconds is upstream's 3607: one hour and a few
	// seconds, the extra seconds marking tokens that the API server may
	// extend for clients that do not yet reload them.
	tokenExpirationSeconds = 3607
	// rootCAConfigMap is the ConfigMap every namespace gets with the CA.
	rootCAConfigMap = "kube-root-ca.crt"
	// defaultAccountAttempts: the default account is created by a
	// controller moments after its namespace, so a miss is retried for a
	// while (upstream: 10 tries, 100-200ms apart) before the pod is refused.
	defaultAccountAttempts = 10
)

var podsResource = corev1.Resource("pods")

// Admit implements admission.Mutator.
func (s *ServiceAccount) Admit(ctx context.Context, a *admission.Attributes) error {
	pod, ok := s.handles(a)
	if !ok || a.Operation != admission.Create {
		return nil
	}
	if isMirrorPod(pod) {
		return s.Validate(ctx, a)
	}
	if pod.Spec.ServiceAccountName == "" {
		pod.Spec.ServiceAccountName = DefaultServiceAccountName
	}
	sa, err := s.account(ctx, a, pod.Spec.ServiceAccountName)
	if err != nil {
		return err
	}
	if automount(sa, pod) {
		mountToken(pod)
	}
	if len(pod.Spec.ImagePullSecrets) == 0 && len(sa.ImagePullSecrets) > 0 {
		pod.Spec.ImagePullSecrets = append([]corev1.LocalObjectReference(nil), sa.ImagePullSecrets...)
	}
	return s.Validate(ctx, a)
}

// Validate implements admission.Validator: it holds even when a later
// mutating plugin or webhook changed the pod after Admit.
func (s *ServiceAccount) Validate(ctx context.Context, a *admission.Attributes) error {
	pod, ok := s.handles(a)
	if !ok || a.Operation != admission.Create {
		return nil
	}
	if isMirrorPod(pod) {
		switch {
		case pod.Spec.ServiceAccountName != "":
			return admission.NewForbidden(a, fmt.Errorf("a mirror pod may not reference service accounts"))
		case referencesSecrets(pod):
			return admission.NewForbidden(a, fmt.Errorf("a mirror pod may not reference secrets"))
		case usesServiceAccountTokenProjection(pod):
			return admission.NewForbidden(a, fmt.Errorf("a mirror pod may not use ServiceAccountToken volume projections"))
		}
		return nil
	}
	if pod.Spec.ServiceAccountName == "" {
		return admission.NewForbidden(a, fmt.Errorf("no service account specified for pod %s/%s", a.Namespace, pod.Name))
	}
	_, err := s.account(ctx, a, pod.Spec.ServiceAccountName)
	return err
}

// handles selects pod writes (not their subresources) carrying a pod.
func (s *ServiceAccount) handles(a *admission.Attributes) (*corev1.Pod, bool) {
	if a.Resource.GroupResource() != podsResource || a.Subresource != "" {
		return nil, false
	}
	pod, ok := a.Object.(*corev1.Pod)
	return pod, ok
}

// account reads the named account, refusing the pod as upstream when it
// is missing: `error looking up service account ns/name: serviceaccount
// "name" not found`.
func (s *ServiceAccount) account(ctx context.Context, a *admission.Attributes, name string) (*corev1.ServiceAccount, error) {
	if err := ensureReady(ctx, s.Ready, a); err != nil {
		return nil, err
	}
	sa, err := s.lookup(ctx, a.Namespace, name)
	if err != nil {
		return nil, admission.NewForbidden(a, fmt.Errorf("error looking up service account %s/%s: %w", a.Namespace, name, err))
	}
	return sa, nil
}

func (s *ServiceAccount) lookup(ctx context.Context, namespace, name string) (*corev1.ServiceAccount, error) {
	if s.Accounts != nil {
		sa, err := s.Accounts.ServiceAccounts(namespace).Get(name)
		if err == nil || !apierrors.IsNotFound(err) {
			return sa, err
		}
	}
	notFound := apierrors.NewNotFound(corev1.Resource("serviceaccount"), name)
	if s.Client == nil {
		return nil, notFound
	}
	attempts := 1
	if name == DefaultServiceAccountName {
		attempts = defaultAccountAttempts
	}
	interval := s.retryInterval
	if interval == 0 {
		interval = time.Duration(100+rand.IntN(100)) * time.Millisecond
	}
	for i := 0; i < attempts; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(interval):
			}
		}
		sa, err := s.Client.ServiceAccounts(namespace).Get(ctx, name, metav1.GetOptions{})
		if err == nil || !apierrors.IsNotFound(err) {
			return sa, err
		}
	}
	return nil, notFound
}

// automount: the pod's choice wins, then the account's; upstream's
// default is to mount.
func automount(sa *corev1.ServiceAccount, pod *corev1.Pod) bool {
	if pod.Spec.AutomountServiceAccountToken != nil {
		return *pod.Spec.AutomountServiceAccountToken
	}
	if sa.AutomountServiceAccountToken != nil {
		return *sa.AutomountServiceAccountToken
	}
	return true
}

// mountToken adds the projected token volume (unless the pod has one of
// ours already) and mounts it in every container that has nothing at the
// mount path yet: a container that mounts something there on purpose
// keeps it.
func mountToken(pod *corev1.Pod) {
	volume := ""
	for _, v := range pod.Spec.Volumes {
		if strings.HasPrefix(v.Name, TokenVolumePrefix) {
			volume = v.Name
			break
		}
	}
	hasVolume := volume != ""
	if !hasVolume {
		volume = TokenVolumePrefix + utilrand.String(5)
	}
	mount := corev1.VolumeMount{Name: volume, ReadOnly: true, MountPath: TokenMountPath}
	needed := false
	add := func(cs []corev1.Container) {
		for i := range cs {
			mounted := false
			for _, m := range cs[i].VolumeMounts {
				if m.MountPath == TokenMountPath {
					mounted = true
					break
				}
			}
			if !mounted {
				cs[i].VolumeMounts = append(cs[i].VolumeMounts, mount)
				needed = true
			}
		}
	}
	add(pod.Spec.InitContainers)
	add(pod.Spec.Containers)
	if needed && !hasVolume {
		pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: volume, VolumeSource: corev1.VolumeSource{Projected: TokenVolumeSource()}})
	}
}

// TokenVolumeSource is the projected volume a pod's token is mounted
// from, as upstream writes it (defaults spelled out, so the stored pod
// reads the same on any server).
func TokenVolumeSource() *corev1.ProjectedVolumeSource {
	mode := corev1.ProjectedVolumeSourceDefaultMode
	expiration := int64(tokenExpirationSeconds)
	return &corev1.ProjectedVolumeSource{
		DefaultMode: &mode,
		Sources: []corev1.VolumeProjection{
			{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: &expiration}},
			{ConfigMap: &corev1.ConfigMapProjection{
				LocalObjectReference: corev1.LocalObjectReference{Name: rootCAConfigMap},
				Items:                []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}},
			}},
			{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{
				Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"},
			}}}},
		},
	}
}
