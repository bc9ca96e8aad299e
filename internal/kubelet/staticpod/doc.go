// Package staticpod reads static pod manifests from a directory
// (<data-dir>/agent/pod-manifests) and shows them in the API server as
// mirror pods, as upstream's kubelet file source and mirror client do.
//
// Watch polls the directory and delivers the full set of pods, decoded
// (YAML or JSON, a Pod or a PodList), named "<name>-<node>", defaulted and
// given a UID that is a hash of their content and node, so an edited
// manifest is a new pod. SyncMirrors is level-based: given that set, it
// creates, replaces and deletes the node's mirror pods through the API
// (with the node's own identity; NodeRestriction lets a node create only
// mirror pods bound to it and owned by its Node).
package staticpod
