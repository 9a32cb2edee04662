package oauth

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
)

var errBadBasic = errors.New("oauth: malformed Basic credentials")

// DecodeBasic reads HTTP Basic client credentials as RFC 6749 §2.3.1 defines them: the
// scheme is case-insensitive, the value is base64 of "id:secret" where id and secret
// were each form-urlencoded first. A part that is not valid form encoding is taken as
// is (clients such as curl -u do not encode). It returns ok=false when header is not a
// Basic authorization at all.
func DecodeBasic(header string) (id, secret string, ok bool, err error) {
	scheme, rest, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", false, nil
	}
	rest = strings.TrimLeft(rest, " ")
	if rest == "" || len(rest) > 4096 {
		return "", "", true, errBadBasic
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return "", "", true, errBadBasic
	}
	u, p, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", true, errBadBasic
	}
	id, secret = formDecode(u), formDecode(p)
	if id == "" || secret == "" || !clean(id) || !clean(secret) {
		return "", "", true, errBadBasic
	}
	return id, secret, true, nil
}

func formDecode(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}
