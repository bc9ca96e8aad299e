package server

import (
	"net/http"
	"net/http/pprof"
	"os"
)

// startProfiling serves Go's profiler on HANOK_PPROF (e.g. 127.0.0.1:6060)
// when set: a developer's tool for the benchmarks, off by default.
func startProfiling() {
	addr := os.Getenv("HANOK_PPROF")
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/heap", pprof.Index)
	go func() {
		if err := http.ListenAndServe(addr, mux); err != nil {
			log.WithError(err).Warn("HANOK_PPROF")
		}
	}()
}
