package pki

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// kubeconfigName names the one cluster, user and context of a kubeconfig we
// write, as k3s does ("default"), so merged configs stay predictable.
const kubeconfigName = "default"

// WriteKubeconfig writes a kubeconfig for serverURL with the CA and client
// cert embedded inline, creating parent directories. The file gets mode even
// if it existed with another one (e.g. --write-kubeconfig-mode changed).
func WriteKubeconfig(path string, mode os.FileMode, serverURL string, caPEM, certPEM, keyPEM []byte) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[kubeconfigName] = &clientcmdapi.Cluster{
		Server:                   serverURL,
		CertificateAuthorityData: caPEM,
	}
	cfg.AuthInfos[kubeconfigName] = &clientcmdapi.AuthInfo{
		ClientCertificateData: certPEM,
		ClientKeyData:         keyPEM,
	}
	cfg.Contexts[kubeconfigName] = &clientcmdapi.Context{
		Cluster:  kubeconfigName,
		AuthInfo: kubeconfigName,
	}
	cfg.CurrentContext = kubeconfigName
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return fmt.Errorf("pki: encode kubeconfig %s: %w", path, err)
	}
	// Parent directories are world-readable (as /etc/rancher/k3s is): a
	// kubeconfig written 0644 on purpose must be reachable by other users.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("pki: kubeconfig: %w", err)
	}
	if err := writeFileAtomic(path, data, mode); err != nil {
		return fmt.Errorf("pki: kubeconfig: %w", err)
	}
	return nil
}

// RESTConfig is the in-process equivalent of WriteKubeconfig: a client-go
// config for components that run inside hanok but still talk to the API
// server as their own identity, exactly as they would from another machine.
func RESTConfig(serverURL string, caPEM, certPEM, keyPEM []byte) *rest.Config {
	return &rest.Config{
		Host: serverURL,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   caPEM,
			CertData: certPEM,
			KeyData:  keyPEM,
		},
	}
}
