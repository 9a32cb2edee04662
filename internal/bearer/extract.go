package bearer

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
)

// outcome is what extraction found in a request.
type outcome int

const (
	found          outcome = iota // a syntactically acceptable token
	absent                        // no bearer credentials (RFC 6750 §3.1: no error code)
	invalidRequest                // 400 invalid_request
	invalidToken                  // 401 invalid_token (e.g. oversized)
)

// extraction is the result of reading the credentials of a request. desc is a fixed text
// that never quotes the request.
type extraction struct {
	token   string
	outcome outcome
	desc    string
}

// maxHeader bounds the Authorization value we look at: "Bearer " plus a maximal token
// plus a little whitespace. Longer values are refused before any parsing (checklist C19).
const maxHeader = len("Bearer ") + accesstoken.MaxTokenSize + 16

// maxFormPeek bounds how much of a form-encoded body is read to look for access_token.
const maxFormPeek = 64 << 10

// Error descriptions. None of them echoes the token or the header.
const (
	descAbsent        = "Authentication is required: send the access token in an Authorization: Bearer header."
	descManyHeaders   = "The request carries more than one Authorization header."
	descManyMethods   = "The request carries the access token in more than one way; use only the Authorization header."
	descEmpty         = "The Authorization header names the Bearer scheme but carries no token."
	descSyntax        = "The Authorization header is not of the form 'Bearer <token>'."
	descTooLarge      = "The access token is too large."
	descRevoked       = "The access token has been revoked, or its application was disabled or deleted."
	descInvalid       = "The access token is invalid."
	descInsufficient  = "The access token does not grant the permission this operation needs."
	descUnreadableFrm = "The request body could not be read."
)

// parseAuthorization applies RFC 6750 §2.1 to the Authorization header values of one
// request. It never allocates in proportion to the header: the token is a substring.
func parseAuthorization(values []string) extraction {
	switch len(values) {
	case 0:
		return extraction{outcome: absent, desc: descAbsent}
	case 1:
	default:
		// RFC 9110 §5.3: Authorization is a singleton field; two of them is ambiguous.
		return extraction{outcome: invalidRequest, desc: descManyHeaders}
	}
	v := values[0]
	if len(v) > maxHeader {
		return extraction{outcome: invalidToken, desc: descTooLarge}
	}
	v = strings.TrimLeft(v, " ")
	scheme, rest, _ := strings.Cut(v, " ")
	// RFC 9110 §11.1: the scheme is case-insensitive. Another scheme means the client
	// sent no bearer credentials at all (RFC 6750 §3.1: no error code).
	if !strings.EqualFold(scheme, "Bearer") {
		return extraction{outcome: absent, desc: descAbsent}
	}
	tok := strings.Trim(rest, " ")
	if tok == "" {
		return extraction{outcome: invalidRequest, desc: descEmpty}
	}
	if !isB64Token(tok) {
		return extraction{outcome: invalidRequest, desc: descSyntax}
	}
	if len(tok) > accesstoken.MaxTokenSize {
		return extraction{outcome: invalidToken, desc: descTooLarge}
	}
	return extraction{token: tok, outcome: found}
}

// isB64Token reports whether s matches RFC 6750 §2.1's
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' {
			continue
		}
		break
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}

// extract reads the bearer credentials of r. Only the Authorization header transports a
// token (RFC 9700 §4.3.2: never the URI). A token in the query or a form body is
// ignored when it is the only one (the request counts as unauthenticated), and refused
// with invalid_request when the header carries one too (RFC 6750 §2: one method only).
func extract(r *http.Request) extraction {
	e := parseAuthorization(r.Header.Values("Authorization"))
	if e.outcome != found {
		return e
	}
	if queryHasToken(r.URL) {
		return extraction{outcome: invalidRequest, desc: descManyMethods}
	}
	has, err := formHasToken(r)
	if err != nil {
		return extraction{outcome: invalidRequest, desc: descUnreadableFrm}
	}
	if has {
		return extraction{outcome: invalidRequest, desc: descManyMethods}
	}
	return e
}

func queryHasToken(u *url.URL) bool {
	// Parse only when the name could be there, literally or percent-encoded.
	if u == nil || !strings.Contains(u.RawQuery, "access_token") && !strings.Contains(u.RawQuery, "%") {
		return false
	}
	q, _ := url.ParseQuery(u.RawQuery) // keeps the pairs it could decode
	_, ok := q["access_token"]
	return ok
}

// formHasToken peeks into a form-encoded body (RFC 6750 §2.2) for access_token and
// puts the bytes back so the handler still reads the whole body.
func formHasToken(r *http.Request) (bool, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return false, nil
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return false, nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return false, nil
	}
	head, err := io.ReadAll(io.LimitReader(r.Body, maxFormPeek))
	if err != nil {
		return false, err
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
	if !bytes.Contains(head, []byte("access_token")) && !bytes.Contains(head, []byte("%")) {
		return false, nil
	}
	for part := range strings.SplitSeq(string(head), "&") {
		k, _, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); k == "access_token" || err == nil && uk == "access_token" {
			return true, nil
		}
	}
	return false, nil
}
