// Package server wires `hanok server`: it lays out the data dir, makes or
// reuses the PKI, starts embedded etcd, builds the API server on it, creates
// the bootstrap objects, writes the admin kubeconfig and serves HTTPS until
// the context ends; then it shuts down in reverse order so no write is lost.
//
// Data flows one way: flags (cli) -> Config -> components. The scheduler,
// controllers and agent arrive as API clients with their own identities.
package server
