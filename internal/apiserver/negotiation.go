package apiserver

import (
	"mime"
	"net/http"
	"strings"

	"github.com/munnerz/goautoneg"
	"k8s.io/apimachinery/pkg/runtime"
)

// Output conversions a client can ask for with the "as" media type parameter.
const (
	asObject      = ""
	asTable       = "Table"
	asPartial     = "PartialObjectMetadata"
	asPartialList = "PartialObjectMetadataList"
	asDiscoveryV2 = "APIGroupDiscoveryList"
)

// outputFormat is the negotiated answer to an Accept header.
type outputFormat struct {
	info runtime.SerializerInfo
	as   string // asObject, asTable, ...
	// pretty is set for human clients (curl without an Accept header).
	pretty bool
}

// contentType is the Content-Type header for this format.
func (o outputFormat) contentType() string {
	if o.as == "" {
		return o.info.MediaType
	}
	group := "meta.k8s.io"
	if o.as == asDiscoveryV2 {
		group = "apidiscovery.k8s.io"
		return o.info.MediaType + ";g=" + group + ";v=v2;as=" + o.as
	}
	return o.info.MediaType + ";as=" + o.as + ";g=" + group + ";v=v1"
}

// negotiateOutput picks the first acceptable media type from the Accept
// header in client preference order; conversions we do not serve (Table
// v1beta1, unknown "as") are skipped, as upstream does, so kubectl falls
// back to the next clause. allowed lists the conversions valid for this
// endpoint. ok is false when nothing is acceptable (406).
func negotiateOutput(r *http.Request, allowed ...string) (outputFormat, bool) {
	header := r.Header.Get("Accept")
	if header == "" {
		info, _ := runtime.SerializerInfoForMediaType(Codecs.SupportedMediaTypes(), runtime.ContentTypeJSON)
		return outputFormat{info: info, pretty: isPrettyClient(r)}, true
	}
	for _, clause := range goautoneg.ParseAccept(header) {
		if clause.Q <= 0 {
			continue
		}
		mediaType := clause.Type + "/" + clause.SubType
		switch {
		case clause.Type == "*" || mediaType == "application/*":
			mediaType = runtime.ContentTypeJSON
		case mediaType == "application/json" || mediaType == "application/yaml" ||
			mediaType == runtime.ContentTypeProtobuf:
		default:
			continue
		}
		info, ok := runtime.SerializerInfoForMediaType(Codecs.SupportedMediaTypes(), mediaType)
		if !ok {
			continue
		}
		as := clause.Params["as"]
		if as != "" {
			g, v := clause.Params["g"], clause.Params["v"]
			switch {
			case as == asDiscoveryV2 && g == "apidiscovery.k8s.io" && v == "v2":
			case (as == asTable || as == asPartial || as == asPartialList) && g == "meta.k8s.io" && v == "v1":
			default:
				continue
			}
			if !contains(allowed, as) {
				continue
			}
			// Conversions are served as JSON or YAML only: a protobuf Table
			// clause falls through to the client's next choice.
			if mediaType == runtime.ContentTypeProtobuf {
				continue
			}
		}
		return outputFormat{info: info, as: as, pretty: clause.Params["pretty"] == "1"}, true
	}
	return outputFormat{}, false
}

// negotiateInput finds the serializer for a request body's Content-Type.
func negotiateInput(r *http.Request) (runtime.SerializerInfo, bool) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = runtime.ContentTypeJSON
	}
	mediaType, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return runtime.SerializerInfo{}, false
	}
	return runtime.SerializerInfoForMediaType(Codecs.SupportedMediaTypes(), mediaType)
}

func isPrettyClient(r *http.Request) bool {
	ua := r.UserAgent()
	return strings.HasPrefix(ua, "curl") || strings.HasPrefix(ua, "Wget") || r.URL.Query().Get("pretty") == "true"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
