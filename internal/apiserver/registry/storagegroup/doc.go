// Package storagegroup describes storage.k8s.io/v1 storage classes for the
// generic REST handler (named so to keep clear of apiserver/storage, the
// etcd store). A class is a recipe the provisioner follows for every future
// volume, so what it provisions with is fixed once the class exists.
package storagegroup
