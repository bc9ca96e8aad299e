package server

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseCRILine(t *testing.T) {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	tests := []struct {
		line    string
		want    criLine
		wantErr bool
	}{
		{line: "2026-01-02T03:04:05.123456789Z stdout F hello world\n", want: criLine{ts: ts, stream: "stdout", content: []byte("hello world")}},
		{line: "2026-01-02T03:04:05.123456789Z stderr P part", want: criLine{ts: ts, stream: "stderr", partial: true, content: []byte("part")}},
		{line: "2026-01-02T03:04:05.123456789Z stdout F", want: criLine{ts: ts, stream: "stdout"}},
		{line: "2026-01-02T03:04:05.123456789Z stdout F:x  two  spaces ", want: criLine{ts: ts, stream: "stdout", content: []byte(" two  spaces ")}},
		{line: "2026-01-02T03:04:05.123456789+02:00 stdout F tz", want: criLine{ts: ts.Add(-2 * time.Hour), stream: "stdout", content: []byte("tz")}},
		{line: "not a log line", wantErr: true},
		{line: "2026-01-02T03:04:05Z stdin F x", wantErr: true},
		{line: "2026-01-02T03:04:05Z", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseCRILine([]byte(tt.line))
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: err = %v, wantErr %v", tt.line, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if !got.ts.Equal(tt.want.ts) || got.stream != tt.want.stream || got.partial != tt.want.partial || string(got.content) != string(tt.want.content) {
			t.Errorf("%q: got %+v, want %+v", tt.line, got, tt.want)
		}
	}
}

// logFixture has five messages, one of them split in pieces across an
// interleaved stderr line, and a line still being written at the end.
const logFixture = `2026-01-01T00:00:01Z stdout F one
2026-01-01T00:00:02Z stdout P tw
2026-01-01T00:00:02.5Z stderr F err-two
2026-01-01T00:00:03Z stdout P o-lo
2026-01-01T00:00:04Z stdout F ng
2026-01-01T00:00:05Z stdout F three
2026-01-01T00:00:06Z stderr F four
2026-01-01T00:00:07Z stdout F unfini`

func writeLog(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "0.log")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readAll(t *testing.T, path string, q string) string {
	t.Helper()
	values, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := parseLogOptions(values, time.Date(2026, 1, 1, 0, 0, 6, 0, time.UTC))
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := readLogs(context.Background(), f, path, opts, &out, func() {}, nil); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestReadLogs(t *testing.T) {
	path := writeLog(t, logFixture)
	tests := []struct {
		query string
		want  string
	}{
		{"", "one\nerr-two\ntwo-long\nthree\nfour\n"},
		{"tailLines=2", "three\nfour\n"},
		{"tailLines=3", "two-long\nthree\nfour\n"},
		{"tailLines=4", "err-two\ntwo-long\nthree\nfour\n"},
		{"tailLines=0", ""},
		{"tailLines=100", "one\nerr-two\ntwo-long\nthree\nfour\n"},
		{"timestamps=true&tailLines=2", "2026-01-01T00:00:05Z three\n2026-01-01T00:00:06Z four\n"},
		// A joined message carries its first piece's time.
		{"timestamps=true&tailLines=3", "2026-01-01T00:00:02Z two-long\n2026-01-01T00:00:05Z three\n2026-01-01T00:00:06Z four\n"},
		{"sinceTime=2026-01-01T00:00:03Z", "three\nfour\n"},
		{"sinceTime=2026-01-01T00:00:05.5Z", "four\n"},
		{"sinceSeconds=2", "three\nfour\n"}, // "now" is 00:00:06
		{"limitBytes=6", "one\ner"},
		{"limitBytes=4", "one\n"},
		{"stream=Stderr", "err-two\nfour\n"},
		{"stream=Stdout", "one\ntwo-long\nthree\n"},
	}
	for _, tt := range tests {
		if got := readAll(t, path, tt.query); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.query, got, tt.want)
		}
	}
}

func TestReadLogsPendingPiecesAtEnd(t *testing.T) {
	path := writeLog(t, "2026-01-01T00:00:01Z stdout P abc\n2026-01-01T00:00:02Z stdout P def\n")
	if got := readAll(t, path, ""); got != "abcdef" {
		t.Errorf("got %q, want the pieces without a newline", got)
	}
}

func TestTailAcrossBlocks(t *testing.T) {
	// Lines long enough that the tail scan crosses several read blocks,
	// with a long line split into pieces straddling block edges.
	var b strings.Builder
	long := strings.Repeat("x", 10000)
	for i := 0; i < 20; i++ {
		b.WriteString("2026-01-01T00:00:01Z stdout P " + long + "\n")
		b.WriteString("2026-01-01T00:00:01Z stdout F end\n")
	}
	path := writeLog(t, b.String())
	got := readAll(t, path, "tailLines=2")
	want := long + "end\n" + long + "end\n"
	if got != want {
		t.Errorf("tail across blocks: got %d bytes, want %d", len(got), len(want))
	}
}

func TestParseLogOptionsErrors(t *testing.T) {
	for _, q := range []string{
		"tailLines=-1", "limitBytes=0", "sinceSeconds=0",
		"sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z", "stream=Bogus", "stream=Stdout&tailLines=1",
		"follow=maybe",
	} {
		values, _ := url.ParseQuery(q)
		if _, err := parseLogOptions(values, time.Now()); err == nil {
			t.Errorf("%q: want an error", q)
		}
	}
}

func TestFollowAppendsAndRotation(t *testing.T) {
	oldPoll, oldCheck := followPoll, followCheck
	followPoll, followCheck = 5*time.Millisecond, 10*time.Millisecond
	t.Cleanup(func() { followPoll, followCheck = oldPoll, oldCheck })

	dir := t.TempDir()
	path := filepath.Join(dir, "0.log")
	if err := os.WriteFile(path, []byte("2026-01-01T00:00:01Z stdout F first\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	alive := make(chan bool, 1)
	alive <- true
	isAlive := func() bool { v := <-alive; alive <- v; return v }
	done := make(chan error, 1)
	go func() {
		done <- readLogs(context.Background(), f, path, logOptions{follow: true, tail: -1}, out, func() {}, isAlive)
	}()
	waitFor(t, out, "first\n")

	appendTo(t, path, "2026-01-01T00:00:02Z stdout P sec")
	appendTo(t, path, "ond\n2026-01-01T00:00:02Z stdout F -half\n")
	waitFor(t, out, "first\nsecond-half\n")

	// Rotation: the runtime's file is renamed away and a new one appears.
	if err := os.Rename(path, path+".20260101"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path+".20260101", "2026-01-01T00:00:03Z stdout F last-in-old\n")
	appendTo(t, path, "2026-01-01T00:00:04Z stdout F in-new\n")
	waitFor(t, out, "first\nsecond-half\nlast-in-old\nin-new\n")

	// The container exits: the follow drains and ends.
	appendTo(t, path, "2026-01-01T00:00:05Z stdout F bye\n")
	<-alive
	alive <- false
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("follow did not end after the container stopped")
	}
	if got, want := out.String(), "first\nsecond-half\nlast-in-old\nin-new\nbye\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestFollowEndsWhenClientLeaves(t *testing.T) {
	path := writeLog(t, "2026-01-01T00:00:01Z stdout F x\n")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	out := &syncBuffer{}
	go func() { done <- readLogs(ctx, f, path, logOptions{follow: true, tail: -1}, out, func() {}, nil) }()
	waitFor(t, out, "x\n")
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("follow did not end when the client left")
	}
}
