package batch

import (
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Resources describes the batch/v1 kinds hanok serves.
func Resources() []*registry.Resource {
	gv := batchv1.SchemeGroupVersion
	return []*registry.Resource{
		{
			GroupVersion: gv, Kind: "Job", Plural: "jobs", Singular: "job",
			Categories: []string{"all"}, Namespaced: true,
			New:          func() runtime.Object { return &batchv1.Job{} },
			NewList:      func() runtime.Object { return &batchv1.JobList{} },
			Strategy:     jobStrategy{},
			Subresources: []string{"status"},
		},
		{
			GroupVersion: gv, Kind: "CronJob", Plural: "cronjobs", Singular: "cronjob",
			ShortNames: []string{"cj"}, Categories: []string{"all"}, Namespaced: true,
			New:          func() runtime.Object { return &batchv1.CronJob{} },
			NewList:      func() runtime.Object { return &batchv1.CronJobList{} },
			Strategy:     cronJobStrategy{},
			Subresources: []string{"status"},
		},
	}
}
