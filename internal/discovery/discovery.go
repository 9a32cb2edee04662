// Package discovery builds each realm's OpenID Connect discovery document and RFC 8414
// authorization-server metadata once, from configuration. Nothing in them comes from the
// request (Host, X-Forwarded-*): issuer and endpoints are exact (RFC 8414 §3.3).
package discovery

import (
	"encoding/json"
	"net/http"
)

// Metadata is the document served at both well-known locations.
type Metadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint,omitempty"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint,omitempty"`
	EndSessionEndpoint                string   `json:"end_session_endpoint,omitempty"`
	JWKSURI                           string   `json:"jwks_uri"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint,omitempty"`
	RevocationEndpoint                string   `json:"revocation_endpoint,omitempty"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported,omitempty"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported,omitempty"`
	PromptValuesSupported             []string `json:"prompt_values_supported,omitempty"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	IntrospectionEndpointAuthMethods  []string `json:"introspection_endpoint_auth_methods_supported,omitempty"`
	RevocationEndpointAuthMethods     []string `json:"revocation_endpoint_auth_methods_supported,omitempty"`
	AccessTokenSigningAlgValues       []string `json:"access_token_signing_alg_values_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	UserinfoSigningAlgValues          []string `json:"userinfo_signing_alg_values_supported,omitempty"`
	ClaimsParameterSupported          bool     `json:"claims_parameter_supported"`
	RequestParameterSupported         bool     `json:"request_parameter_supported"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
	AuthorizationResponseISSSupported bool     `json:"authorization_response_iss_parameter_supported,omitempty"`
	FrontchannelLogoutSupported       bool     `json:"frontchannel_logout_supported"`
	BackchannelLogoutSupported        bool     `json:"backchannel_logout_supported"`
}

// Endpoints says which optional endpoints exist.
type Endpoints struct {
	Introspection bool
	Revocation    bool
	People        bool // the authorization code flow: auth, userinfo, logout
}

// Build returns the metadata of the realm whose issuer is given (the realm base URL).
func Build(issuer, alg string, ep Endpoints) Metadata {
	base := issuer + "/protocol/openid-connect"
	auth := []string{"client_secret_basic", "client_secret_post"}
	m := Metadata{
		Issuer:                            issuer,
		TokenEndpoint:                     base + "/token",
		JWKSURI:                           base + "/certs",
		GrantTypesSupported:               []string{"client_credentials"},
		ResponseTypesSupported:            []string{},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{alg},
		TokenEndpointAuthMethodsSupported: auth,
		AccessTokenSigningAlgValues:       []string{alg},
		ClaimsSupported: []string{"iss", "sub", "aud", "exp", "iat", "jti", "azp", "client_id", "typ",
			"scope", "preferred_username", "permissions"},
		ScopesSupported: []string{"openid", "email", "profile"},
	}
	if ep.People {
		m.AuthorizationEndpoint = base + "/auth"
		m.UserinfoEndpoint = base + "/userinfo"
		m.EndSessionEndpoint = base + "/logout"
		m.GrantTypesSupported = []string{"authorization_code", "client_credentials"}
		m.ResponseTypesSupported = []string{"code"}
		m.ResponseModesSupported = []string{"query", "fragment", "form_post"}
		m.CodeChallengeMethodsSupported = []string{"S256"}
		m.PromptValuesSupported = []string{"none", "login"}
		m.AuthorizationResponseISSSupported = true
		m.TokenEndpointAuthMethodsSupported = []string{"client_secret_basic", "client_secret_post", "none"}
		m.ClaimsSupported = append(m.ClaimsSupported, "auth_time", "nonce", "sid", "at_hash", "name", "given_name",
			"family_name", "email", "email_verified")
	}
	if ep.Introspection {
		m.IntrospectionEndpoint = base + "/token/introspect"
		m.IntrospectionEndpointAuthMethods = auth
	}
	if ep.Revocation {
		m.RevocationEndpoint = base + "/revoke"
		m.RevocationEndpointAuthMethods = auth
	}
	return m
}

// Handler serves documents prepared in advance, keyed by realm name (path value
// "realm"). Unknown realms answer 404.
type Handler struct{ docs map[string][]byte }

// NewHandler encodes each realm's metadata once.
func NewHandler(byRealm map[string]Metadata) (*Handler, error) {
	h := &Handler{docs: make(map[string][]byte, len(byRealm))}
	for name, m := range byRealm {
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return nil, err
		}
		h.docs[name] = b
	}
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	doc, ok := h.docs[r.PathValue("realm")]
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"Realm does not exist"}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(doc)
}
