package volume

import (
	"testing"
	"time"
)

func TestTokenNeedsRenewal(t *testing.T) {
	issued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		life time.Duration
		at   time.Duration
		want bool
	}{
		{"fresh", time.Hour, time.Minute, false},
		{"just before 80%", time.Hour, 47 * time.Minute, false},
		{"at 80%", time.Hour, 48 * time.Minute, true},
		{"expired", time.Hour, 2 * time.Hour, true},
		{"long token within a day", 7 * 24 * time.Hour, 23 * time.Hour, false},
		{"long token after a day", 7 * 24 * time.Hour, 25 * time.Hour, true},
	}
	for _, tt := range tests {
		tok := cachedToken{issued: issued, expiresAt: issued.Add(tt.life)}
		if got := tok.needsRenewal(issued.Add(tt.at)); got != tt.want {
			t.Errorf("%s: needsRenewal = %v, want %v", tt.name, got, tt.want)
		}
	}
}
