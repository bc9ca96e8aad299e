// Package imagelocality is ImageLocality: a score that prefers nodes that
// already hold the pod's images, by their size scaled by how many nodes
// share them (so an image on every node counts little), clamped between
// 23 MB and 1000 MB per container and mapped to 0..100.
package imagelocality
