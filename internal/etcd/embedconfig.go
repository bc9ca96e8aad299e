package etcd

import (
	"fmt"
	"net/url"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// embedConfig translates a defaulted, validated Config into etcd's own,
// logging to lg. Everything not set here keeps etcd's default (snapshot
// count 10000, 1.5 MiB max request, 5 WAL and snapshot files).
func (c Config) embedConfig(name string, lg *zap.Logger) (*embed.Config, error) {
	ec := embed.NewConfig()
	ec.Name = name
	ec.Dir = c.DataDir

	clientURLs, err := parseURLs(c.clientURLs()...)
	if err != nil {
		return nil, err
	}
	peerURLs, err := parseURLs(c.PeerURL)
	if err != nil {
		return nil, err
	}
	ec.ListenClientUrls, ec.AdvertiseClientUrls = clientURLs, clientURLs
	ec.ListenPeerUrls, ec.AdvertisePeerUrls = peerURLs, peerURLs
	if c.MetricsURL != "" {
		if ec.ListenMetricsUrls, err = parseURLs(c.MetricsURL); err != nil {
			return nil, err
		}
	}

	ec.ClientTLSInfo.CertFile = c.ServerTLS.CertFile
	ec.ClientTLSInfo.KeyFile = c.ServerTLS.KeyFile
	ec.ClientTLSInfo.TrustedCAFile = c.ServerTLS.CAFile
	ec.ClientTLSInfo.ClientCertAuth = c.ServerTLS.CAFile != ""
	ec.PeerTLSInfo.CertFile = c.PeerTLS.CertFile
	ec.PeerTLSInfo.KeyFile = c.PeerTLS.KeyFile
	ec.PeerTLSInfo.TrustedCAFile = c.PeerTLS.CAFile
	ec.PeerTLSInfo.ClientCertAuth = c.PeerTLS.CAFile != ""

	ec.ClusterState = c.ClusterState
	ec.InitialCluster = c.InitialCluster
	if ec.InitialCluster == "" {
		ec.InitialCluster = ec.InitialClusterFromName(name)
	}

	t := c.timing()
	ec.TickMs = uint(t.heartbeat / time.Millisecond)
	ec.ElectionMs = uint(t.election / time.Millisecond)

	// etcd logs every start step at info level; lg filters by c.LogLevel
	// and writes through logrus. LogOutputs must not be journald for etcd
	// to use the builder.
	ec.Logger = "zap"
	ec.LogLevel = c.LogLevel
	ec.LogOutputs = []string{embed.StdErrLogOutput}
	ec.ZapLoggerBuilder = embed.NewZapLoggerBuilder(lg)

	ec.UnsafeNoFsync = c.UnsafeNoFsync
	ec.QuotaBackendBytes = c.QuotaBackendBytes
	ec.AutoCompactionMode = embed.CompactorModePeriodic
	ec.AutoCompactionRetention = c.CompactionRetention.String()

	// Nothing here speaks HTTP/JSON to etcd, and the gateway costs memory
	// and a loopback dial per client listener; tracing and pprof are off for
	// the same reason.
	ec.EnableGRPCGateway = false
	ec.EnableDistributedTracing = false
	ec.EnablePprof = false
	return ec, nil
}

func parseURLs(raw ...string) ([]url.URL, error) {
	urls := make([]url.URL, 0, len(raw))
	for _, r := range raw {
		u, err := url.Parse(r)
		if err != nil {
			return nil, fmt.Errorf("parse URL %q: %w", r, err)
		}
		urls = append(urls, *u)
	}
	return urls, nil
}
