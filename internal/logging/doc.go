// Package logging sends the logs of the Kubernetes libraries hanok embeds
// (client-go's klog: leader election, informers, event broadcasters) into
// hanok's own logrus output, so one process has one log format, and keeps
// their chatty info lines at debug level.
package logging
