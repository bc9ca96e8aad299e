package staticpod

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
)

func TestMain(m *testing.M) {
	pollInterval = 20 * time.Millisecond
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// write replaces a file atomically (through a dotfile, which Watch
// skips), so a poll never sees half of it.
func write(t *testing.T, dir, name, data string) {
	t.Helper()
	tmp := filepath.Join(dir, ".tmp-"+name)
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// next waits for the next set from Watch.
func next(t *testing.T, ch <-chan []*v1.Pod) []*v1.Pod {
	t.Helper()
	select {
	case pods, ok := <-ch:
		if !ok {
			t.Fatal("watch closed")
		}
		return pods
	case <-time.After(10 * time.Second):
		t.Fatal("no update from Watch")
	}
	return nil
}

func podNames(pods []*v1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return out
}

func TestWatch(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	missing := filepath.Join(dir, "later")
	ch := Watch(ctx, missing, "n1")
	if pods := next(t, ch); len(pods) != 0 {
		t.Fatalf("missing dir: %v", podNames(pods))
	}
	// The directory appears with its files at once.
	staging := filepath.Join(dir, "staging")
	if err := os.MkdirAll(filepath.Join(staging, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, staging, "web.json", podJSON)
	write(t, staging, ".hidden.yaml", podYAML)
	write(t, staging, "broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: broken}\nspec: {containers: []}\n")
	write(t, filepath.Join(staging, "sub"), "nested.json", podJSON)
	if err := os.Rename(staging, missing); err != nil {
		t.Fatal(err)
	}
	pods := next(t, ch)
	if got := podNames(pods); len(got) != 1 || got[0] != "web-n1" {
		t.Fatalf("pods = %v, want [web-n1] (dotfile and broken file skipped)", got)
	}
	firstUID, seen := pods[0].UID, pods[0].Annotations[ConfigSeenAnnotation]
	if seen == "" {
		t.Error("no config.seen annotation")
	}

	write(t, missing, "etcd.yaml", podYAML)
	pods = next(t, ch)
	if got := podNames(pods); len(got) != 2 || got[0] != "web-n1" || got[1] != "etcd-n1" {
		t.Fatalf("pods = %v, want [web-n1 etcd-n1] (sorted by namespace/name)", got)
	}
	if pods[0].UID != firstUID || pods[0].Annotations[ConfigSeenAnnotation] != seen {
		t.Error("an unchanged manifest got a new UID or seen time")
	}

	write(t, missing, "dup.json", podJSON) // same pod name again: first file wins
	pods = next(t, ch)
	if len(pods) != 2 {
		t.Fatalf("duplicate pod: %v", podNames(pods))
	}

	if err := os.Remove(filepath.Join(missing, "etcd.yaml")); err != nil {
		t.Fatal(err)
	}
	if got := podNames(next(t, ch)); len(got) != 1 || got[0] != "web-n1" {
		t.Fatalf("after removal: %v", got)
	}

	cancel()
	for range ch { // drains, then closes
	}
}

func removeFile(dir, name string) error { return os.Remove(filepath.Join(dir, name)) }
