package oauth

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const form = "application/x-www-form-urlencoded"

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

func TestParseToken(t *testing.T) {
	ok := "grant_type=client_credentials&client_id=app&client_secret=s3cret"
	tests := []struct {
		name     string
		in       Input
		want     TokenRequest
		wantCode string
		status   int
	}{
		{name: "A1 post", in: Input{Method: "POST", ContentType: form, Body: []byte(ok)},
			want: TokenRequest{ClientID: "app", ClientSecret: "s3cret"}},
		{name: "A1 charset", in: Input{Method: "POST", ContentType: form + "; charset=UTF-8", Body: []byte(ok)},
			want: TokenRequest{ClientID: "app", ClientSecret: "s3cret"}},
		{name: "A1 basic", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials"), Authorization: []string{basic("app", "s3cret")}},
			want: TokenRequest{ClientID: "app", ClientSecret: "s3cret", Basic: true}},
		{name: "basic scheme lower case", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials"), Authorization: []string{"basic " + basic("app", "x")[6:]}},
			want: TokenRequest{ClientID: "app", ClientSecret: "x", Basic: true}},
		{name: "audience and scope", in: Input{Method: "POST", ContentType: form, Body: []byte(ok + "&audience=console-api&scope=read%3A*")},
			want: TokenRequest{ClientID: "app", ClientSecret: "s3cret", Audience: "console-api", Scope: "read:*"}},
		{name: "unknown parameter ignored", in: Input{Method: "POST", ContentType: form, Body: []byte(ok + "&foo=bar")},
			want: TokenRequest{ClientID: "app", ClientSecret: "s3cret"}},
		{name: "empty audience is omitted", in: Input{Method: "POST", ContentType: form, Body: []byte(ok + "&audience=")},
			want: TokenRequest{ClientID: "app", ClientSecret: "s3cret"}},
		{name: "A2 GET", in: Input{Method: "GET", ContentType: form, Body: []byte(ok)}, wantCode: "invalid_request", status: 405},
		{name: "A2 PUT", in: Input{Method: "PUT", ContentType: form, Body: []byte(ok)}, wantCode: "invalid_request", status: 405},
		{name: "A3 missing grant_type", in: Input{Method: "POST", ContentType: form, Body: []byte("client_id=app&client_secret=s")}, wantCode: "invalid_request", status: 400},
		{name: "A3 empty grant_type", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=&client_id=app&client_secret=s")}, wantCode: "invalid_request", status: 400},
		{name: "A4 password", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=password&client_id=app&client_secret=s")}, wantCode: "unsupported_grant_type", status: 400},
		{name: "authorization_code without code", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=authorization_code&client_id=app&client_secret=s")}, wantCode: "invalid_request", status: 400},
		{name: "authorization_code confidential", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=authorization_code&code=c&redirect_uri=https%3A%2F%2Fa%2Fcb&code_verifier=v&client_id=app&client_secret=s")},
			want: TokenRequest{GrantType: GrantAuthorizationCode, ClientID: "app", ClientSecret: "s", Code: "c", RedirectURI: "https://a/cb", CodeVerifier: "v"}},
		{name: "authorization_code public", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=authorization_code&code=c&code_verifier=v&client_id=spa")},
			want: TokenRequest{GrantType: GrantAuthorizationCode, ClientID: "spa", Public: true, Code: "c", CodeVerifier: "v"}},
		{name: "client_credentials never public", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&client_id=spa")}, wantCode: "invalid_client", status: 401},
		{name: "code in the URL", in: Input{Method: "POST", ContentType: form, Query: url.Values{"code": {"c"}}, Body: []byte("grant_type=authorization_code&code=c&client_id=spa")}, wantCode: "invalid_request", status: 400},
		{name: "A4 urn", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=urn%3Afoo&client_id=app&client_secret=s")}, wantCode: "unsupported_grant_type", status: 400},
		{name: "A5 grant_type twice", in: Input{Method: "POST", ContentType: form, Body: []byte(ok + "&grant_type=client_credentials")}, wantCode: "invalid_request", status: 400},
		{name: "A5 scope twice", in: Input{Method: "POST", ContentType: form, Body: []byte(ok + "&scope=a&scope=b")}, wantCode: "invalid_request", status: 400},
		{name: "A5 audience twice", in: Input{Method: "POST", ContentType: form, Body: []byte(ok + "&audience=a&audience=b")}, wantCode: "invalid_request", status: 400},
		{name: "A6 JSON at realm endpoint", in: Input{Method: "POST", ContentType: "application/json", Body: []byte(`{"grant_type":"client_credentials","client_id":"app","client_secret":"s3cret"}`)}, wantCode: "invalid_request", status: 400},
		{name: "A6 JSON at SaaS endpoint", in: Input{Method: "POST", ContentType: "application/json", AllowJSON: true, Body: []byte(`{"grant_type":"client_credentials","audience":"api.cloud.camunda.io","client_id":"app","client_secret":"s3cret"}`)},
			want: TokenRequest{ClientID: "app", ClientSecret: "s3cret", Audience: "api.cloud.camunda.io"}},
		{name: "JSON duplicate member", in: Input{Method: "POST", ContentType: "application/json", AllowJSON: true, Body: []byte(`{"grant_type":"client_credentials","client_id":"app","client_id":"b","client_secret":"s"}`)}, wantCode: "invalid_request", status: 400},
		{name: "JSON non-string member", in: Input{Method: "POST", ContentType: "application/json", AllowJSON: true, Body: []byte(`{"grant_type":"client_credentials","client_id":1,"client_secret":"s"}`)}, wantCode: "invalid_request", status: 400},
		{name: "JSON nested", in: Input{Method: "POST", ContentType: "application/json", AllowJSON: true, Body: []byte(`{"grant_type":{"a":"b"}}`)}, wantCode: "invalid_request", status: 400},
		{name: "JSON trailing data", in: Input{Method: "POST", ContentType: "application/json", AllowJSON: true, Body: []byte(`{"grant_type":"client_credentials","client_id":"a","client_secret":"s"}{}`)}, wantCode: "invalid_request", status: 400},
		{name: "JSON array", in: Input{Method: "POST", ContentType: "application/json", AllowJSON: true, Body: []byte(`[]`)}, wantCode: "invalid_request", status: 400},
		{name: "no content type", in: Input{Method: "POST", Body: []byte(ok)}, wantCode: "invalid_request", status: 400},
		{name: "multipart", in: Input{Method: "POST", ContentType: "multipart/form-data; boundary=x", Body: []byte(ok)}, wantCode: "invalid_request", status: 400},
		{name: "A7 bad escape", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&client_id=%zz&client_secret=s")}, wantCode: "invalid_request", status: 400},
		{name: "A7 bare &&=", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&&=&client_id=a&client_secret=s")}, wantCode: "invalid_request", status: 400},
		{name: "A7 invalid UTF-8", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&client_id=%ff%fe&client_secret=s")}, wantCode: "invalid_request", status: 400},
		{name: "A7 NUL byte", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&client_id=a%00b&client_secret=s")}, wantCode: "invalid_request", status: 400},
		{name: "A7 semicolon separator", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials;client_id=a")}, wantCode: "invalid_request", status: 400},
		{name: "A9 secret in query", in: Input{Method: "POST", ContentType: form, Query: url.Values{"client_secret": {"s"}}, Body: []byte(ok)}, wantCode: "invalid_request", status: 400},
		{name: "A9 client_id in query", in: Input{Method: "POST", ContentType: form, Query: url.Values{"client_id": {"app"}}, Body: []byte("grant_type=client_credentials&client_secret=s")}, wantCode: "invalid_request", status: 400},
		{name: "bidi override in client_id", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&client_id=%E2%80%AEnimda&client_secret=s")}, wantCode: "invalid_request", status: 400},
		{name: "bidi isolate in client_id", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&client_id=a%E2%81%A6b&client_secret=s")}, wantCode: "invalid_request", status: 400},
		{name: "arabic letter mark in client_id", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&client_id=a%D8%9Cb&client_secret=s")}, wantCode: "invalid_request", status: 400},
		{name: "bidi mark in Basic user", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials"), Authorization: []string{basic("a\u200fb", "s")}}, wantCode: "invalid_request", status: 400},
		{name: "no credentials", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials")}, wantCode: "invalid_client", status: 401},
		{name: "client_id without secret", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&client_id=app")}, wantCode: "invalid_client", status: 401},
		{name: "A14 bad base64", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials"), Authorization: []string{"Basic !!!"}}, wantCode: "invalid_client", status: 401},
		{name: "A14 no colon", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials"), Authorization: []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("appsecret"))}}, wantCode: "invalid_client", status: 401},
		{name: "A14 empty user", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials"), Authorization: []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(":secret"))}}, wantCode: "invalid_client", status: 401},
		{name: "A14 Basic with nothing after", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials"), Authorization: []string{"Basic"}}, wantCode: "invalid_client", status: 401},
		{name: "A14 unknown scheme", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials"), Authorization: []string{"Bearer abc"}}, wantCode: "invalid_client", status: 401},
		{name: "A15 colon plus percent in secret", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials"), Authorization: []string{basic("app", "a:b%3A+c")}},
			want: TokenRequest{ClientID: "app", ClientSecret: "a:b%3A+c", Basic: true}},
		{name: "A15 unencoded colon in secret (curl -u)", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials"), Authorization: []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("app:a:b"))}},
			want: TokenRequest{ClientID: "app", ClientSecret: "a:b", Basic: true}},
		{name: "A16 basic and body secret", in: Input{Method: "POST", ContentType: form, Body: []byte(ok), Authorization: []string{basic("app", "s3cret")}}, wantCode: "invalid_request", status: 400},
		{name: "A16 basic user differs from body client_id", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&client_id=other"), Authorization: []string{basic("app", "s3cret")}}, wantCode: "invalid_request", status: 400},
		{name: "basic plus matching body client_id", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&client_id=app"), Authorization: []string{basic("app", "s3cret")}},
			want: TokenRequest{ClientID: "app", ClientSecret: "s3cret", Basic: true}},
		{name: "two Authorization headers", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials"), Authorization: []string{basic("a", "b"), basic("a", "b")}}, wantCode: "invalid_request", status: 400},
		{name: "client_id 255 bytes", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&client_secret=s&client_id=" + strings.Repeat("a", 255))},
			want: TokenRequest{ClientID: strings.Repeat("a", 255), ClientSecret: "s"}},
		{name: "client_id 256 bytes", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&client_secret=s&client_id=" + strings.Repeat("a", 256))}, wantCode: "invalid_request", status: 400},
		{name: "client_id 64 KiB", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&client_secret=s&client_id=" + strings.Repeat("a", 60<<10))}, wantCode: "invalid_request", status: 400},
		{name: "client_id 256 bytes without secret", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials&client_id=" + strings.Repeat("a", 256))}, wantCode: "invalid_request", status: 400},
		{name: "Basic user 256 bytes", in: Input{Method: "POST", ContentType: form, Body: []byte("grant_type=client_credentials"), Authorization: []string{basic(strings.Repeat("é", 128), "s")}}, wantCode: "invalid_request", status: 400},
		{name: "JSON client_id 256 bytes", in: Input{Method: "POST", ContentType: "application/json", AllowJSON: true, Body: []byte(`{"grant_type":"client_credentials","client_id":"` + strings.Repeat("a", 256) + `","client_secret":"s"}`)}, wantCode: "invalid_request", status: 400},
		{name: "A19 scope 100 KB", in: Input{Method: "POST", ContentType: form, Body: []byte(ok + "&scope=" + strings.Repeat("a", 100_000))}, wantCode: "invalid_request", status: 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseToken(tc.in)
			if tc.wantCode != "" {
				if err == nil {
					t.Fatalf("parsed %+v, want %s", got, tc.wantCode)
				}
				if err.Code != tc.wantCode || err.Status != tc.status {
					t.Fatalf("got %d %s (%s), want %d %s", err.Status, err.Code, err.Description, tc.status, tc.wantCode)
				}
				if strings.Contains(err.Description, "s3cret") {
					t.Errorf("description echoes the secret")
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tc.want.GrantType == "" {
				tc.want.GrantType = GrantClientCredentials
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestDecodeBasic(t *testing.T) {
	enc := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, header, id, secret string
		isBasic, bad             bool
	}{
		{"plain", enc("app:secret"), "app", "secret", true, false},
		{"form encoded", enc("my%20app:a%3Ab+c"), "my app", "a:b c", true, false},
		{"not form encoded percent", enc("app:100%"), "app", "100%", true, false},
		{"scheme case", "bAsIc " + enc("a:b")[6:], "a", "b", true, false},
		{"extra spaces", "Basic    " + enc("a:b")[6:], "a", "b", true, false},
		{"bearer", "Bearer x", "", "", false, false},
		{"empty", "", "", "", false, false},
		{"no value", "Basic ", "", "", true, true},
		{"bad base64", "Basic a$b", "", "", true, true},
		{"no colon", enc("ab"), "", "", true, true},
		{"empty secret", enc("a:"), "", "", true, true},
		{"NUL in id", enc("a\x00:b"), "", "", true, true},
		{"url base64 alphabet", "Basic " + base64.URLEncoding.EncodeToString([]byte("??>:>>?")), "", "", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, secret, isBasic, err := DecodeBasic(tc.header)
			if isBasic != tc.isBasic || (err != nil) != tc.bad || id != tc.id || secret != tc.secret {
				t.Errorf("DecodeBasic(%q) = %q, %q, %v, %v", tc.header, id, secret, isBasic, err)
			}
		})
	}
}

func FuzzDecodeBasic(f *testing.F) {
	for _, s := range []string{"Basic YXBwOnNlY3JldA==", "Basic ", "basic Og==", "Basic %%%", "Bearer x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		id, secret, isBasic, err := DecodeBasic(h)
		if err == nil && isBasic && (id == "" || secret == "" || !clean(id) || !clean(secret)) {
			t.Fatalf("accepted empty or unclean credentials from %q", h)
		}
	})
}

func FuzzParseToken(f *testing.F) {
	f.Add("grant_type=client_credentials&client_id=a&client_secret=b", form, "", false)
	f.Add(`{"grant_type":"client_credentials","client_id":"a","client_secret":"b"}`, "application/json", "", true)
	f.Add("grant_type=client_credentials", form, "Basic YTpi", false)
	f.Add("%zz&&=", form, "", false)
	f.Add("grant_type=client_credentials&client_secret=b&client_id="+strings.Repeat("a", 256), form, "", false)
	f.Fuzz(func(t *testing.T, body, ct, authz string, allowJSON bool) {
		in := Input{Method: "POST", ContentType: ct, Body: []byte(body), AllowJSON: allowJSON}
		if authz != "" {
			in.Authorization = []string{authz}
		}
		req, err := ParseToken(in)
		if err != nil {
			if err.Status < 400 || err.Status > 499 || err.Code == "" {
				t.Fatalf("bad error %+v", err)
			}
			return
		}
		if req.ClientID == "" || req.ClientSecret == "" {
			t.Fatalf("accepted request without credentials: %+v", req)
		}
		if len(req.ClientID) > MaxClientIDLen {
			t.Fatalf("accepted a %d-byte client id", len(req.ClientID))
		}
	})
}
