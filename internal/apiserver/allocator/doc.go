// Package allocator hands out Service ClusterIPs and NodePorts so that no
// value is ever given twice, even with several API servers allocating at
// once.
//
// What it owns: the allocation state, kept in etcd as one key per allocated
// value (/registry/ranges/serviceips/<ip>, /registry/ranges/servicenodeports/
// <port>). A value is taken by creating its key in a transaction that
// requires the key to be absent, so etcd itself arbitrates every race: two
// servers picking the same free value get one success and one retry. There
// is no in-memory state, nothing to repair after a crash but leaked keys of
// values whose Service was never stored (a repair loop can compare keys with
// Services; Release deletes any key, in range or not, for that purpose).
//
// Data in: the Service registry calls Allocate for a value a client asked
// for (errors ErrAllocated / ErrNotInRange map to a 422 on that field),
// AllocateNext for a random free value (ErrFull when none is left), Release
// when a Service is deleted or its value changes, Has to check.
//
// Ranges: a ClusterIP range is the service CIDR without its network address
// (and, for IPv4, its broadcast address); its first usable IP is reserved
// for the "kubernetes" Service: AllocateNext never returns it, Allocate
// does. NodePorts are min..max inclusive. As upstream does, AllocateNext
// prefers the upper part of a range and leaves a small lower band (e.g. the
// first 256 IPs of a /16, 10.43.0.10 for cluster DNS among them) to values
// clients ask for by name.
package allocator
