package etcd

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap/zapcore"
)

// TLSFiles are PEM file paths, as the pki package lays them out under
// <data-dir>/server/tls/etcd.
type TLSFiles struct {
	CertFile string
	KeyFile  string
	// CAFile is the CA that peers (or clients) must be signed by. When set on
	// a listening side, certificates are required.
	CAFile string
}

func (f TLSFiles) empty() bool { return f == TLSFiles{} }

// Config describes the local member.
type Config struct {
	// DataDir is <data-dir>/server/db/etcd; created 0700 if missing.
	DataDir string
	// Name is the member name. Empty means "<hostname>-<8 hex>", generated
	// once and kept in DataDir/name so restarts keep the same name.
	Name string

	// ClientURL is where local clients reach this member, normally
	// https://127.0.0.1:2379. It is listened on, advertised, and used by
	// Client(). Port 0 lets the kernel pick a free port (tests); Endpoints()
	// then reports the port taken.
	ClientURL string
	// ExtraClientURLs are listened on and advertised too, e.g.
	// https://<node-ip>:2379 for other servers once there is HA.
	ExtraClientURLs []string
	// PeerURL is listened on and advertised for Raft traffic:
	// https://<node-ip or 127.0.0.1>:2380. Port 0 is only for a lone member
	// (tests): no peer needs to reach it.
	PeerURL string
	// MetricsURL, if set, serves /metrics and /health over plain HTTP,
	// e.g. http://127.0.0.1:2381.
	MetricsURL string

	// ServerTLS secures ClientURL (etcd/server-client + etcd/server-ca).
	ServerTLS TLSFiles
	// PeerTLS secures PeerURL (etcd/peer-server-client + etcd/peer-ca).
	PeerTLS TLSFiles
	// ClientTLS is the identity of Client() (etcd/client). Empty fields
	// fall back to ServerTLS: the server cert is also a client cert.
	ClientTLS TLSFiles

	// InitialCluster is "name=peerURL,..." for a member that joins an
	// existing cluster; empty means a cluster of just this member.
	InitialCluster string
	// ClusterState is "new" (default) or "existing" (joining).
	ClusterState string

	// ReadyTimeout bounds how long Start waits for the member to be ready
	// (ctx may end the wait sooner). Default 60s: a single member is ready
	// in well under a second; a joining one has to catch up first.
	ReadyTimeout time.Duration
	// LogLevel is the lowest zap level (debug, info, warn, error) of etcd's
	// logs, which are written through logrus with component=etcd. Default
	// error, so hanok's own logs stay readable.
	LogLevel string
	// QuotaBackendBytes is the backend size at which etcd raises NOSPACE
	// and refuses writes. Default 2 GiB.
	QuotaBackendBytes int64
	// CompactionRetention is how much history periodic auto-compaction
	// keeps. Default 5m: old revisions must become "Gone" for watchers, or
	// the database grows with every write.
	CompactionRetention time.Duration
	// HeartbeatInterval and ElectionTimeout override Raft timing (both or
	// neither). Default: short for a lone member, etcd's 100ms/1s otherwise
	// (see timing.go).
	HeartbeatInterval time.Duration
	ElectionTimeout   time.Duration
	// UnsafeNoFsync skips fsync of the WAL and backend. Only for throwaway
	// members (tests): a crash loses acknowledged writes, but every write
	// is ~10x cheaper on a loaded machine.
	UnsafeNoFsync bool
}

// Defaults, chosen for one small node.
const (
	DefaultClientURL           = "https://127.0.0.1:2379"
	DefaultPeerURL             = "https://127.0.0.1:2380"
	DefaultReadyTimeout        = 60 * time.Second
	DefaultLogLevel            = "error"
	DefaultQuotaBackendBytes   = 2 << 30
	DefaultCompactionRetention = 5 * time.Minute
)

// withDefaults fills unset fields. It does not touch the disk.
func (c Config) withDefaults() Config {
	if c.ClientURL == "" {
		c.ClientURL = DefaultClientURL
	}
	if c.PeerURL == "" {
		c.PeerURL = DefaultPeerURL
	}
	if c.ClusterState == "" {
		c.ClusterState = embed.ClusterStateFlagNew
	}
	if c.ReadyTimeout == 0 {
		c.ReadyTimeout = DefaultReadyTimeout
	}
	if c.LogLevel == "" {
		c.LogLevel = DefaultLogLevel
	}
	if c.QuotaBackendBytes == 0 {
		c.QuotaBackendBytes = DefaultQuotaBackendBytes
	}
	if c.CompactionRetention == 0 {
		c.CompactionRetention = DefaultCompactionRetention
	}
	if c.ClientTLS.CertFile == "" && c.ClientTLS.KeyFile == "" {
		c.ClientTLS.CertFile, c.ClientTLS.KeyFile = c.ServerTLS.CertFile, c.ServerTLS.KeyFile
	}
	if c.ClientTLS.CAFile == "" {
		c.ClientTLS.CAFile = c.ServerTLS.CAFile
	}
	return c
}

// validate checks a defaulted Config, naming the field to fix. etcd's own
// validation runs later; this catches what would otherwise surface as a
// confusing TLS or listener error.
func (c Config) validate() error {
	if c.DataDir == "" {
		return errors.New("DataDir is empty")
	}
	if c.ClusterState != embed.ClusterStateFlagNew && c.ClusterState != embed.ClusterStateFlagExisting {
		return fmt.Errorf("ClusterState %q: want %q or %q", c.ClusterState, embed.ClusterStateFlagNew, embed.ClusterStateFlagExisting)
	}
	if c.ClusterState == embed.ClusterStateFlagExisting && c.InitialCluster == "" {
		return errors.New(`ClusterState "existing" needs InitialCluster (the members to join)`)
	}
	for _, u := range c.clientURLs() {
		if err := checkURL("client URL", u, c.ServerTLS); err != nil {
			return err
		}
	}
	if err := checkURL("PeerURL", c.PeerURL, c.PeerTLS); err != nil {
		return err
	}
	if c.MetricsURL != "" {
		if err := checkURL("MetricsURL", c.MetricsURL, TLSFiles{}); err != nil {
			return err
		}
	}
	if _, err := zapcore.ParseLevel(c.LogLevel); err != nil {
		return fmt.Errorf("LogLevel: %w", err)
	}
	if (c.HeartbeatInterval > 0) != (c.ElectionTimeout > 0) {
		return errors.New("set both HeartbeatInterval and ElectionTimeout, or neither")
	}
	if hasPortZero(c.ClientURL) && len(c.ExtraClientURLs) > 0 {
		// etcd does not say which listener served which URL, so a picked
		// port could not be told apart from the extra URLs'.
		return errors.New("ClientURL with port 0 cannot be combined with ExtraClientURLs")
	}
	if c.ServerTLS.CAFile != "" && (c.ClientTLS.CertFile == "" || c.ClientTLS.KeyFile == "") {
		return errors.New("ServerTLS.CAFile requires client certificates, but ClientTLS has no cert and key")
	}
	return nil
}

// checkURL requires https exactly when certificates are configured, so a
// member never silently serves plain text where TLS was intended.
func checkURL(what, raw string, files TLSFiles) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s %q: %w", what, raw, err)
	}
	if u.Host == "" || u.Port() == "" {
		return fmt.Errorf("%s %q: want scheme://host:port", what, raw)
	}
	switch {
	case u.Scheme == "https" && (files.CertFile == "" || files.KeyFile == ""):
		return fmt.Errorf("%s %q is https but no cert and key are configured", what, raw)
	case u.Scheme == "http" && !files.empty():
		return fmt.Errorf("%s %q is http but TLS files are configured; use https", what, raw)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%s %q: scheme must be http or https", what, raw)
	}
	return nil
}

// hasPortZero tells whether raw asks the kernel for a port.
func hasPortZero(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Port() == "0"
}

// clientURLs are all URLs served to clients, the local one first.
func (c Config) clientURLs() []string {
	return append([]string{c.ClientURL}, c.ExtraClientURLs...)
}
