package server

import (
	"fmt"
	"net/url"
	"strconv"
)

// streamOptions are the streams an exec or attach asks for.
type streamOptions struct {
	stdin, stdout, stderr, tty bool
}

// flag reads a boolean query parameter under any of its names: the API
// server forwards pods/exec as input/output/error/tty=1 (v1.ExecStdinParam
// and friends), while direct callers tend to use stdin/stdout/stderr=true.
func flag(q url.Values, names ...string) bool {
	for _, n := range names {
		if v := q.Get(n); v != "" {
			b, err := strconv.ParseBool(v)
			return err == nil && b
		}
	}
	return false
}

// parseStreamOptions validates the streams as upstream does: at least one,
// and no separate stderr with a TTY (it is merged into stdout then).
func parseStreamOptions(q url.Values) (streamOptions, error) {
	o := streamOptions{
		stdin:  flag(q, "input", "stdin"),
		stdout: flag(q, "output", "stdout"),
		stderr: flag(q, "error", "stderr"),
		tty:    flag(q, "tty"),
	}
	if o.tty && o.stderr {
		o.stderr = false
	}
	if !o.stdin && !o.stdout && !o.stderr {
		return o, fmt.Errorf("you must specify at least 1 of stdin, stdout, stderr")
	}
	return o, nil
}

// parsePorts reads the optional port parameters of a port-forward.
func parsePorts(q url.Values) ([]int32, error) {
	var ports []int32
	for _, v := range q["port"] {
		p, err := strconv.ParseUint(v, 10, 16)
		if err != nil || p == 0 {
			return nil, fmt.Errorf("invalid port %q", v)
		}
		ports = append(ports, int32(p))
	}
	return ports, nil
}
