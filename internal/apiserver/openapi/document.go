package openapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"sync"
)

// document is one served OpenAPI document. Only its gzip-compressed JSON is
// kept (a tenth of the JSON's size, and what nearly every client asks for);
// the protobuf form is derived from it on first request and kept the same
// way. Plain clients get the bytes decompressed on the fly.
type document struct {
	json    compressed
	etag    string // of the JSON; the protobuf form is tagged etag+"-pb"
	toProto func(json []byte) ([]byte, error)

	pbOnce sync.Once
	pb     compressed
	pbErr  error
}

// compressed is a gzip stream and the length of what it holds.
type compressed struct {
	gz     []byte
	rawLen int
}

func compress(raw []byte) (compressed, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return compressed{}, err
	}
	if _, err := zw.Write(raw); err != nil {
		return compressed{}, err
	}
	if err := zw.Close(); err != nil {
		return compressed{}, err
	}
	return compressed{gz: bytes.Clone(buf.Bytes()), rawLen: len(raw)}, nil
}

// raw returns the uncompressed bytes.
func (c compressed) raw() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(c.gz))
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, c.rawLen)
	buf := bytes.NewBuffer(out)
	if _, err := io.Copy(buf, zr); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// newDocument keeps json compressed; toProto (may be nil) makes the
// protobuf form from it when first asked for.
func newDocument(json []byte, toProto func([]byte) ([]byte, error)) (*document, error) {
	c, err := compress(json)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(json)
	return &document{json: c, etag: fmt.Sprintf("%X", sum[:]), toProto: toProto}, nil
}

// protobuf returns the compressed protobuf form, converting once.
func (d *document) protobuf() (compressed, error) {
	d.pbOnce.Do(func() {
		if d.toProto == nil {
			d.pbErr = fmt.Errorf("this document has no protobuf form")
			return
		}
		json, err := d.json.raw()
		if err != nil {
			d.pbErr = err
			return
		}
		pb, err := d.toProto(json)
		if err != nil {
			d.pbErr = fmt.Errorf("converting the OpenAPI document to protobuf: %w", err)
			return
		}
		d.pb, d.pbErr = compress(pb)
	})
	return d.pb, d.pbErr
}
