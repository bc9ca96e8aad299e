package ownedpods

import (
	"testing"
	"time"
)

func TestExpectations(t *testing.T) {
	now := time.Unix(1000, 0)
	e := NewExpectations()
	e.now = func() time.Time { return now }

	if !e.Satisfied("ns/a") {
		t.Fatal("unknown key must be satisfied")
	}
	e.ExpectCreations("ns/a", 2)
	if e.Satisfied("ns/a") {
		t.Fatal("2 pending creates: not satisfied")
	}
	e.CreationObserved("ns/a")
	e.CreationObserved("ns/a")
	e.CreationObserved("ns/a") // an extra observation must not go negative
	if !e.Satisfied("ns/a") {
		t.Fatal("all creates seen: satisfied")
	}
	e.ExpectCreations("ns/a", 1)
	if e.Satisfied("ns/a") {
		t.Fatal("re-armed after the extra observation: not satisfied")
	}

	e.ExpectDeletions("ns/b", []string{"ns/p1", "ns/p2"})
	e.DeletionObserved("ns/b", "ns/p1")
	e.DeletionObserved("ns/b", "ns/p1") // the same pod twice (update with deletionTimestamp, then delete)
	if e.Satisfied("ns/b") {
		t.Fatal("p2 still pending")
	}
	e.DeletionObserved("ns/b", "ns/p2")
	if !e.Satisfied("ns/b") {
		t.Fatal("all deletes seen")
	}

	e.ExpectCreations("ns/c", 1)
	now = now.Add(ExpectationsTTL + time.Second)
	if !e.Satisfied("ns/c") {
		t.Fatal("expired expectations must not block for ever")
	}
	e.Delete("ns/c")
	if !e.Satisfied("ns/c") {
		t.Fatal("deleted key")
	}
}
