package controlplane_test

import (
	"errors"
	"fmt"
	"testing"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// clientsetFor is a clientset made from a config in a test.
type clientsetFor = kubernetes.Clientset

func newClientset(t testing.TB, cfg *rest.Config) *clientsetFor {
	t.Helper()
	cfg.QPS = -1
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func errorsAs(err error, target any) bool { return err != nil && errors.As(err, target) }

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
