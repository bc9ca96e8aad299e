package apiserver

import (
	"bytes"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// The hand-assembled lists must be exactly what the serializers produce, so
// every client decodes them as before.
func TestRawListsMatchSerializers(t *testing.T) {
	list := &corev1.PodList{ListMeta: metav1.ListMeta{ResourceVersion: "42", Continue: "abc"}}
	for _, name := range []string{"a", "b", "c"} {
		list.Items = append(list.Items, corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", ResourceVersion: "7", Labels: map[string]string{"x": name}},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
		})
	}
	list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("PodList"))
	for _, tt := range []struct {
		mediaType string
		encode    func(runtime.Object) ([]byte, error)
		write     func(*bytes.Buffer, [][]byte) error
	}{
		{runtime.ContentTypeProtobuf, marshalProto, func(b *bytes.Buffer, items [][]byte) error {
			return writeProtoList(b, "v1", "PodList", &list.ListMeta, items)
		}},
		{runtime.ContentTypeJSON, marshalJSON, func(b *bytes.Buffer, items [][]byte) error {
			return writeJSONList(b, "v1", "PodList", &list.ListMeta, items)
		}},
	} {
		t.Run(tt.mediaType, func(t *testing.T) {
			info, _ := runtime.SerializerInfoForMediaType(Codecs.SupportedMediaTypes(), tt.mediaType)
			var want bytes.Buffer
			if err := info.Serializer.Encode(list, &want); err != nil {
				t.Fatal(err)
			}
			var items [][]byte
			for i := range list.Items {
				b, err := tt.encode(&list.Items[i])
				if err != nil {
					t.Fatal(err)
				}
				items = append(items, b)
			}
			var got bytes.Buffer
			if err := tt.write(&got, items); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("raw list differs from the serializer's:\ngot  %q\nwant %q", got.Bytes(), want.Bytes())
			}
		})
	}
}

// List items share the watch cache's per-object serialization cache with
// watch events, which the serializers key by their Identifier: an item ID
// equal to one would splice an enveloped object into a list.
func TestListItemEncoderIDsAreNotSerializers(t *testing.T) {
	for _, info := range Codecs.SupportedMediaTypes() {
		encoders := []runtime.Encoder{info.Serializer, info.PrettySerializer, info.StrictSerializer}
		if info.StreamSerializer != nil {
			encoders = append(encoders, info.StreamSerializer.Serializer)
		}
		for _, enc := range encoders {
			if enc == nil {
				continue
			}
			if id := string(enc.Identifier()); id == listItemProtobuf || id == listItemJSON {
				t.Errorf("%s serializer identifier %q is a list item encoder ID", info.MediaType, id)
			}
		}
	}
}
