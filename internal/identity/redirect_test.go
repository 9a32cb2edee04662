package identity_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/identity"
)

func TestMatchRedirect(t *testing.T) {
	reg := []string{
		"https://app.example/cb",
		"https://app.example/q?x=1",
		"/relative-cb",
		"https://wild.example/app/*",
		"http://127.0.0.1/native",
		"http://localhost:8080/dev",
	}
	const root = "https://root.example:8443"
	for _, tc := range []struct {
		name string
		typ  string
		uri  string
		want bool
	}{
		{"exact", identity.AppConfidential, "https://app.example/cb", true},
		{"default port spelled", identity.AppConfidential, "https://app.example:443/cb", true},
		{"other port", identity.AppConfidential, "https://app.example:444/cb", false},
		{"other scheme", identity.AppConfidential, "http://app.example/cb", false},
		{"other host", identity.AppConfidential, "https://evil.example/cb", false},
		{"host suffix", identity.AppConfidential, "https://app.example.evil.example/cb", false},
		{"trailing slash", identity.AppConfidential, "https://app.example/cb/", false},
		{"sub-path of exact", identity.AppConfidential, "https://app.example/cb/x", false},
		{"extra query", identity.AppConfidential, "https://app.example/cb?x=1", false},
		{"query exact", identity.AppConfidential, "https://app.example/q?x=1", true},
		{"query differs", identity.AppConfidential, "https://app.example/q?x=2", false},
		{"fragment", identity.AppConfidential, "https://app.example/cb#f", false},
		{"user info", identity.AppConfidential, "https://app.example@evil.example/cb", false},
		{"user info same host", identity.AppConfidential, "https://u@app.example/cb", false},
		{"relative resolved", identity.AppConfidential, "https://root.example:8443/relative-cb", true},
		{"relative wrong port", identity.AppConfidential, "https://root.example/relative-cb", false},
		{"wildcard base", identity.AppConfidential, "https://wild.example/app", true},
		{"wildcard sub-path", identity.AppConfidential, "https://wild.example/app/a/b?c=d", true},
		{"wildcard sibling", identity.AppConfidential, "https://wild.example/application", false},
		{"wildcard dot-dot", identity.AppConfidential, "https://wild.example/app/../admin", false},
		{"wildcard encoded dot-dot", identity.AppConfidential, "https://wild.example/app/%2e%2e/admin", false},
		{"wildcard encoded slash", identity.AppConfidential, "https://wild.example/app%2f..%2fadmin", false},
		{"wildcard backslash", identity.AppConfidential, `https://wild.example/app/\evil`, false},
		{"loopback public any port", identity.AppPublic, "http://127.0.0.1:51234/native", true},
		{"loopback confidential other port", identity.AppConfidential, "http://127.0.0.1:51234/native", false},
		{"loopback public other path", identity.AppPublic, "http://127.0.0.1:51234/other", false},
		{"localhost public any port", identity.AppPublic, "http://localhost:9999/dev", true},
		{"localhost confidential exact", identity.AppConfidential, "http://localhost:8080/dev", true},
		{"not a URL", identity.AppPublic, "javascript:alert(1)", false},
		{"scheme relative", identity.AppPublic, "//app.example/cb", false},
		{"empty", identity.AppPublic, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := identity.MatchRedirect(tc.typ, root, reg, tc.uri); got != tc.want {
				t.Errorf("MatchRedirect(%q) = %v, want %v", tc.uri, got, tc.want)
			}
		})
	}
	if identity.MatchRedirect(identity.AppConfidential, "", []string{"/cb"}, "https://x.example/cb") {
		t.Error("a relative URI without root URL matched")
	}
}

// FuzzMatchRedirect: whatever the input, a match is one of the registered
// (host, scheme) pairs, never carries a fragment or user info, and never panics.
func FuzzMatchRedirect(f *testing.F) {
	for _, s := range []string{"https://app.example/cb", "https://app.example/cb#x", "http://127.0.0.1:1/n",
		"https://wild.example/app/../x", "https://a@app.example/cb", "https://wild.example/app/ok?q"} {
		f.Add(s)
	}
	reg := []string{"https://app.example/cb", "https://wild.example/app/*", "http://127.0.0.1/n"}
	f.Fuzz(func(t *testing.T, uri string) {
		for _, typ := range []string{identity.AppPublic, identity.AppConfidential} {
			if !identity.MatchRedirect(typ, "", reg, uri) {
				continue
			}
			u, ok := parse(uri)
			if !ok {
				t.Fatalf("matched unparsable %q", uri)
			}
			if u.Fragment != "" || u.User != nil {
				t.Fatalf("matched %q with fragment or user info", uri)
			}
			switch u.Hostname() {
			case "app.example", "wild.example", "127.0.0.1":
			default:
				t.Fatalf("matched foreign host in %q", uri)
			}
		}
	})
}
