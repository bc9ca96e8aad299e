package batch

import (
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

// indexedSpec is a valid Indexed job spec with its pod template defaulted
// (the tests call the spec validation directly, without the pipeline).
func indexedSpec() batchv1.JobSpec {
	spec := batchv1.JobSpec{
		CompletionMode: ptr(batchv1.IndexedCompletion), Completions: ptr[int32](10),
		BackoffLimitPerIndex: ptr[int32](1), Template: podTemplate(),
	}
	podspec.DefaultPodSpec(&spec.Template.Spec)
	return spec
}

func TestPodFailurePolicy(t *testing.T) {
	exit := func(op batchv1.PodFailurePolicyOnExitCodesOperator, values ...int32) *batchv1.PodFailurePolicyOnExitCodesRequirement {
		return &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: op, Values: values}
	}
	cond := []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: v1.DisruptionTarget, Status: v1.ConditionTrue}}
	tests := []struct {
		name string
		rule batchv1.PodFailurePolicyRule
		want []registrytest.WantErr
	}{
		{"exit codes", batchv1.PodFailurePolicyRule{Action: "FailJob", OnExitCodes: exit("In", 1, 42)}, nil},
		{"conditions", batchv1.PodFailurePolicyRule{Action: "Ignore", OnPodConditions: cond}, nil},
		{"fail index", batchv1.PodFailurePolicyRule{Action: "FailIndex", OnExitCodes: exit("NotIn", 0)}, nil},
		{"no action", batchv1.PodFailurePolicyRule{OnExitCodes: exit("In", 1)},
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.podFailurePolicy.rules[0].action"}}},
		{"bad action", batchv1.PodFailurePolicyRule{Action: "Retry", OnExitCodes: exit("In", 1)},
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.podFailurePolicy.rules[0].action"}}},
		{"neither requirement", batchv1.PodFailurePolicyRule{Action: "Count"},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.podFailurePolicy.rules[0]"}}},
		{"both requirements", batchv1.PodFailurePolicyRule{Action: "Count", OnExitCodes: exit("In", 1), OnPodConditions: cond},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.podFailurePolicy.rules[0]"}}},
		{"zero with In", batchv1.PodFailurePolicyRule{Action: "Count", OnExitCodes: exit("In", 0)},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.podFailurePolicy.rules[0].onExitCodes.values[0]"}}},
		{"unordered", batchv1.PodFailurePolicyRule{Action: "Count", OnExitCodes: exit("In", 5, 3)},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.podFailurePolicy.rules[0].onExitCodes.values"}}},
		{"duplicate", batchv1.PodFailurePolicyRule{Action: "Count", OnExitCodes: exit("In", 3, 3)},
			[]registrytest.WantErr{{Type: field.ErrorTypeDuplicate, Field: "spec.podFailurePolicy.rules[0].onExitCodes.values[1]"}}},
		{"unknown container", batchv1.PodFailurePolicyRule{Action: "Count", OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{
			ContainerName: ptr("nope"), Operator: "In", Values: []int32{1}}},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.podFailurePolicy.rules[0].onExitCodes.containerName"}}},
		{"bad status", batchv1.PodFailurePolicyRule{Action: "Count", OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: "Ready", Status: "Maybe"}}},
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.podFailurePolicy.rules[0].onPodConditions[0].status"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := indexedSpec()
			spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{tt.rule}}
			spec.PodReplacementPolicy = ptr(batchv1.Failed)
			registrytest.CheckErrors(t, validateJobSpec(&spec, field.NewPath("spec")), tt.want...)
		})
	}
}

func TestSuccessPolicy(t *testing.T) {
	tests := []struct {
		name    string
		indexed bool
		rules   []batchv1.SuccessPolicyRule
		want    []registrytest.WantErr
	}{
		{"count", true, []batchv1.SuccessPolicyRule{{SucceededCount: ptr[int32](3)}}, nil},
		{"indexes", true, []batchv1.SuccessPolicyRule{{SucceededIndexes: ptr("0,2-4"), SucceededCount: ptr[int32](4)}}, nil},
		{"not indexed", false, []batchv1.SuccessPolicyRule{{SucceededCount: ptr[int32](1)}},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.successPolicy"}}},
		{"no rules", true, nil, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.successPolicy.rules"}}},
		{"empty rule", true, []batchv1.SuccessPolicyRule{{}}, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.successPolicy.rules[0]"}}},
		{"count above completions", true, []batchv1.SuccessPolicyRule{{SucceededCount: ptr[int32](11)}},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.successPolicy.rules[0].succeededCount"}}},
		{"count above indexes", true, []batchv1.SuccessPolicyRule{{SucceededIndexes: ptr("1-2"), SucceededCount: ptr[int32](3)}},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.successPolicy.rules[0].succeededCount"}}},
		{"index out of range", true, []batchv1.SuccessPolicyRule{{SucceededIndexes: ptr("9-10")}},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.successPolicy.rules[0].succeededIndexes"}}},
		{"decreasing", true, []batchv1.SuccessPolicyRule{{SucceededIndexes: ptr("5,3")}},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.successPolicy.rules[0].succeededIndexes"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := indexedSpec()
			spec.BackoffLimitPerIndex = nil
			if !tt.indexed {
				spec.CompletionMode = ptr(batchv1.NonIndexedCompletion)
			}
			spec.SuccessPolicy = &batchv1.SuccessPolicy{Rules: tt.rules}
			registrytest.CheckErrors(t, validateJobSpec(&spec, field.NewPath("spec")), tt.want...)
		})
	}
}

func TestCountIndexes(t *testing.T) {
	tests := []struct {
		in   string
		n    int32
		fail bool
	}{
		{"0", 1, false}, {"0,2-4,7", 5, false}, {"1-1", 0, true}, {"3,1", 0, true}, {"x", 0, true}, {"8-12", 0, true}, {"2-3,3", 0, true},
	}
	for _, tt := range tests {
		n, err := countIndexes(tt.in, 10)
		if (err != nil) != tt.fail || (!tt.fail && n != tt.n) {
			t.Errorf("%q: %d %v", tt.in, n, err)
		}
	}
}
