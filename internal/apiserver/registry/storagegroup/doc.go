// Package storagegroup describes the storage.k8s.io/v1 kinds for the
// generic REST handler (named so to keep clear of apiserver/storage, the
// etcd store): storage classes, CSI drivers and nodes, volume attachments
// and storage capacities. A class is a recipe the provisioner follows for
// every future volume, and a driver's attach and mount answers hold for
// every volume already in use, so those are fixed once the object exists;
// an attachment is for one volume on one node, so its spec never changes.
// The scheduler and kubelet are the main readers and writers.
package storagegroup
