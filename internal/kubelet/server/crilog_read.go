package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"time"
)

// Follow polling: how often an idle follow looks for new bytes, and how
// often it asks whether the container still runs or the file was rotated.
var (
	followPoll  = 100 * time.Millisecond
	followCheck = time.Second
)

var errLimitReached = errors.New("limitBytes reached")

// logWriter turns CRI log messages into what `kubectl logs` prints:
// content (optionally prefixed with its timestamp), at most limitBytes.
type logWriter struct {
	w       io.Writer
	opts    logOptions
	written int64
	buf     []byte
}

func (lw *logWriter) write(ts time.Time, content []byte, newline bool) error {
	if !lw.opts.since.IsZero() && ts.Before(lw.opts.since) {
		return nil
	}
	lw.buf = lw.buf[:0]
	if lw.opts.timestamps {
		lw.buf = ts.AppendFormat(lw.buf, time.RFC3339Nano)
		lw.buf = append(lw.buf, ' ')
	}
	lw.buf = append(lw.buf, content...)
	if newline {
		lw.buf = append(lw.buf, '\n')
	}
	out := lw.buf
	limited := false
	if lw.opts.limitBytes > 0 && lw.written+int64(len(out)) >= lw.opts.limitBytes {
		out, limited = out[:lw.opts.limitBytes-lw.written], true
	}
	n, err := lw.w.Write(out)
	lw.written += int64(n)
	if err != nil {
		return err
	}
	if limited {
		return errLimitReached
	}
	return nil
}

// messageJoiner joins the pieces ("P" lines) of a long line with its last
// ("F") piece, per stream; a message carries its first piece's timestamp.
type messageJoiner struct {
	pending map[string]*pendingMessage
}

type pendingMessage struct {
	ts      time.Time
	content []byte
}

func (j *messageJoiner) add(l criLine, emit func(ts time.Time, content []byte, newline bool) error) error {
	if j.pending == nil {
		j.pending = map[string]*pendingMessage{}
	}
	p := j.pending[l.stream]
	if l.partial {
		if p == nil {
			p = &pendingMessage{ts: l.ts}
			j.pending[l.stream] = p
		}
		p.content = append(p.content, l.content...)
		return nil
	}
	if p == nil {
		return emit(l.ts, l.content, true)
	}
	delete(j.pending, l.stream)
	return emit(p.ts, append(p.content, l.content...), true)
}

// flush writes pieces whose last piece never came (the end of a file that
// is not followed), without a newline, as upstream does.
func (j *messageJoiner) flush(emit func(ts time.Time, content []byte, newline bool) error) error {
	for _, stream := range []string{"stdout", "stderr"} {
		if p := j.pending[stream]; p != nil {
			delete(j.pending, stream)
			if err := emit(p.ts, p.content, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// readLogs copies the log file f (opened from path) to out as opts say.
// When following, it waits for new lines, moves to the new file when the
// runtime rotates the log (path names another file), and ends once
// alive() says the container is gone and the file is drained, or when ctx
// ends (the client left). flush pushes what was written to the client.
func readLogs(ctx context.Context, f *os.File, path string, opts logOptions, out io.Writer, flush func(), alive func() bool) error {
	defer func() { f.Close() }()
	start, skip, err := tailStart(f, opts.tail, opts.stream)
	if err != nil {
		return err
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return err
	}
	lw := &logWriter{w: out, opts: opts}
	var joiner messageJoiner
	emit := func(ts time.Time, content []byte, newline bool) error {
		if skip > 0 && newline {
			skip-- // a message before the tail that shares its clean cut
			return nil
		}
		return lw.write(ts, content, newline)
	}
	r := bufio.NewReaderSize(f, 64<<10)
	var (
		line      []byte
		pos       = start // offset in f up to which lines were read
		lastCheck time.Time
		draining  bool // the container is gone: stop at the next end of file
	)
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		pos += int64(len(chunk))
		switch {
		case err == nil:
			if werr := handleLine(line, opts.stream, &joiner, emit); werr != nil {
				return ignoreLimit(werr)
			}
			line = line[:0]
			continue
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case !errors.Is(err, io.EOF):
			return err
		}
		// At the end of what is written so far; line holds any bytes of a
		// line still being written.
		if !opts.follow || draining {
			return ignoreLimit(joiner.flush(emit))
		}
		flush()
		if time.Since(lastCheck) >= followCheck {
			lastCheck = time.Now()
			if rotated(f, path) {
				if st, err := f.Stat(); err == nil && st.Size() > pos {
					lastCheck = time.Time{} // drain the old file, then switch
					continue
				}
				if nf, err := os.Open(path); err == nil {
					f.Close()
					f, line, pos = nf, line[:0], 0
					r.Reset(f)
					continue
				}
			}
			if alive != nil && !alive() {
				draining = true // one more pass for lines written just before the exit
				continue
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(followPoll):
		}
	}
}

func handleLine(line []byte, stream string, joiner *messageJoiner, emit func(time.Time, []byte, bool) error) error {
	l, err := parseCRILine(line)
	if err != nil {
		// Not CRI format: pass the line through rather than lose it.
		return emit(time.Time{}, bytes.TrimSuffix(line, []byte("\n")), true)
	}
	if stream != "" && l.stream != stream {
		return nil
	}
	return joiner.add(l, emit)
}

func ignoreLimit(err error) error {
	if errors.Is(err, errLimitReached) {
		return nil
	}
	return err
}

// rotated reports whether path now names a different file than f, as after
// the runtime's log rotation renamed f away and reopened a new file.
func rotated(f *os.File, path string) bool {
	cur, err := f.Stat()
	if err != nil {
		return false
	}
	now, err := os.Stat(path)
	if err != nil {
		return false
	}
	return !os.SameFile(cur, now)
}
