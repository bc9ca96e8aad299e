package containerd

import (
	"bytes"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestWriteContainers(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cs := []*runtimeapi.Container{{
		Id: "aaaaaaaaaaaaaaaaaaaa", PodSandboxId: "pppppppppppppppppp",
		Metadata:  &runtimeapi.ContainerMetadata{Name: "web", Attempt: 2},
		Image:     &runtimeapi.ImageSpec{Image: "docker.io/library/nginx:1"},
		State:     runtimeapi.ContainerState_CONTAINER_RUNNING,
		CreatedAt: now.Add(-3 * time.Minute).UnixNano(),
		Labels:    map[string]string{podNameLabel: "web-0"},
	}, {
		Id: "bbbbbbbbbbbbbbbbbbbb", PodSandboxId: "qqqqqqqqqqqqqqqqqq",
		Metadata:  &runtimeapi.ContainerMetadata{Name: "init"},
		Image:     &runtimeapi.ImageSpec{Image: "sha256:0123456789abcdef0123"},
		State:     runtimeapi.ContainerState_CONTAINER_EXITED,
		CreatedAt: now.Add(-2 * time.Hour).UnixNano(),
	}}
	var out bytes.Buffer
	if err := writeContainers(&out, cs, map[string]string{"qqqqqqqqqqqqqqqqqq": "job-x"}, false, now); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"CONTAINER           IMAGE                       CREATED             STATE               NAME                ATTEMPT             POD ID              POD\n" +
		"aaaaaaaaaaaaa       docker.io/library/nginx:1   3 minutes ago       Running             web                 2                   ppppppppppppp       web-0\n" +
		"bbbbbbbbbbbbb       0123456789abc               2 hours ago         Exited              init                0                   qqqqqqqqqqqqq       job-x\n"
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
	out.Reset()
	if err := writeContainers(&out, cs, nil, true, now); err != nil {
		t.Fatal(err)
	}
	if want := "aaaaaaaaaaaaaaaaaaaa\nbbbbbbbbbbbbbbbbbbbb\n"; out.String() != want {
		t.Errorf("quiet: got %q, want %q", out.String(), want)
	}
}

func TestWriteImages(t *testing.T) {
	imgs := []*runtimeapi.Image{
		{Id: "sha256:1111111111111111111111", RepoTags: []string{"127.0.0.1:5000/app:v1", "docker.io/library/app:latest"}, Size: 1500000},
		{Id: "sha256:2222222222222222222222", RepoDigests: []string{"docker.io/library/x@sha256:abc"}, Size: 10},
	}
	var out bytes.Buffer
	if err := writeImages(&out, imgs, false); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"IMAGE                   TAG                 IMAGE ID            SIZE\n" +
		"127.0.0.1:5000/app      v1                  1111111111111       1.5MB\n" +
		"docker.io/library/app   latest              1111111111111       1.5MB\n" +
		"docker.io/library/x     <none>              2222222222222       10B\n"
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
