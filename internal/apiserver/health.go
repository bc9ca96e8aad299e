package apiserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"

	hanokversion "github.com/hanok-dev/hanok/internal/version"
)

// serveHealth answers /healthz, /livez and /readyz (and /readyz/<check>)
// like upstream: "ok" or, with ?verbose, one [+]/[-] line per check.
// /readyz also waits for start-up (bootstrap objects) to finish.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	parts := splitPath(r.URL.Path)
	endpoint := parts[0]
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()

	names := make([]string, 0, len(s.cfg.Health))
	for name := range s.cfg.Health {
		if endpoint == "readyz" || name == "etcd" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if len(parts) > 1 {
		names = []string{parts[1]}
	}
	var lines []string
	failed := false
	for _, name := range names {
		var err error
		if name == "bootstrap" {
			if !s.isReady() {
				err = fmt.Errorf("not finished")
			}
		} else if check, ok := s.cfg.Health[name]; ok {
			err = check(ctx)
		} else {
			writeError(w, r, apierrors.NewNotFound(schema.GroupResource{}, name))
			return
		}
		if err != nil && (endpoint == "readyz" || name == "etcd") {
			failed = true
			lines = append(lines, fmt.Sprintf("[-]%s failed: reason withheld", name))
		} else {
			lines = append(lines, fmt.Sprintf("[+]%s ok", name))
		}
	}
	if endpoint == "readyz" && len(parts) == 1 {
		if s.isReady() {
			lines = append(lines, "[+]poststarthook/bootstrap ok")
		} else {
			failed = true
			lines = append(lines, "[-]poststarthook/bootstrap failed: reason withheld")
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if failed {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "%s\n%s check failed\n", strings.Join(lines, "\n"), endpoint)
		return
	}
	if _, verbose := r.URL.Query()["verbose"]; verbose {
		fmt.Fprintf(w, "%s\n%s check passed\n", strings.Join(lines, "\n"), endpoint)
		return
	}
	fmt.Fprint(w, "ok")
}

// serveVersion answers /version with the Kubernetes version hanok speaks.
func (s *Server) serveVersion(w http.ResponseWriter, r *http.Request) {
	info := version.Info{
		Major: hanokversion.KubeMajor, Minor: hanokversion.KubeMinor,
		GitVersion: hanokversion.GitVersion(), GitCommit: hanokversion.Commit,
		GitTreeState: "clean", BuildDate: hanokversion.BuildDate,
		GoVersion: runtime.Version(), Compiler: runtime.Compiler,
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(info)
}

// serveRootPaths lists the paths served, as upstream's "/" does.
func (s *Server) serveRootPaths(w http.ResponseWriter, r *http.Request) {
	paths := []string{"/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version"}
	for _, g := range s.discovery.groups {
		if g == "" {
			continue
		}
		paths = append(paths, "/apis/"+g)
		for _, v := range s.discovery.versions[g] {
			paths = append(paths, "/apis/"+g+"/"+v)
		}
	}
	for p := range s.nonResource {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(metav1.RootPaths{Paths: paths})
}

// serveComponentStatuses answers the legacy componentstatuses resource
// from the health checks of etcd, the scheduler and the controller manager.
func (s *Server) serveComponentStatuses(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	if info.Verb != "get" && info.Verb != "list" {
		writeError(w, r, apierrors.NewMethodNotSupported(schema.GroupResource{Resource: "componentstatuses"}, info.Verb))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	list := &corev1.ComponentStatusList{}
	for _, name := range []string{"scheduler", "controller-manager", "etcd-0"} {
		if info.Name != "" && info.Name != name {
			continue
		}
		check := s.cfg.Components[name]
		if name == "etcd-0" {
			check = s.cfg.Health["etcd"]
		}
		cond := corev1.ComponentCondition{Type: corev1.ComponentHealthy, Status: corev1.ConditionTrue, Message: "ok"}
		switch {
		case check == nil:
			cond.Status, cond.Message, cond.Error = corev1.ConditionFalse, "", "not running in this server"
		default:
			if err := check(ctx); err != nil {
				cond.Status, cond.Message, cond.Error = corev1.ConditionFalse, "", err.Error()
			}
		}
		if name == "etcd-0" && cond.Status == corev1.ConditionTrue {
			cond.Message = `{"health":"true","reason":""}`
		}
		list.Items = append(list.Items, corev1.ComponentStatus{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Conditions: []corev1.ComponentCondition{cond},
		})
	}
	if info.Name != "" && len(list.Items) == 0 {
		writeError(w, r, apierrors.NewNotFound(schema.GroupResource{Resource: "componentstatuses"}, info.Name))
		return
	}
	format, ok := negotiateOutput(r, asTable)
	if !ok {
		writeError(w, r, notAcceptable())
		return
	}
	w.Header().Add("Warning", `299 - "v1 ComponentStatus is deprecated in v1.19+"`)
	if format.as == asTable {
		table := &metav1.Table{ColumnDefinitions: []metav1.TableColumnDefinition{
			nameColumn, {Name: "Status", Type: "string"}, {Name: "Message", Type: "string"}, {Name: "Error", Type: "string"},
		}}
		for i := range list.Items {
			c := list.Items[i].Conditions[0]
			status := "Healthy"
			if c.Status != corev1.ConditionTrue {
				status = "Unhealthy"
			}
			row := metav1.TableRow{Cells: []interface{}{list.Items[i].Name, status, c.Message, c.Error}}
			raw, _ := encodeRaw(format, partialMetadata(&list.Items[i]))
			row.Object.Raw = raw
			table.Rows = append(table.Rows, row)
		}
		table.SetGroupVersionKind(metav1.SchemeGroupVersion.WithKind("Table"))
		writeObjectWithFormat(w, http.StatusOK, format, table)
		return
	}
	if info.Name != "" {
		obj := &list.Items[0]
		obj.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ComponentStatus"))
		writeObjectWithFormat(w, http.StatusOK, format, obj)
		return
	}
	list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ComponentStatusList"))
	writeObjectWithFormat(w, http.StatusOK, format, list)
}
