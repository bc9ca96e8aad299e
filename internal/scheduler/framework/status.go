package framework

import "strings"

// Code is a plugin's verdict.
type Code int

const (
	// Success: the node passes (Filter) or the step worked.
	Success Code = iota
	// Error: something went wrong that is not about the pod or node.
	Error
	// Unschedulable: the pod does not fit now, but preempting pods on
	// the node might make it fit.
	Unschedulable
	// UnschedulableAndUnresolvable: no preemption can help on this node
	// (a taint, an affinity mismatch).
	UnschedulableAndUnresolvable
	// Skip: from PreFilter/PreScore, the plugin has nothing to do for
	// this pod; its Filter/Score is not called.
	Skip
)

// Status is a plugin's answer; nil means Success.
type Status struct {
	code    Code
	reasons []string
	plugin  string
	err     error
}

// NewStatus makes a status with the reasons shown in FailedScheduling.
func NewStatus(code Code, reasons ...string) *Status {
	return &Status{code: code, reasons: reasons}
}

// AsStatus wraps an unexpected error.
func AsStatus(err error) *Status {
	if err == nil {
		return nil
	}
	return &Status{code: Error, reasons: []string{err.Error()}, err: err}
}

// Code is Success for a nil status.
func (s *Status) Code() Code {
	if s == nil {
		return Success
	}
	return s.code
}

// IsSuccess is true for nil or Success.
func (s *Status) IsSuccess() bool { return s.Code() == Success }

// IsSkip is true for Skip.
func (s *Status) IsSkip() bool { return s.Code() == Skip }

// IsRejected is true when the pod does not fit (either unschedulable code).
func (s *Status) IsRejected() bool {
	c := s.Code()
	return c == Unschedulable || c == UnschedulableAndUnresolvable
}

// Reasons are the human-readable reasons.
func (s *Status) Reasons() []string {
	if s == nil {
		return nil
	}
	return s.reasons
}

// Plugin is the name of the plugin that returned the status.
func (s *Status) Plugin() string {
	if s == nil {
		return ""
	}
	return s.plugin
}

// WithPlugin records which plugin returned s and returns s.
func (s *Status) WithPlugin(name string) *Status {
	if s != nil {
		s.plugin = name
	}
	return s
}

// Message joins the reasons.
func (s *Status) Message() string {
	if s == nil {
		return ""
	}
	return strings.Join(s.reasons, ", ")
}

// AsError is the status as an error for Error codes, nil otherwise.
func (s *Status) AsError() error {
	if s.Code() != Error {
		return nil
	}
	if s.err != nil {
		return s.err
	}
	return statusError(s.Message())
}

type statusError string

func (e statusError) Error() string { return string(e) }
