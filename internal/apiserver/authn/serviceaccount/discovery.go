package serviceaccount

import (
	"crypto"
	"encoding/json"
	"net/http"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
)

// Service-account issuer discovery, as upstream serves it: an OpenID
// provider configuration and the key set that verifies the tokens, so a
// relying party outside the cluster (a cloud's workload identity, Vault)
// can check a projected token without talking to the API server's
// TokenReview.
const (
	DiscoveryPath = "/.well-known/openid-configuration"
	JWKSPath      = "/openid/v1/jwks"
)

// DiscoveryHandlers returns the handlers of DiscoveryPath and JWKSPath for
// tokens issued by issuer and verified by keys.
func DiscoveryHandlers(issuer string, keys []crypto.PublicKey) (configuration, jwks http.Handler, err error) {
	set := jose.JSONWebKeySet{}
	algs := []string{}
	for _, k := range keys {
		alg, err := algorithmFor(k)
		if err != nil {
			return nil, nil, err
		}
		kid, err := KeyID(k)
		if err != nil {
			return nil, nil, err
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: string(alg), Use: "sig"})
		if !slices.Contains(algs, string(alg)) {
			algs = append(algs, string(alg))
		}
	}
	keyJSON, err := json.Marshal(set)
	if err != nil {
		return nil, nil, err
	}
	configJSON, err := json.Marshal(map[string]any{
		"issuer":                                issuer,
		"jwks_uri":                              issuer + JWKSPath,
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": algs,
	})
	if err != nil {
		return nil, nil, err
	}
	return serveJSON(configJSON, "application/json"), serveJSON(keyJSON, "application/jwk-set+json"), nil
}

func serveJSON(body []byte, contentType string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", contentType)
		// The keys change only with the server's key; upstream lets
		// relying parties cache for an hour.
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(body)
	})
}
