package staticpod

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// pollInterval is how often the manifest directory is read.
var pollInterval = 2 * time.Second

// Watch delivers the full set of static pods in dir on every change, the
// first set right away (empty if dir is missing or empty). Dotfiles and
// subdirectories are skipped; a file that does not decode is logged and
// left out while the others still run. The channel closes when ctx ends.
func Watch(ctx context.Context, dir, nodeName string) <-chan []*v1.Pod {
	ch := make(chan []*v1.Pod)
	go func() {
		defer close(ch)
		w := &watcher{dir: dir, nodeName: nodeName, seen: map[types.UID]string{}}
		t := time.NewTicker(pollInterval)
		defer t.Stop()
		first := true
		for {
			if pods, changed := w.poll(); changed || first {
				first = false
				select {
				case ch <- pods:
				case <-ctx.Done():
					return
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return ch
}

type watcher struct {
	dir, nodeName string
	fingerprint   string
	seen          map[types.UID]string // config.seen of each pod version
}

// poll reads the directory; when any file changed it decodes them all.
func (w *watcher) poll() ([]*v1.Pod, bool) {
	files, fingerprint := w.read()
	if fingerprint == w.fingerprint {
		return nil, false
	}
	w.fingerprint = fingerprint
	return w.decodeAll(files), true
}

type manifest struct {
	name string
	data []byte
}

// read returns the manifests, sorted by name, and a fingerprint of them.
func (w *watcher) read() ([]manifest, string) {
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		if !os.IsNotExist(err) {
			log.WithError(err).WithField("dir", w.dir).Warn("reading static pod manifests")
		}
		return nil, ""
	}
	var files []manifest
	h := sha256.New()
	for _, e := range entries { // ReadDir sorts by name
		if strings.HasPrefix(e.Name(), ".") || e.IsDir() {
			continue
		}
		p := filepath.Join(w.dir, e.Name())
		data, err := os.ReadFile(p) // follows symlinks
		if err != nil {
			log.WithError(err).WithField("file", p).Warn("reading static pod manifest")
			continue
		}
		files = append(files, manifest{e.Name(), data})
		sum := sha256.Sum256(data)
		h.Write([]byte(e.Name() + "\x00" + hex.EncodeToString(sum[:]) + "\n"))
	}
	return files, hex.EncodeToString(h.Sum(nil))
}

// decodeAll decodes every manifest; a pod named twice is kept from the
// first file only, as upstream.
func (w *watcher) decodeAll(files []manifest) []*v1.Pod {
	pods := []*v1.Pod{}
	byName := map[string]string{}
	seen := map[types.UID]string{}
	now := time.Now().Format(time.RFC3339Nano)
	for _, f := range files {
		decoded, err := decode(f.data, w.nodeName)
		if err != nil {
			log.WithError(err).WithField("file", filepath.Join(w.dir, f.name)).Error("invalid static pod manifest, skipped")
			continue
		}
		for _, p := range decoded {
			key := p.Namespace + "/" + p.Name
			if other, dup := byName[key]; dup {
				log.WithField("file", f.name).WithField("pod", key).Errorf("static pod already defined in %s, skipped", other)
				continue
			}
			byName[key] = f.name
			at, ok := w.seen[p.UID]
			if !ok {
				at = now
			}
			seen[p.UID] = at
			p.Annotations[ConfigSeenAnnotation] = at
			pods = append(pods, p)
		}
	}
	w.seen = seen
	sort.Slice(pods, func(i, j int) bool {
		return pods[i].Namespace+"/"+pods[i].Name < pods[j].Namespace+"/"+pods[j].Name
	})
	return pods
}
