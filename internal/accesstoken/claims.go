package accesstoken

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
)

// Claims is the payload of a Gatehouse access token: Keycloak's service-account shape
// plus RFC 9068's required claims.
type Claims struct {
	ExpiresAt         NumericDate         `json:"exp"`
	IssuedAt          NumericDate         `json:"iat"`
	NotBefore         NumericDate         `json:"nbf,omitempty"`
	ID                string              `json:"jti"`
	Issuer            string              `json:"iss"`
	Audience          Audience            `json:"aud"`
	Subject           string              `json:"sub"`
	Type              string              `json:"typ"`
	AuthorizedParty   string              `json:"azp"`
	Scope             string              `json:"scope,omitempty"`
	ClientID          string              `json:"client_id"`
	PreferredUsername string              `json:"preferred_username,omitempty"`
	Permissions       map[string][]string `json:"permissions"`
	// A person's token (authorization code flow) also names the single sign-on
	// session and the person; machine tokens carry none of these.
	SessionID string `json:"sid,omitempty"`
	Email     string `json:"email,omitempty"`
	Name      string `json:"name,omitempty"`
}

// Person reports whether the token was issued to a person (it names a session).
func (c *Claims) Person() bool { return c.SessionID != "" }

// Has reports whether the token grants permission perm on the API whose own audience
// is api.
func (c *Claims) Has(api, perm string) bool {
	return slices.Contains(c.Permissions[api], perm)
}

// NumericDate is seconds since the epoch. It decodes only from a JSON integer: strings
// and fractions are refused (checklist C7).
type NumericDate int64

// UnmarshalJSON accepts an integer literal only.
func (d *NumericDate) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return errors.New("accesstoken: numeric date must be an integer")
	}
	*d = NumericDate(n)
	return nil
}

// Audience is "aud": encoded as a bare string when it holds one value and as an array
// otherwise (Keycloak's behaviour); both forms decode.
type Audience []string

// MarshalJSON writes a string for one audience, an array otherwise.
func (a Audience) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]string(a))
}

// UnmarshalJSON reads a string or an array of strings.
func (a *Audience) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = Audience{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	*a = l
	return nil
}

// Contains reports whether any of want is in a (exact match; empty values never match).
func (a Audience) Contains(want ...string) bool {
	for _, v := range a {
		if v != "" && slices.Contains(want, v) {
			return true
		}
	}
	return false
}

// hasDuplicateKeys reports whether the top-level JSON object repeats a member name
// (checklist C23: stricter than RFC 7519's "last wins"). Invalid JSON reports true.
func hasDuplicateKeys(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return true
	}
	seen := make(map[string]struct{}, 16)
	var skip json.RawMessage
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return true
		}
		k, ok := t.(string)
		if !ok {
			return true
		}
		if _, dup := seen[k]; dup {
			return true
		}
		seen[k] = struct{}{}
		if err := dec.Decode(&skip); err != nil {
			return true
		}
	}
	return false
}
