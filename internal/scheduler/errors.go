package scheduler

import "errors"

// errNoNodes is upstream's message when the cluster has no nodes.
var errNoNodes = errors.New("no nodes available to schedule pods")
