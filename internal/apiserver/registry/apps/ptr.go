package apps

// ptr returns a pointer to v, for defaults of optional fields.
func ptr[T any](v T) *T { return &v }

// deref reads an optional int32, treating unset as 0 (as kubectl does).
func deref(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
