package admission

import (
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
)

// NewForbidden is how a plugin refuses a write, as upstream's
// admission.NewForbidden: a 403 naming the resource and object, e.g.
// `pods "web" is forbidden: exceeded quota: ...`. On create the name may
// not be known yet (generateName), so the object's name or generateName is
// used, and "Unknown" when there is neither. A Forbidden error is returned
// as is, so plugins may wrap freely.
func NewForbidden(a *Attributes, err error) error {
	if apierrors.IsForbidden(err) {
		return err
	}
	name := a.Name
	if name == "" {
		name = "Unknown"
		if a.Object != nil {
			if m, merr := meta.Accessor(a.Object); merr == nil {
				switch {
				case m.GetName() != "":
					name = m.GetName()
				case m.GetGenerateName() != "":
					name = m.GetGenerateName()
				}
			}
		}
	}
	return apierrors.NewForbidden(a.Resource.GroupResource(), name, err)
}
