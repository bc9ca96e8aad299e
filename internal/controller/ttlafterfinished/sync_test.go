package ttlafterfinished

import (
	"context"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	batchlisters "k8s.io/client-go/listers/batch/v1"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/controller"
)

// TestSyncRechecksLiveJob: the cache says the TTL ran out, but the live
// Job's TTL was raised meanwhile, so nothing is deleted and the key waits
// for the new expiry; once the live Job agrees, it is deleted in the
// background, its UID as precondition.
func TestSyncRechecksLiveJob(t *testing.T) {
	finished := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	now := finished.Add(30 * time.Second)
	stale := finishedJob(ptr(int32(10)), batchv1.JobComplete, corev1.ConditionTrue, finished)
	stale.UID = "u1"
	live := stale.DeepCopy()
	live.Spec.TTLSecondsAfterFinished = ptr(int32(3600))

	indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	if err := indexer.Add(stale); err != nil {
		t.Fatal(err)
	}
	client := fake.NewClientset(live)
	tc := &Controller{client: client, jobs: batchlisters.NewJobLister(indexer), now: func() time.Time { return now },
		log: logrus.WithField("component", Name)}
	tc.loop = controller.NewLoop(Name, tc.sync)
	defer tc.loop.Queue.ShutDown()

	if err := tc.sync(context.Background(), "ns/j"); err != nil {
		t.Fatal(err)
	}
	for _, a := range client.Actions() {
		if a.GetVerb() == "delete" {
			t.Fatal("deleted a job whose live TTL has not run out")
		}
	}

	// The live Job's TTL is back to 10s: now it goes.
	live.Spec.TTLSecondsAfterFinished = ptr(int32(10))
	if _, err := client.BatchV1().Jobs("ns").Update(context.Background(), live, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	client.ClearActions()
	if err := tc.sync(context.Background(), "ns/j"); err != nil {
		t.Fatal(err)
	}
	var deleted bool
	for _, a := range client.Actions() {
		if d, ok := a.(k8stesting.DeleteAction); ok {
			deleted = true
			opts := d.GetDeleteOptions()
			if opts.PropagationPolicy == nil || *opts.PropagationPolicy != metav1.DeletePropagationForeground ||
				opts.Preconditions == nil || opts.Preconditions.UID == nil || *opts.Preconditions.UID != "u1" {
				t.Fatalf("delete options %+v", opts)
			}
		}
	}
	if !deleted {
		t.Fatalf("job not deleted; actions %v", client.Actions())
	}
}

func ptr[T any](v T) *T { return &v }
