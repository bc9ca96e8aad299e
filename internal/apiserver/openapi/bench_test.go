package openapi

import (
	"runtime"
	"testing"
)

// Run with: go test -run XXX -bench . -benchmem ./internal/apiserver/openapi/
//
// Each benchmark also reports "retained-KB": the heap still held once the
// built thing is kept and everything else collected, i.e. what the server
// pays to keep it for its lifetime.

// BenchmarkNew is what start-up pays: routes and the definition check.
func BenchmarkNew(b *testing.B) {
	resources := testResources()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := New(resources); err != nil {
			b.Fatal(err)
		}
	}
	reportRetained(b, func() any {
		s, _ := New(resources)
		return s
	})
}

// BenchmarkV2 builds and compresses the swagger 2.0 document.
func BenchmarkV2(b *testing.B) {
	benchBuild(b, func(s *Service) error { _, err := s.v2Document(); return err })
}

// BenchmarkV2Protobuf converts the v2 document to gnostic protobuf, as the
// first kubectl asking for it triggers.
func BenchmarkV2Protobuf(b *testing.B) {
	benchBuild(b, func(s *Service) error {
		d, err := s.v2Document()
		if err != nil {
			return err
		}
		_, err = d.protobuf()
		return err
	})
}

// BenchmarkV3 builds every v3 document and the index.
func BenchmarkV3(b *testing.B) {
	benchBuild(b, func(s *Service) error { _, _, err := s.v3Documents(); return err })
}

// BenchmarkTypeConverter builds the server-side apply type converter.
func BenchmarkTypeConverter(b *testing.B) {
	benchBuild(b, func(s *Service) error { _, err := s.tc.get(); return err })
}

// BenchmarkWarm is everything at once, as after Warm.
func BenchmarkWarm(b *testing.B) {
	benchBuild(b, func(s *Service) error {
		if err := s.Warm(); err != nil {
			return err
		}
		d, _ := s.v2Document()
		_, err := d.protobuf()
		return err
	})
}

// benchBuild times build on a fresh Service each iteration (New excluded).
func benchBuild(b *testing.B, build func(*Service) error) {
	resources := testResources()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := New(resources)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := build(s); err != nil {
			b.Fatal(err)
		}
	}
	reportRetained(b, func() any {
		s, _ := New(resources)
		if err := build(s); err != nil {
			b.Fatal(err)
		}
		return s
	})
}

// reportRetained measures the live heap that make's result holds.
func reportRetained(b *testing.B, make func() any) {
	b.StopTimer()
	before := liveHeap()
	kept := make()
	after := liveHeap()
	runtime.KeepAlive(kept)
	b.ReportMetric(float64(int64(after)-int64(before))/1024, "retained-KB")
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
