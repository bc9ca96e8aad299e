package batch

// ptr returns a pointer to v, for defaults of optional fields.
func ptr[T any](v T) *T { return &v }
