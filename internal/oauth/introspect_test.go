package oauth

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTokenParams(t *testing.T) {
	ok := "token=abc.def.ghi&client_id=app&client_secret=s3cret"
	tests := []struct {
		name     string
		in       Input
		want     TokenParams
		wantCode string
		status   int
	}{
		{name: "post credentials", in: Input{Method: "POST", ContentType: form, Body: []byte(ok)},
			want: TokenParams{Token: "abc.def.ghi", ClientID: "app", ClientSecret: "s3cret"}},
		{name: "basic credentials", in: Input{Method: "POST", ContentType: form, Body: []byte("token=t&token_type_hint=access_token"),
			Authorization: []string{basic("app", "a:b+c")}},
			want: TokenParams{Token: "t", Hint: "access_token", ClientID: "app", ClientSecret: "a:b+c"}},
		{name: "unknown hint is advisory", in: Input{Method: "POST", ContentType: form, Body: []byte(ok + "&token_type_hint=refresh_token")},
			want: TokenParams{Token: "abc.def.ghi", Hint: "refresh_token", ClientID: "app", ClientSecret: "s3cret"}},
		{name: "GET", in: Input{Method: "GET", ContentType: form, Body: []byte(ok)}, wantCode: "invalid_request", status: 405},
		{name: "missing token", in: Input{Method: "POST", ContentType: form, Body: []byte("client_id=app&client_secret=s")}, wantCode: "invalid_request", status: 400},
		{name: "empty token", in: Input{Method: "POST", ContentType: form, Body: []byte("token=&client_id=app&client_secret=s")}, wantCode: "invalid_request", status: 400},
		{name: "token twice", in: Input{Method: "POST", ContentType: form, Body: []byte(ok + "&token=x")}, wantCode: "invalid_request", status: 400},
		{name: "token in query", in: Input{Method: "POST", ContentType: form, Query: url.Values{"token": {"x"}}, Body: []byte(ok)}, wantCode: "invalid_request", status: 400},
		{name: "secret in query", in: Input{Method: "POST", ContentType: form, Query: url.Values{"client_secret": {"x"}}, Body: []byte("token=t&client_id=app")}, wantCode: "invalid_request", status: 400},
		{name: "JSON body", in: Input{Method: "POST", ContentType: "application/json", AllowJSON: true, Body: []byte(`{"token":"t","client_id":"a","client_secret":"s"}`)}, wantCode: "invalid_request", status: 400},
		{name: "B1 no credentials", in: Input{Method: "POST", ContentType: form, Body: []byte("token=t")}, wantCode: "invalid_client", status: 401},
		{name: "B1 id without secret", in: Input{Method: "POST", ContentType: form, Body: []byte("token=t&client_id=app")}, wantCode: "invalid_client", status: 401},
		{name: "bad basic", in: Input{Method: "POST", ContentType: form, Body: []byte("token=t"), Authorization: []string{"Basic !!!"}}, wantCode: "invalid_client", status: 401},
		{name: "two methods", in: Input{Method: "POST", ContentType: form, Body: []byte(ok), Authorization: []string{basic("app", "s3cret")}}, wantCode: "invalid_request", status: 400},
		{name: "client_id 256 bytes", in: Input{Method: "POST", ContentType: form, Body: []byte("token=t&client_secret=s&client_id=" + strings.Repeat("a", 256))}, wantCode: "invalid_request", status: 400},
		{name: "Basic user 256 bytes", in: Input{Method: "POST", ContentType: form, Body: []byte("token=t"), Authorization: []string{basic(strings.Repeat("a", 256), "s")}}, wantCode: "invalid_request", status: 400},
		{name: "hint too long", in: Input{Method: "POST", ContentType: form, Body: []byte(ok + "&token_type_hint=" + strings.Repeat("a", 65))}, wantCode: "invalid_request", status: 400},
		{name: "NUL in token", in: Input{Method: "POST", ContentType: form, Body: []byte("token=a%00b&client_id=app&client_secret=s")}, wantCode: "invalid_request", status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, perr := ParseTokenParams(tt.in)
			if tt.wantCode != "" {
				if perr == nil || perr.Code != tt.wantCode || perr.Status != tt.status {
					t.Fatalf("got %+v, %v; want %s/%d", got, perr, tt.wantCode, tt.status)
				}
				return
			}
			if perr != nil {
				t.Fatalf("unexpected error %v", perr)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestPeekAudience(t *testing.T) {
	enc := func(s string) string { return b64url(s) }
	for _, tc := range []struct {
		name, token string
		want        []string
	}{
		{"string", "x." + enc(`{"aud":"a"}`) + ".y", []string{"a"}},
		{"array", "x." + enc(`{"aud":["a","b"]}`) + ".y", []string{"a", "b"}},
		{"missing", "x." + enc(`{}`) + ".y", nil},
		{"two segments", "x." + enc(`{"aud":"a"}`), nil},
		{"bad base64", "x.!!!.y", nil},
		{"not json", "x." + enc("nope") + ".y", nil},
		{"too large", "x." + enc(`{"aud":"`+strings.Repeat("a", 9000)+`"}`) + ".y", nil},
	} {
		if d := cmp.Diff(tc.want, peekAudience(tc.token)); d != "" {
			t.Errorf("%s: (-want +got):\n%s", tc.name, d)
		}
	}
}

var base64URL = base64.RawURLEncoding

func b64url(s string) string { return base64URL.EncodeToString([]byte(s)) }
