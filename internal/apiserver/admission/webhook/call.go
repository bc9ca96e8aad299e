package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// maxResponseBytes bounds a webhook's answer: enough for a patch that
// rewrites a whole object at etcd's 1.5 MiB request limit, twice over.
const maxResponseBytes = 3 << 20

// maxWarningBytes bounds one warning, as upstream's recorder does.
const maxWarningBytes = 4096

// shouldCall tells whether h applies to the write: its rules, then its
// namespace and object selectors. A dry run reaching a webhook that may
// have side effects is refused outright, before any call.
func (d *dispatcher) shouldCall(ctx context.Context, h *hook, a *admission.Attributes) (bool, error) {
	if !h.matchesRules(a) {
		return false, nil
	}
	if ok, err := h.matchesNamespace(ctx, a, &d.deps); err != nil || !ok {
		return false, err
	}
	if ok, err := h.matchesObject(a); err != nil || !ok {
		return false, err
	}
	if a.DryRun && !sideEffectFree(h.sideEffects) {
		return false, dryRunUnsupported(h.name)
	}
	return true, nil
}

func sideEffectFree(se *admissionregistrationv1.SideEffectClass) bool {
	return se != nil && (*se == admissionregistrationv1.SideEffectClassNone || *se == admissionregistrationv1.SideEffectClassNoneOnDryRun)
}

// call sends h the review of the write and returns its answer. Every way
// of not getting a usable answer is a *callError, for failurePolicy to
// judge; warnings of the answer are passed on to the client here.
func (d *dispatcher) call(ctx context.Context, h *hook, a *admission.Attributes) (*admissionv1.AdmissionResponse, error) {
	fail := func(format string, args ...any) error {
		return &callError{webhook: h.name, err: fmt.Errorf(format, args...)}
	}
	version, err := reviewVersion(h.reviewVersions)
	if err != nil {
		return nil, fail("%w", err)
	}
	review, err := newReview(version, a)
	if err != nil {
		return nil, fail("%w", err)
	}
	body, err := json.Marshal(review)
	if err != nil {
		return nil, fail("encoding the AdmissionReview: %w", err)
	}
	t, err := d.deps.resolve(&h.clientConfig)
	if err != nil {
		return nil, fail("%w", err)
	}
	client, err := d.clients.get(h.clientConfig.CABundle, t.serverName)
	if err != nil {
		return nil, fail("%w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	// The timeout also goes to the webhook, as upstream's client sends
	// it, so a webhook can give up when nobody waits for its answer.
	u := *t.url
	q := u.Query()
	q.Set("timeout", h.timeout.String())
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fail("%w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fail("failed to call webhook: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, fail("failed to call webhook: reading the answer: %w", err)
	}
	if len(raw) > maxResponseBytes {
		return nil, fail("the answer is larger than %d bytes", maxResponseBytes)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fail("the server answered %d %s: %s", resp.StatusCode, http.StatusText(resp.StatusCode), excerpt(raw))
	}
	got := &admissionv1.AdmissionReview{}
	if err := json.Unmarshal(raw, got); err != nil {
		return nil, fail("decoding the answer as an AdmissionReview: %w", err)
	}
	if err := checkResponse(review, got); err != nil {
		return nil, fail("%w", err)
	}
	for _, w := range got.Response.Warnings {
		a.AddWarning(cleanWarning(w))
	}
	return got.Response, nil
}

// handleFailure applies failurePolicy to err: nil (skip the webhook) under
// Ignore for a failed call, the client's error otherwise.
func (d *dispatcher) handleFailure(h *hook, a *admission.Attributes, err error) error {
	var ce *callError
	if !errors.As(err, &ce) {
		return err
	}
	if h.failOpen {
		d.log.WithField("webhook", h.name).WithField("resource", a.Resource.String()).
			WithError(err).Warn("webhook call failed; failurePolicy Ignore lets the request through")
		return nil
	}
	return ce.refuse()
}

// excerpt is the start of a body for an error message.
func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// cleanWarning keeps a webhook's warning printable and bounded: it ends up
// in an HTTP header.
func cleanWarning(w string) string {
	w = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return ' '
		}
		return r
	}, w)
	if len(w) > maxWarningBytes {
		w = w[:maxWarningBytes]
	}
	return strings.TrimSpace(w)
}
