package job

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Indexes is a set of completion indexes.
type Indexes map[int]bool

// ParseIndexes reads a completedIndexes string ("1,3-5,7"), ignoring
// indexes at or past completions and anything garbled.
func ParseIndexes(s string, completions int) Indexes {
	out := Indexes{}
	if s == "" {
		return out
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				continue
			}
		}
		for i := a; i <= b && i < completions; i++ {
			if i >= 0 {
				out[i] = true
			}
		}
	}
	return out
}

// String writes the set as completedIndexes does: sorted, with runs of
// consecutive indexes as "a-b".
func (ix Indexes) String() string {
	list := make([]int, 0, len(ix))
	for i := range ix {
		list = append(list, i)
	}
	sort.Ints(list)
	var parts []string
	for i := 0; i < len(list); {
		j := i
		for j+1 < len(list) && list[j+1] == list[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(list[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", list[i], list[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// Missing are the indexes below completions that are neither completed
// nor running, lowest first, at most n of them.
func Missing(completed, running Indexes, completions, n int) []int {
	var out []int
	for i := 0; i < completions && len(out) < n; i++ {
		if !completed[i] && !running[i] {
			out = append(out, i)
		}
	}
	return out
}
