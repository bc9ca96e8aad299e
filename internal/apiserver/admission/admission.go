// Package admission is the API server's admission chain: after a write is
// authenticated and authorized, mutating plugins may change the object and
// validating plugins may refuse it, before the resource's own validation and
// storage. Reads never pass through admission.
package admission

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// Operation is the kind of write being admitted.
type Operation string

const (
	Create  Operation = "CREATE"
	Update  Operation = "UPDATE"
	Delete  Operation = "DELETE"
	Connect Operation = "CONNECT"
)

// Attributes describe the write being admitted. Object is the object about
// to be stored (nil for delete); OldObject the stored one (nil for create).
type Attributes struct {
	Operation   Operation
	Kind        schema.GroupVersionKind
	Resource    schema.GroupVersionResource
	Subresource string
	Namespace   string
	Name        string
	Object      runtime.Object
	OldObject   runtime.Object
	Options     runtime.Object
	User        *authn.User
	DryRun      bool

	// warnings collects what plugins tell the client without refusing the
	// write (AddWarning); the handler sends them as Warning headers.
	warnings []string
}

// Mutator may change a.Object.
type Mutator interface {
	Admit(ctx context.Context, a *Attributes) error
}

// Validator may refuse a write but never changes it.
type Validator interface {
	Validate(ctx context.Context, a *Attributes) error
}

// Chain runs every mutator, then every validator, in order.
type Chain struct {
	Mutators   []Mutator
	Validators []Validator
}

// Admit runs the mutating plugins.
func (c *Chain) Admit(ctx context.Context, a *Attributes) error {
	if c == nil {
		return nil
	}
	for _, m := range c.Mutators {
		if err := m.Admit(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// Validate runs the validating plugins.
func (c *Chain) Validate(ctx context.Context, a *Attributes) error {
	if c == nil {
		return nil
	}
	for _, v := range c.Validators {
		if err := v.Validate(ctx, a); err != nil {
			return err
		}
	}
	return nil
}
