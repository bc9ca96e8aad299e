package server

import (
	"encoding/json"
	"net/http"
	"os"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok"))
}

// pods serves GET /pods: the pods this kubelet runs, as a v1 PodList.
func (s *server) pods(w http.ResponseWriter, r *http.Request) {
	list := v1.PodList{TypeMeta: metav1.TypeMeta{Kind: "PodList", APIVersion: "v1"}, Items: []v1.Pod{}}
	for _, p := range s.cfg.Provider.Pods() {
		if p != nil {
			list.Items = append(list.Items, *p)
		}
	}
	writeJSON(w, list)
}

func writeJSON(w http.ResponseWriter, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

// systemLogs serves /logs/: the host's /var/log, as upstream's system log
// handler does (nodes/log).
func systemLogs() http.Handler {
	if _, err := os.Stat("/var/log"); err != nil {
		return http.NotFoundHandler()
	}
	return http.StripPrefix("/logs/", http.FileServer(http.Dir("/var/log")))
}
