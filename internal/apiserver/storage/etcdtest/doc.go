// Package etcdtest starts a throwaway embedded etcd for tests.
//
// It owns nothing but the test server's lifecycle: Start brings up a single
// member on a temporary data dir, listening on 127.0.0.1 ports chosen by the
// kernel, and hands back a connected clientv3.Client; Stop closes the client,
// the server, and removes the data dir. Packages share one server per test
// binary by calling Start from TestMain, which keeps tests fast (an etcd start
// costs about a second; a prefix per test keeps tests apart).
package etcdtest
