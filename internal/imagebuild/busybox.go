package imagebuild

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
)

// BusyboxPath is where Debian's busybox-static installs its binary.
var BusyboxPath = "/bin/busybox"

// Path is the PATH of the images built here.
const Path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Busybox is a small userland image: the host's static busybox, a link for
// every applet it was built with (sh, echo, sleep, cat, wget, nc, httpd, ls,
// ...), /etc/passwd and /etc/group with root and nobody, /root and a
// world-writable /tmp. Its command is sh.
//
// It needs a statically linked busybox at BusyboxPath: on Debian,
// `apt-get install busybox-static`.
func Busybox() (Image, error) {
	data, err := os.ReadFile(BusyboxPath)
	if err != nil {
		return Image{}, fmt.Errorf("busybox: %w (on Debian: apt-get install busybox-static)", err)
	}
	if err := checkStatic(BusyboxPath); err != nil {
		return Image{}, fmt.Errorf("busybox: %w (on Debian: apt-get install busybox-static)", err)
	}
	out, err := exec.Command(BusyboxPath, "--list-full").Output()
	if err != nil {
		return Image{}, fmt.Errorf("busybox --list-full: %w", err)
	}
	img := Image{
		Files: []File{
			Executable("/bin/busybox", data),
			Dir("/tmp", fs.ModeSticky|0o777),
			Dir("/root", 0o700),
			Dir("/home", 0o755),
			Dir("/var", 0o755),
			{Path: "/etc/passwd", Mode: 0o644, Data: []byte(
				"root:x:0:0:root:/root:/bin/sh\n" +
					"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")},
			{Path: "/etc/group", Mode: 0o644, Data: []byte("root:x:0:\nnobody:x:65534:\n")},
		},
		Env: []string{"PATH=" + Path},
		Cmd: []string{"sh"},
	}
	for _, applet := range appletPaths(out) {
		img.Files = append(img.Files, Symlink(applet, "/bin/busybox"))
	}
	return img, nil
}

// appletPaths parses `busybox --list-full` ("bin/sh", "usr/bin/wget", ...),
// leaving out busybox itself.
func appletPaths(listing []byte) []string {
	var paths []string
	for _, line := range strings.Split(string(bytes.TrimSpace(listing)), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line == "bin/busybox" {
			continue
		}
		paths = append(paths, "/"+strings.TrimPrefix(line, "/"))
	}
	return paths
}

// checkStatic refuses a dynamically linked binary: it would not run in an
// image without the host's libraries.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked", path)
		}
	}
	return nil
}
