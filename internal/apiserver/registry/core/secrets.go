package core

import (
	"context"
	"encoding/json"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func secrets() *registry.Resource {
	return &registry.Resource{
		GroupVersion: v1.SchemeGroupVersion, Kind: "Secret",
		Plural: "secrets", Singular: "secret",
		Namespaced: true,
		New:        func() runtime.Object { return &v1.Secret{} },
		NewList:    func() runtime.Object { return &v1.SecretList{} },
		Strategy:   secretStrategy{},
	}
}

type secretStrategy struct{ registry.Base }

// Default sets type Opaque and folds the write-only stringData into data,
// as upstream's v1 conversion does; stringData is never stored or returned.
func (secretStrategy) Default(obj runtime.Object) {
	s := obj.(*v1.Secret)
	if s.Type == "" {
		s.Type = v1.SecretTypeOpaque
	}
	if len(s.StringData) > 0 && s.Data == nil {
		s.Data = map[string][]byte{}
	}
	for k, v := range s.StringData {
		s.Data[k] = []byte(v)
	}
	s.StringData = nil
}

// PrepareForUpdate keeps the old type when an update leaves it out.
func (st secretStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	s := obj.(*v1.Secret)
	if s.Type == "" {
		s.Type = old.(*v1.Secret).Type
	}
	st.Base.PrepareForUpdate(ctx, obj, old)
}

func (secretStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	s := obj.(*v1.Secret)
	return append(validateMeta(&s.ObjectMeta, true, subdomainName), validateSecretData(s)...)
}

func validateSecretData(s *v1.Secret) field.ErrorList {
	var errs field.ErrorList
	dataPath := field.NewPath("data")
	total := 0
	for key, value := range s.Data {
		for _, msg := range utilvalidation.IsConfigMapKey(key) {
			errs = append(errs, field.Invalid(dataPath.Key(key), key, msg))
		}
		total += len(value)
	}
	sortErrs(errs)
	if total > maxDataSize {
		errs = append(errs, field.TooLong(dataPath, "", maxDataSize))
	}

	// Typed secrets promise consumers certain keys.
	switch s.Type {
	case v1.SecretTypeServiceAccountToken:
		if s.Annotations[v1.ServiceAccountNameKey] == "" {
			errs = append(errs, field.Required(field.NewPath("metadata", "annotations").Key(v1.ServiceAccountNameKey), ""))
		}
	case v1.SecretTypeDockercfg:
		errs = append(errs, requireJSONKey(s, v1.DockerConfigKey, dataPath)...)
	case v1.SecretTypeDockerConfigJson:
		errs = append(errs, requireJSONKey(s, v1.DockerConfigJsonKey, dataPath)...)
	case v1.SecretTypeBasicAuth:
		_, hasUser := s.Data[v1.BasicAuthUsernameKey]
		_, hasPassword := s.Data[v1.BasicAuthPasswordKey]
		if !hasUser && !hasPassword {
			errs = append(errs, field.Required(dataPath.Key(v1.BasicAuthUsernameKey), ""))
			errs = append(errs, field.Required(dataPath.Key(v1.BasicAuthPasswordKey), ""))
		}
	case v1.SecretTypeSSHAuth:
		if len(s.Data[v1.SSHAuthPrivateKey]) == 0 {
			errs = append(errs, field.Required(dataPath.Key(v1.SSHAuthPrivateKey), ""))
		}
	case v1.SecretTypeTLS:
		if _, ok := s.Data[v1.TLSCertKey]; !ok {
			errs = append(errs, field.Required(dataPath.Key(v1.TLSCertKey), ""))
		}
		if _, ok := s.Data[v1.TLSPrivateKeyKey]; !ok {
			errs = append(errs, field.Required(dataPath.Key(v1.TLSPrivateKeyKey), ""))
		}
	}
	return errs
}

// requireJSONKey: registry credentials must be present and parse as JSON.
func requireJSONKey(s *v1.Secret, key string, dataPath *field.Path) field.ErrorList {
	raw, ok := s.Data[key]
	if !ok {
		return field.ErrorList{field.Required(dataPath.Key(key), "")}
	}
	if err := json.Unmarshal(raw, &map[string]interface{}{}); err != nil {
		return field.ErrorList{field.Invalid(dataPath.Key(key), "<secret contents redacted>", err.Error())}
	}
	return nil
}

// ValidateUpdate: the type is fixed at creation, and `immutable: true`
// freezes the data.
func (secretStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	s, oldS := obj.(*v1.Secret), old.(*v1.Secret)
	errs := validateMetaUpdate(&s.ObjectMeta, &oldS.ObjectMeta, true, subdomainName)
	errs = append(errs, immutable(s.Type, oldS.Type, field.NewPath("type"))...)
	if oldS.Immutable != nil && *oldS.Immutable {
		if s.Immutable == nil || !*s.Immutable {
			errs = append(errs, field.Forbidden(field.NewPath("immutable"), immutableDataMsg))
		}
		if !sameBytes(s.Data, oldS.Data) {
			errs = append(errs, field.Forbidden(field.NewPath("data"), immutableDataMsg))
		}
	}
	return append(errs, validateSecretData(s)...)
}

// SelectableFields adds type, which the service account token controller
// and kubectl select on.
func (secretStrategy) SelectableFields(obj runtime.Object) fields.Set {
	f := registry.MetaFields(obj)
	f["type"] = string(obj.(*v1.Secret).Type)
	return f
}

func (secretStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Type", "string", "Used to facilitate programmatic handling of secret data.", false),
		registry.Column("Data", "string", "Data contains the secret data.", false),
		registry.AgeColumn,
	}
}

func (secretStrategy) TableRow(obj runtime.Object) []interface{} {
	s := obj.(*v1.Secret)
	return []interface{}{string(s.Type), int64(len(s.Data)), registry.Age(obj)}
}
