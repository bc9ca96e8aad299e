package etcd

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// nameFile holds the generated member name, inside the data dir as k3s
// keeps it (server/db/etcd/name). The name must outlive restarts: it is how
// the member finds itself in InitialCluster and in member lists.
const nameFile = "name"

// memberName returns configured, or the persisted name, or a new
// "<hostname>-<8 hex>" that it persists. The random suffix keeps two servers
// with the same hostname (clones, re-installs) distinct members.
func memberName(dataDir, configured string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	path := filepath.Join(dataDir, nameFile)
	data, err := os.ReadFile(path)
	if err == nil {
		if name := strings.TrimSpace(string(data)); name != "" {
			return name, nil
		}
	} else if !os.IsNotExist(err) {
		return "", fmt.Errorf("read member name: %w", err)
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "hanok"
	}
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		return "", err
	}
	name := strings.ToLower(host) + "-" + hex.EncodeToString(suffix)
	if err := os.WriteFile(path, []byte(name+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("persist member name: %w", err)
	}
	return name, nil
}
