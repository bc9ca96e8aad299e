// Package imagebuild makes container images from files, with no registry and
// no Docker: a list of files becomes one layer, plus an image config
// (entrypoint, command, environment, working directory, user).
//
// Data flows in as an Image value (files held in memory: the images built here
// are small, a static program or busybox) and out as a go-containerregistry
// v1.Image (Build, for tests that serve it from an in-process registry) or a
// docker-archive tar (Write), the format `docker save` writes and containerd's
// import reads, with the reference recorded in its manifest.json.
//
// The output is reproducible: timestamps are fixed and entries sorted, so the
// same files give the same image digest. hanok's build uses it for the pause
// image shipped inside the binary; tests use Busybox and GoProgram to make
// their workloads' images locally.
package imagebuild
