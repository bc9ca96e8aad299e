package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// proc is one measured process.
type proc struct {
	pid   int
	name  string
	pssKB int
}

// matchingProcs lists processes whose command line or cgroup contains
// match, with their PSS.
func matchingProcs(match string) []proc {
	entries, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		cmdline, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		cgroup, _ := os.ReadFile(filepath.Join(dir, "cgroup"))
		// The tool itself (and `go run` above it) names the match in
		// its own arguments.
		if !matchesAny(string(cmdline), string(cgroup), match) || strings.Contains(string(cmdline), "proc-match") {
			continue
		}
		args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		name := filepath.Base(args[0])
		if len(args) > 1 && name == "hanok" {
			name += " " + args[1]
		}
		out = append(out, proc{pid: pid, name: name, pssKB: pss(dir)})
	}
	return out
}

// pss reads the proportional set size, which splits shared pages (the
// hanok binary mapped by every shim) fairly among the processes.
func pss(dir string) int {
	f, err := os.Open(filepath.Join(dir, "smaps_rollup"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) >= 2 && fields[0] == "Pss:" {
			kb, _ := strconv.Atoi(fields[1])
			return kb
		}
	}
	return 0
}

// printMemory prints the total PSS and where it goes, by process name.
func printMemory(when, match string, pods int) {
	byName := map[string][2]int{}
	total := 0
	for _, p := range matchingProcs(match) {
		v := byName[p.name]
		byName[p.name] = [2]int{v[0] + p.pssKB, v[1] + 1}
		total += p.pssKB
	}
	fmt.Printf("memory %-16s total %6.1f MB PSS", when, float64(total)/1024)
	if pods > 0 {
		fmt.Printf(" (%d pods)", pods)
	}
	fmt.Println()
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return byName[names[i]][0] > byName[names[j]][0] })
	for _, n := range names {
		fmt.Printf("    %-32s %3d procs %8.1f MB\n", n, byName[n][1], float64(byName[n][0])/1024)
	}
}

// printCPU prints the CPU the matched processes used over a window, by name.
func printCPU(match string, pods int, window time.Duration) {
	before := cpuTicks(match)
	time.Sleep(window)
	after := cpuTicks(match)
	hz := 100.0 // USER_HZ on Linux
	fmt.Printf("cpu idle with %d pods over %v:\n", pods, window)
	for name, t := range after {
		used := float64(t-before[name]) / hz
		fmt.Printf("    %-32s %5.1f%% of a core\n", name, 100*used/window.Seconds())
	}
}

func cpuTicks(match string) map[string]int64 {
	out := map[string]int64{}
	for _, p := range matchingProcs(match) {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
		if err != nil {
			continue
		}
		// Fields after the command name (which may hold spaces).
		rest := string(data)[strings.LastIndexByte(string(data), ')')+2:]
		f := strings.Fields(rest)
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		out[p.name] += utime + stime
	}
	return out
}

// matchesAny reports whether the command line or cgroup holds any of the
// comma-separated substrings.
func matchesAny(cmdline, cgroup, match string) bool {
	for _, m := range strings.Split(match, ",") {
		if m = strings.TrimSpace(m); m != "" && (strings.Contains(cmdline, m) || strings.Contains(cgroup, m)) {
			return true
		}
	}
	return false
}
