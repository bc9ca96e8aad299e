package meminfo

import "testing"

func TestField(t *testing.T) {
	text := "MemTotal:       24563012 kB\nMemFree:         1000 kB\nHugePages_Total:       4\nBad: x kB\n"
	cases := []struct {
		name string
		want int64
	}{
		{"MemTotal", 24563012 * 1024},
		{"MemFree", 1000 * 1024},
		{"HugePages_Total", 4},
		{"Bad", 0},
		{"Missing", 0},
	}
	for _, c := range cases {
		if got := Field(text, c.name); got != c.want {
			t.Errorf("Field(%s) = %d, want %d", c.name, got, c.want)
		}
	}
}
