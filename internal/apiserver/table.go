package apiserver

import (
	"bytes"
	"net/http"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

var nameColumn = metav1.TableColumnDefinition{
	Name: "Name", Type: "string", Format: "name",
	Description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.",
}

// toTable renders objects as the server-side Table kubectl prints: NAME,
// then the kind's own columns. Each row carries the object's metadata (or
// the whole object with includeObject=Object), as upstream does, so kubectl
// can show namespaces and labels.
func (h *resourceHandler) toTable(r *http.Request, objs []runtime.Object, listMeta metav1.ListMeta, format outputFormat) (*metav1.Table, error) {
	if format.info.MediaType == runtime.ContentTypeProtobuf {
		// Cells are arbitrary JSON values: a Table has no protobuf form,
		// and upstream serves it as JSON and YAML only.
		return nil, notAcceptable()
	}
	table := &metav1.Table{ListMeta: listMeta}
	table.SetGroupVersionKind(metav1.SchemeGroupVersion.WithKind("Table"))
	columns := h.res.Strategy.TableColumns()
	// A kind that places NAME itself (events show it last, with -o wide)
	// says so with a column of format "name".
	ownName := false
	for _, c := range columns {
		ownName = ownName || c.Format == "name"
	}
	if !ownName {
		columns = append([]metav1.TableColumnDefinition{nameColumn}, columns...)
	}
	table.ColumnDefinitions = columns
	include := r.URL.Query().Get("includeObject")
	table.Rows = make([]metav1.TableRow, 0, len(objs))
	for _, obj := range objs {
		m, err := meta.Accessor(obj)
		if err != nil {
			return nil, err
		}
		row := metav1.TableRow{Cells: h.res.Strategy.TableRow(obj)}
		if !ownName {
			row.Cells = append([]interface{}{m.GetName()}, row.Cells...)
		}
		switch include {
		case "None":
		case "Object":
			h.setGVK(obj)
			raw, err := encodeRaw(format, obj)
			if err != nil {
				return nil, err
			}
			row.Object.Raw = raw
		default:
			raw, err := encodeRaw(format, partialMetadata(obj))
			if err != nil {
				return nil, err
			}
			row.Object.Raw = raw
		}
		table.Rows = append(table.Rows, row)
	}
	return table, nil
}

// encodeRaw encodes a row's embedded object in the response's own format.
func encodeRaw(format outputFormat, obj runtime.Object) ([]byte, error) {
	var buf bytes.Buffer
	enc := format.info.Serializer
	if format.info.MediaType == "application/yaml" {
		enc = jsonInfo().Serializer
	}
	if err := enc.Encode(obj, &buf); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func jsonInfo() runtime.SerializerInfo {
	info, _ := runtime.SerializerInfoForMediaType(Codecs.SupportedMediaTypes(), runtime.ContentTypeJSON)
	return info
}
