package prober

import (
	"context"
	"net"
	"time"
)

// tcpProbe succeeds when a TCP connection opens.
func tcpProbe(ctx context.Context, host string, port int, timeout time.Duration) (Result, string) {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", joinHostPort(host, port))
	if err != nil {
		return Failure, err.Error()
	}
	conn.Close()
	return Success, ""
}
