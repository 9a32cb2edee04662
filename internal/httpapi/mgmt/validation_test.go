package mgmt_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestRequestValidation(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	o := e.objects()
	admin := e.admin()
	long := strings.Repeat("n", 256)

	// Every operation that takes a body: the generic refusals.
	bodies := []struct {
		method, path string
		object       bool // the body is a JSON object (else an array)
	}{
		{"POST", "/applications", true},
		{"PATCH", "/applications/" + o.app, true},
		{"POST", "/applications/" + o.app + "/rotate-secret", true},
		{"PUT", "/applications/" + o.app + "/permissions", false},
		{"DELETE", "/applications/" + o.app + "/permissions", false},
		{"POST", "/apis", true},
		{"PATCH", "/apis/" + o.api, true},
		{"POST", "/users", true},
		{"PATCH", "/users/" + o.user, true},
		{"PUT", "/users/" + o.user + "/roles", false},
		{"DELETE", "/users/" + o.user + "/roles", false},
		{"POST", "/clusters", true},
		{"PATCH", "/clusters/" + o.cluster, true},
	}
	for _, b := range bodies {
		name := b.method + " " + b.path
		generic := map[string]string{
			"not JSON":      `{"name":`,
			"trailing data": `{} {}`,
			"wrong shape":   `"a string"`,
		}
		if b.object {
			// Checklist D7: mass assignment is refused, not ignored.
			generic["unknown member clientId"] = `{"name":"x","clientId":"chosen-by-me"}`
			generic["unknown member secret_hash"] = `{"name":"x","secret_hash":"00"}`
			generic["unknown member id"] = `{"name":"x","id":"11111111-1111-4111-8111-111111111111"}`
		} else {
			generic["unknown member in an item"] = `[{"api":"console-api","permission":"read:*","realm":"other"}]`
			generic["empty list"] = `[]`
		}
		for what, body := range generic {
			if b.path == "/users/"+o.user+"/roles" && what == "unknown member in an item" {
				continue // roles are strings; covered by "wrong shape"
			}
			r := e.call(admin, b.method, b.path, body)
			if r.status != http.StatusBadRequest {
				t.Errorf("%s, %s: status %d, want 400: %s", name, what, r.status, r.body)
				continue
			}
			p := r.problem()
			if strings.Contains(string(r.body), "chosen-by-me") {
				t.Errorf("%s: the problem echoes the input: %s", name, r.body)
			}
			if p["status"] != float64(400) || p["title"] != "Bad Request" {
				t.Errorf("%s, %s: problem %v", name, what, p)
			}
		}
		if b.path != "/applications/"+o.app+"/rotate-secret" {
			e.call(admin, b.method, b.path, nil).want(http.StatusBadRequest).problem()
		}
		e.raw(admin, b.method, "/manage/v1/realms/"+realm+b.path, `{"name":"x"}`, "text/plain", true).
			want(http.StatusUnsupportedMediaType).problem()
		huge := `{"name":"` + strings.Repeat("a", 1<<20) + `"}`
		e.call(admin, b.method, b.path, huge).want(http.StatusRequestEntityTooLarge).problem()
	}

	// Domain rules.
	rules := []struct {
		name, method, path string
		body               any
		status             int
	}{
		{"app without name", "POST", "/applications", `{"permissions":[]}`, 400},
		{"app name too long", "POST", "/applications", map[string]any{"name": long}, 400},
		{"app name with RTL override", "POST", "/applications", map[string]any{"name": "evil\u202eexe.txt"}, 400},
		{"app name with newline", "POST", "/applications", map[string]any{"name": "a\nb"}, 400},
		{"app name wrong type", "POST", "/applications", `{"name":42}`, 400},
		{"unknown API", "POST", "/applications", map[string]any{"name": "x", "permissions": []map[string]string{{"api": "nope-api", "permission": "read:*"}}}, 400},
		{"unknown permission", "POST", "/applications", map[string]any{"name": "x", "permissions": []map[string]string{{"api": "console-api", "permission": "admin:*"}}}, 400},
		{"empty patch", "PATCH", "/applications/" + o.app, `{}`, 400},
		{"rename to empty", "PATCH", "/applications/" + o.app, map[string]any{"name": ""}, 400},
		{"grant unknown API", "PUT", "/applications/" + o.app + "/permissions", []map[string]string{{"api": "nope-api", "permission": "read:*"}}, 400},
		{"grant malformed", "PUT", "/applications/" + o.app + "/permissions", []map[string]string{{"api": "console api", "permission": "read:*"}}, 400},
		{"api audience with colon", "POST", "/apis", map[string]any{"name": "x", "audience": "a:b"}, 400},
		{"api without audience", "POST", "/apis", map[string]any{"name": "x"}, 400},
		{"api duplicate definitions", "POST", "/apis", map[string]any{"name": "x", "audience": "x-api",
			"permissions": []map[string]string{{"definition": "read"}, {"definition": "read"}}}, 400},
		{"api bad definition", "POST", "/apis", map[string]any{"name": "x", "audience": "x-api",
			"permissions": []map[string]string{{"definition": "read everything"}}}, 400},
		{"api taken audience", "POST", "/apis", map[string]any{"name": "x", "audience": "console-api"}, 409},
		{"api audience changed", "PATCH", "/apis/" + o.api, map[string]any{"audience": "renamed-api"}, 400},
		{"api empty patch", "PATCH", "/apis/" + o.api, `{}`, 400},
		{"user short password", "POST", "/users", map[string]any{"username": "u1", "password": "short"}, 400},
		{"user bad username", "POST", "/users", map[string]any{"username": "a b", "password": "long enough password"}, 400},
		{"user bad email", "POST", "/users", map[string]any{"username": "u2", "password": "long enough password", "email": "nope"}, 400},
		{"user taken username", "POST", "/users", map[string]any{"username": "TARGET", "password": "long enough password"}, 409},
		{"user password hash", "POST", "/users", map[string]any{"username": "u3", "password": "long enough password", "passwordHash": "$argon2id$"}, 400},
		{"user empty patch", "PATCH", "/users/" + o.user, `{}`, 400},
		{"role empty", "PUT", "/users/" + o.user + "/roles", []string{""}, 400},
		{"cluster without name", "POST", "/clusters", map[string]any{"namespace": "camunda"}, 400},
		{"cluster bad namespace", "POST", "/clusters", map[string]any{"name": "c", "namespace": "Not_A_Label"}, 400},
		{"cluster duplicate component", "POST", "/clusters", map[string]any{"name": "c", "components": []map[string]string{{"id": "operate"}, {"id": "operate"}}}, 400},
		{"cluster bad component type", "POST", "/clusters", map[string]any{"name": "c", "components": []map[string]string{{"id": "x", "type": "nope"}}}, 400},
		{"cluster URL with credentials", "POST", "/clusters", map[string]any{"name": "c", "components": []map[string]string{{"id": "x", "readiness": "http://user:pw@operate:9600/ready"}}}, 400},
		{"cluster relative URL", "POST", "/clusters", map[string]any{"name": "c", "components": []map[string]string{{"id": "x", "url": "/operate"}}}, 400},
		{"cluster javascript URL", "POST", "/clusters", map[string]any{"name": "c", "components": []map[string]string{{"id": "x", "url": "javascript:alert(1)"}}}, 400},
		{"cluster empty patch", "PATCH", "/clusters/" + o.cluster, `{}`, 400},
		{"cluster patch breaks a rule", "PATCH", "/clusters/" + o.cluster, map[string]any{"name": ""}, 400},
		{"delete API cascade not boolean", "DELETE", "/apis/" + o.api + "?cascade=maybe", nil, 400},
	}
	for _, rule := range rules {
		r := e.call(admin, rule.method, rule.path, rule.body)
		if r.status != rule.status {
			t.Errorf("%s: status %d, want %d: %s", rule.name, r.status, rule.status, r.body)
			continue
		}
		r.problem()
	}

	// Query parameters.
	for _, q := range []string{"/applications?limit=0", "/applications?limit=501", "/applications?limit=abc", "/applications?offset=-1",
		"/apis?limit=-5", "/users?offset=x", "/clusters?limit=1e9", "/applications?q=" + long,
		"/audit?before=0", "/audit?before=x", "/audit?limit=0", "/audit?outcome=maybe", "/audit?since=yesterday", "/audit?until=1700000000"} {
		e.call(admin, "GET", q, nil).want(http.StatusBadRequest).problem()
	}
}
