package server

import (
	"bytes"
	"fmt"
	"time"
)

// criLine is one line of a CRI container log file:
//
//	<RFC3339Nano timestamp> <stdout|stderr> <tags> <content>
//
// where tags is "F" (a full line, or the last piece of a long one) or "P"
// (a piece of a line the runtime split), possibly with more ':'-separated
// tags after it.
type criLine struct {
	ts      time.Time
	stream  string
	partial bool
	content []byte // without the trailing newline
}

// parseCRILine parses one line (with or without its '\n').
func parseCRILine(line []byte) (criLine, error) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	tsEnd := bytes.IndexByte(line, ' ')
	if tsEnd < 0 {
		return criLine{}, fmt.Errorf("CRI log line %q: no timestamp", line)
	}
	ts, err := time.Parse(time.RFC3339Nano, string(line[:tsEnd]))
	if err != nil {
		return criLine{}, fmt.Errorf("CRI log line: timestamp: %w", err)
	}
	rest := line[tsEnd+1:]
	streamEnd := bytes.IndexByte(rest, ' ')
	if streamEnd < 0 {
		return criLine{}, fmt.Errorf("CRI log line %q: no stream", line)
	}
	stream := string(rest[:streamEnd])
	if stream != "stdout" && stream != "stderr" {
		return criLine{}, fmt.Errorf("CRI log line: unknown stream %q", stream)
	}
	rest = rest[streamEnd+1:]
	tagsEnd := bytes.IndexByte(rest, ' ')
	var tags, content []byte
	if tagsEnd < 0 {
		tags = rest // an empty full line: "<ts> stdout F"
	} else {
		tags, content = rest[:tagsEnd], rest[tagsEnd+1:]
	}
	first := tags
	if i := bytes.IndexByte(tags, ':'); i >= 0 {
		first = tags[:i]
	}
	return criLine{ts: ts, stream: stream, partial: string(first) == "P", content: content}, nil
}
