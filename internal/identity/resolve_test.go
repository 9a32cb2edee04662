package identity

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolve(t *testing.T) {
	held := []APIGrant{
		{Audience: "console-api", Aliases: []string{"api.cloud.camunda.io"}, Permissions: []string{"read:*", "write:*"}},
		{Audience: "operate-api", Permissions: []string{"read:*"}},
		{Audience: "web-modeler-public-api", Aliases: []string{"api.cloud.camunda.io"}, Permissions: []string{"create:*", "read:*"}},
	}
	tests := []struct {
		name            string
		held            []APIGrant
		audience, scope string
		want            Grant
		err             error
	}{
		{name: "no audience: every API held", held: held, want: Grant{
			Audience:    []string{"console-api", "operate-api", "web-modeler-public-api"},
			Permissions: map[string][]string{"console-api": {"read:*", "write:*"}, "operate-api": {"read:*"}, "web-modeler-public-api": {"create:*", "read:*"}},
			Scope:       DefaultScope}},
		{name: "one API: aud single", held: held[1:2], want: Grant{Audience: []string{"operate-api"},
			Permissions: map[string][]string{"operate-api": {"read:*"}}, Scope: DefaultScope}},
		{name: "explicit audience", held: held, audience: "operate-api", want: Grant{Audience: []string{"operate-api"},
			Permissions: map[string][]string{"operate-api": {"read:*"}}, Scope: DefaultScope}},
		{name: "SaaS alias names two APIs", held: held, audience: "api.cloud.camunda.io", want: Grant{Audience: []string{"api.cloud.camunda.io"},
			Permissions: map[string][]string{"console-api": {"read:*", "write:*"}, "web-modeler-public-api": {"create:*", "read:*"}}, Scope: DefaultScope}},
		{name: "no audience: never the management API", held: append([]APIGrant{{Audience: AudienceIdentity, Permissions: []string{"read", "write"}}}, held[1:2]...),
			want: Grant{Audience: []string{"operate-api"}, Permissions: map[string][]string{"operate-api": {"read:*"}}, Scope: DefaultScope}},
		{name: "management API asked for", held: append([]APIGrant{{Audience: AudienceIdentity, Permissions: []string{"read", "write"}}}, held[1:2]...),
			audience: AudienceIdentity, want: Grant{Audience: []string{AudienceIdentity},
				Permissions: map[string][]string{AudienceIdentity: {"read", "write"}}, Scope: DefaultScope}},
		{name: "no audience: no scope reaches the management API", held: []APIGrant{{Audience: AudienceIdentity, Permissions: []string{"read", "write"}}},
			scope: "write", err: ErrInvalidScope},
		{name: "A17 audience not held", held: held, audience: "zeebe-api", err: ErrInvalidTarget},
		{name: "A17 unknown audience", held: held, audience: "nope", err: ErrInvalidTarget},
		{name: "A17 alias of an API not held", held: held[1:2], audience: "api.cloud.camunda.io", err: ErrInvalidTarget},
		{name: "no grants: empty token", held: nil, want: Grant{Permissions: map[string][]string{}, Scope: DefaultScope}},
		{name: "oidc scopes echoed", held: held[1:2], scope: "openid email", want: Grant{Audience: []string{"operate-api"},
			Permissions: map[string][]string{"operate-api": {"read:*"}}, Scope: "openid email"}},
		{name: "down-scope to one permission", held: held, scope: "write:*", want: Grant{Audience: []string{"console-api"},
			Permissions: map[string][]string{"console-api": {"write:*"}}, Scope: "write:*"}},
		{name: "qualified permission", held: held, scope: "operate-api:read:*", want: Grant{Audience: []string{"operate-api"},
			Permissions: map[string][]string{"operate-api": {"read:*"}}, Scope: "operate-api:read:*"}},
		{name: "A18 scope beyond grant", held: held[1:2], scope: "write:*", err: ErrInvalidScope},
		{name: "A18 unknown scope", held: held, scope: "clusters:write", err: ErrInvalidScope},
		{name: "A18 scope of another audience", held: held, audience: "operate-api", scope: "console-api:write:*", err: ErrInvalidScope},
		{name: "A19 double space", held: held, scope: "openid  email", err: ErrInvalidScope},
		{name: "A19 tab", held: held, scope: "openid\temail", err: ErrInvalidScope},
		{name: "A19 duplicate", held: held, scope: "openid openid", err: ErrInvalidScope},
		{name: "A19 leading space", held: held, scope: " openid", err: ErrInvalidScope},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve(tc.held, tc.audience, tc.scope)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if tc.err != nil {
				return
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestSplitScopeLimit(t *testing.T) {
	s := "a"
	for i := 0; i < MaxScopeTokens; i++ {
		s += " b" + string(rune('A'+i%26)) + string(rune('a'+i/26))
	}
	if _, err := splitScope(s); !errors.Is(err, ErrInvalidScope) {
		t.Fatalf("%d tokens accepted", MaxScopeTokens+1)
	}
}

func TestSecrets(t *testing.T) {
	a, b := GenerateSecret(), GenerateSecret()
	if a == b || len(a) != len(SecretPrefix)+43 {
		t.Fatalf("secrets %q %q", a, b)
	}
	if cmp.Equal(digestGenerated(a), digestGenerated(b)) {
		t.Fatal("digests collide")
	}
	h := HashPassword("correct horse")
	for _, tc := range []struct {
		pw string
		ok bool
	}{{"correct horse", true}, {"correct horsf", false}, {"", false}} {
		ok, err := CheckPassword(h, tc.pw)
		if err != nil || ok != tc.ok {
			t.Errorf("CheckPassword(%q) = %v, %v", tc.pw, ok, err)
		}
	}
	if ok, err := CheckPassword(DummyPasswordHash, "correct horse"); err != nil || ok {
		t.Errorf("dummy hash: %v %v", ok, err)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=99999999,t=1,p=1$AA$AA", "plain"} {
		if _, err := CheckPassword(bad, "x"); err == nil {
			t.Errorf("CheckPassword accepted hash %q", bad)
		}
	}
}

func TestParsePermissionRef(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want PermissionRef
		bad  bool
	}{
		{in: "web-modeler-public-api:read:*", want: PermissionRef{"web-modeler-public-api", "read:*"}},
		{in: "camunda-identity-resource-server:write", want: PermissionRef{"camunda-identity-resource-server", "write"}},
		{in: "read:*", want: PermissionRef{"read", "*"}},
		{in: "nocolon", bad: true},
		{in: ":read", bad: true},
		{in: "api:", bad: true},
	} {
		got, err := ParsePermissionRef(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParsePermissionRef(%q) = %v, %v", tc.in, got, err)
		}
	}
}
