package openapi

import (
	"encoding/json"
	"fmt"
	"net/url"

	openapiv2 "github.com/google/gnostic-models/openapiv2"
	openapiv3 "github.com/google/gnostic-models/openapiv3"
	"google.golang.org/protobuf/proto"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// v2Document builds (once) the swagger 2.0 document.
func (s *Service) v2Document() (*document, error) {
	s.v2Once.Do(func() {
		sw, err := buildV2(s.routes, loadDefinitions(v2RefPrefix), s.kinds, s.info)
		if err != nil {
			s.v2Err = err
			return
		}
		// MarshalJSON directly: json.Marshal would re-scan (compact) the
		// megabytes the marshaller already wrote compactly.
		raw, err := sw.MarshalJSON()
		if err != nil {
			s.v2Err = err
			return
		}
		s.v2, s.v2Err = newDocument(raw, v2Proto)
	})
	return s.v2, s.v2Err
}

// v3Documents builds (once) every v3 document and the index, which needs
// all their hashes anyway.
func (s *Service) v3Documents() (map[string]*document, *document, error) {
	s.v3Once.Do(func() {
		defs := loadDefinitions(v3RefPrefix)
		schemas := map[string]*spec.Schema{}
		docs := map[string]*document{}
		index := v3Index{Paths: map[string]v3IndexEntry{}}
		byDoc := splitByDocument(s.routes)
		for _, key := range sortedKeys(byDoc) {
			doc, err := buildV3(byDoc[key], defs, schemas, s.kinds, s.info)
			if err != nil {
				s.v3Err = fmt.Errorf("OpenAPI v3 document %s: %w", key, err)
				return
			}
			raw, err := doc.MarshalJSON()
			if err != nil {
				s.v3Err = err
				return
			}
			if docs[key], err = newDocument(raw, v3Proto); err != nil {
				s.v3Err = err
				return
			}
			index.Paths[key] = v3IndexEntry{ServerRelativeURL: v3URL(key, docs[key].etag)}
		}
		raw, err := json.Marshal(index)
		if err != nil {
			s.v3Err = err
			return
		}
		s.v3 = docs
		s.v3Index, s.v3Err = newDocument(raw, nil)
	})
	return s.v3, s.v3Index, s.v3Err
}

// v3URL is where a v3 document is served at its current content.
func v3URL(key, etag string) string {
	return "/openapi/v3/" + key + "?" + url.Values{"hash": {etag}}.Encode()
}

func v2Proto(json []byte) ([]byte, error) {
	doc, err := openapiv2.ParseDocument(json)
	if err != nil {
		return nil, err
	}
	return proto.Marshal(doc)
}

func v3Proto(json []byte) ([]byte, error) {
	doc, err := openapiv3.ParseDocument(json)
	if err != nil {
		return nil, err
	}
	return proto.Marshal(doc)
}
