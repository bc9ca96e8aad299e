// Package e2e drives the built hanok binary (HANOK_BIN, built by `make`)
// with real kubectl and client-go, as a user would. Every test starts its
// own server on 127.0.0.1 with free ports and a temporary data dir, and
// stops only the processes it started, by PID.
package e2e
