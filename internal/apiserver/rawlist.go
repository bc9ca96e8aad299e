package apiserver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/storage"
)

// Large LISTs are the API server's most expensive answer. When the watch
// cache serves the list, each item comes already serialized (cached with
// the object until it changes) and the list is written by concatenation,
// in exactly the bytes the protobuf or JSON serializer would produce.

// protoMarshaler is what every k8s.io/api type implements.
type protoMarshaler interface {
	Marshal() ([]byte, error)
}

func marshalProto(obj runtime.Object) ([]byte, error) {
	m, ok := obj.(protoMarshaler)
	if !ok {
		return nil, errors.New("object has no protobuf form")
	}
	return m.Marshal()
}

func marshalJSON(obj runtime.Object) ([]byte, error) {
	var buf bytes.Buffer
	if err := jsonInfo().Serializer.Encode(obj, &buf); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Encoder IDs of list items. The watch cache keeps them in the same
// per-object cache as watch events' serializations, which apimachinery's
// serializers key by their runtime.Identifier ("protobuf" is the protobuf
// serializer's, for the enveloped "k8s\x00" form): a list item is the bare
// message, so its IDs must never equal a serializer's.
const (
	listItemProtobuf = "hanok/list-item/protobuf"
	listItemJSON     = "hanok/list-item/json"
)

// writeRawList answers a list from the watch cache's serialized items;
// false means it could not (another format, or a list served by etcd) and
// the caller lists typed objects.
func (h *resourceHandler) writeRawList(w http.ResponseWriter, r *http.Request, prefix string, opts storage.ListOptions, format outputFormat) bool {
	raw := &storage.RawList{}
	switch {
	case format.as != asObject || format.pretty:
		return false
	case format.info.MediaType == runtime.ContentTypeProtobuf:
		raw.EncoderID, raw.Encode = listItemProtobuf, marshalProto
	case format.info.MediaType == runtime.ContentTypeJSON:
		raw.EncoderID, raw.Encode = listItemJSON, marshalJSON
	default:
		return false
	}
	err := h.store.List(r.Context(), prefix, opts, raw)
	if errors.Is(err, storage.ErrRawListUnsupported) {
		return false
	}
	if err != nil {
		writeError(w, r, err)
		return true
	}
	gv, kind := h.res.GroupVersion.String(), h.res.Kind+"List"
	w.Header().Set("Content-Type", format.contentType())
	bw := bufio.NewWriterSize(w, 64*1024)
	if raw.EncoderID == listItemProtobuf {
		err = writeProtoList(bw, gv, kind, &raw.ListMeta, raw.Items)
	} else {
		err = writeJSONList(bw, gv, kind, &raw.ListMeta, raw.Items)
	}
	if err == nil {
		_ = bw.Flush()
	}
	return true
}

// writeJSONList writes {"kind":...,"apiVersion":...,"metadata":...,"items":[...]}.
func writeJSONList(w io.Writer, gv, kind string, lm *metav1.ListMeta, items [][]byte) error {
	meta, err := json.Marshal(lm)
	if err != nil {
		return err
	}
	head := `{"kind":` + strconv.Quote(kind) + `,"apiVersion":` + strconv.Quote(gv) + `,"metadata":` + string(meta) + `,"items":[`
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	for i, item := range items {
		if i > 0 {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		if _, err := w.Write(item); err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, "]}\n")
	return err
}

// protobufPrefix starts every Kubernetes protobuf message.
var protobufPrefix = []byte{0x6b, 0x38, 0x73, 0x00}

// writeProtoList writes the runtime.Unknown envelope around a list message
// (metadata = field 1, items = field 2), streaming the items.
func writeProtoList(w io.Writer, gv, kind string, lm *metav1.ListMeta, items [][]byte) error {
	meta, err := lm.Marshal()
	if err != nil {
		return err
	}
	var typeMeta []byte
	typeMeta = protowire.AppendTag(typeMeta, 1, protowire.BytesType)
	typeMeta = protowire.AppendString(typeMeta, gv)
	typeMeta = protowire.AppendTag(typeMeta, 2, protowire.BytesType)
	typeMeta = protowire.AppendString(typeMeta, kind)

	listLen := 1 + protowire.SizeBytes(len(meta))
	for _, item := range items {
		listLen += 1 + protowire.SizeBytes(len(item))
	}
	head := append([]byte(nil), protobufPrefix...)
	head = protowire.AppendTag(head, 1, protowire.BytesType)
	head = protowire.AppendBytes(head, typeMeta)
	head = protowire.AppendTag(head, 2, protowire.BytesType)
	head = protowire.AppendVarint(head, uint64(listLen))
	head = protowire.AppendTag(head, 1, protowire.BytesType)
	head = protowire.AppendBytes(head, meta)
	if _, err := w.Write(head); err != nil {
		return err
	}
	var frame []byte
	for _, item := range items {
		frame = protowire.AppendTag(frame[:0], 2, protowire.BytesType)
		frame = protowire.AppendVarint(frame, uint64(len(item)))
		if _, err := w.Write(frame); err != nil {
			return err
		}
		if _, err := w.Write(item); err != nil {
			return err
		}
	}
	// contentEncoding (3) and contentType (4) are empty strings.
	_, err = w.Write([]byte{0x1a, 0x00, 0x22, 0x00})
	return err
}
