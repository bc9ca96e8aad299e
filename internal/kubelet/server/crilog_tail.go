package server

import (
	"io"
	"os"
)

const tailBlockSize = 32 << 10

// tailStart finds where to start reading a CRI log file to get its last n
// messages (n < 0: the whole file). A message is counted at its full ("F")
// line, so a long line the runtime split into pieces ("P" lines) counts
// once. Because a split line's pieces may interleave with the other
// stream's lines, the start is moved back to a clean cut, where no stream
// is in the middle of a message; skip is how many messages between that
// cut and the last n the reader must drop. Bytes after the last newline are
// a line still being written and are not counted.
func tailStart(f *os.File, n int64, stream string) (offset, skip int64, err error) {
	if n < 0 {
		return 0, 0, nil
	}
	var (
		counted     int64 // phase 1: messages seen from the end
		cutting     bool  // phase 2: looking for a clean cut at or before offset
		pending     = map[string]bool{}
		phase2Count int64
	)
	isMessage := func(l criLine, err error) bool {
		return err != nil || (!l.partial && (stream == "" || l.stream == stream))
	}
	err = scanBackward(f, func(line []byte, start, end int64) bool {
		l, perr := parseCRILine(line)
		if !cutting {
			if !isMessage(l, perr) {
				return true
			}
			counted++
			if counted < n+1 {
				return true
			}
			// This line ends the message before the last n: start after it
			// unless some stream is mid-message there.
			cutting, offset = true, end
			pending["stdout"], pending["stderr"] = true, true
			if stream != "" {
				pending = map[string]bool{stream: true}
			}
		}
		if isMessage(l, perr) {
			phase2Count++
		}
		if perr != nil || !pending[l.stream] {
			return true
		}
		if !l.partial {
			delete(pending, l.stream) // this stream's last line before the cut ends a message
			return len(pending) > 0
		}
		// A piece of a message that continues after the cut: cut before it
		// instead, and decide every stream again from there.
		offset, skip = start, phase2Count
		for s := range pending {
			delete(pending, s)
		}
		pending["stdout"], pending["stderr"] = true, true
		if stream != "" {
			pending = map[string]bool{stream: true}
		}
		return true
	})
	if err != nil {
		return 0, 0, err
	}
	if !cutting {
		return 0, 0, nil
	}
	return offset, skip, nil
}

// scanBackward calls fn with each complete line of f (with its newline),
// last first, and the offsets where it starts and ends; fn returns false to
// stop.
func scanBackward(f *os.File, fn func(line []byte, start, end int64) bool) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	var (
		lineEnd int64  = -1 // offset just past the newline of the line being assembled
		carry   []byte      // that line's bytes found in later blocks
	)
	for off := st.Size(); off > 0; {
		blockStart := max(0, off-tailBlockSize)
		b := make([]byte, off-blockStart)
		if _, err := f.ReadAt(b, blockStart); err != nil && err != io.EOF {
			return err
		}
		last := len(b)
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != '\n' {
				continue
			}
			if lineEnd >= 0 {
				line := append(append([]byte{}, b[i+1:last]...), carry...)
				if !fn(line, blockStart+int64(i)+1, lineEnd) {
					return nil
				}
			}
			lineEnd, last, carry = blockStart+int64(i)+1, i, nil
		}
		if lineEnd >= 0 {
			carry = append(append([]byte{}, b[:last]...), carry...)
		}
		off = blockStart
	}
	if lineEnd > 0 {
		fn(carry, 0, lineEnd)
	}
	return nil
}
