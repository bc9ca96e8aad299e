// Package pki owns hanok's certificate authorities, leaf certificates,
// service-account signing key and kubeconfigs.
//
// Layout (like k3s's server/tls, under Options.Dir = <data-dir>/server/tls):
//
//	server-ca.{crt,key}               signs serving certs; CAHash(server-ca.crt) goes in join tokens
//	client-ca.{crt,key}               signs every client cert (admin, components, kubelets)
//	serving-kube-apiserver.{crt,key}  the API server's serving cert
//	client-admin.{crt,key}            system:admin / system:masters
//	client-<name>.{crt,key}           per-component identities from IssueClientCert
//	serving-<name>.{crt,key}          other serving certs (kubelet) from IssueServingCert
//	service.key                       signs service-account tokens
//	etcd/server-ca, etcd/peer-ca      etcd's own CAs (client and peer traffic)
//	etcd/server-client.{crt,key}      etcd's serving cert (also usable as a client cert)
//	etcd/peer-server-client.{crt,key} etcd peer cert (serving and client side of peer links)
//	etcd/client.{crt,key}             the API server's client cert for etcd
//
// Data flow: EnsureServer is called once at server start. It loads what is on
// disk and only writes what is missing or no longer fit: a CA is created once
// and then only ever reused (everything joined to the cluster trusts it); a
// leaf is re-issued from the same CA when it is within RenewBefore of expiry,
// was not signed by the current CA, or no longer covers the wanted names (so
// adding --tls-san works on restart). The resulting Bundle holds the file
// paths and the parsed material; other packages take TLS configs, PEM bytes or
// file paths from it and never read the directory themselves.
//
// All keys are ECDSA P-256: generating one takes microseconds, so a first
// start is not slowed by key generation. Files are replaced atomically
// (write to a temp file, rename), keys with mode 0600.
package pki
