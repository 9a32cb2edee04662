package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// metricFamilies are the families /metrics holds after some traffic; docs/operations.md
// lists the same names.
var metricFamilies = []string{
	"gatehouse_http_requests_total",
	"gatehouse_http_request_duration_seconds",
	"gatehouse_http_requests_in_flight",
	"gatehouse_tokens_issued_total",
	"gatehouse_token_requests_denied_total",
	"gatehouse_token_requests_throttled_total",
	"gatehouse_tokens_reused_total",
	"gatehouse_token_issue_seconds",
	"gatehouse_introspections_total",
	"gatehouse_signing_key_age_seconds",
	"gatehouse_signing_key_rotations_total",
	"gatehouse_deny_list_revoked_tokens",
	"gatehouse_deny_list_disabled_applications",
	"gatehouse_deny_list_reload_seconds",
	"gatehouse_deny_list_age_seconds",
	"gatehouse_db_call_duration_seconds",
	"go_sql_open_connections",
	"go_sql_in_use_connections",
	"go_sql_wait_count_total",
	"gatehouse_bearer_cache_requests_total",
	"gatehouse_cluster_probes_total",
	"gatehouse_cluster_components",
}

func scrape(t *testing.T, in *servertest.Instance) string {
	t.Helper()
	resp, err := http.Get(in.URL(server.ManagementListener) + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestMetricLabelsBounded: made-up realms and paths create no series; route labels are
// ServeMux patterns; every documented family exists after some traffic.
func TestMetricLabelsBounded(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: seeded})
	console := in.Token(t, realm, "billing-job", "billing-secret-123", "console-api")
	for range 2 { // a miss, then a hit of the verified-token cache
		servertest.Do(t, http.MethodGet, in.URL(server.ConsoleListener)+"/admin-api/clusters", console, "")
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"x"}, "client_secret": {"y"}}.Encode()
	for _, name := range []string{"made-up-1", "made-up-2", "made-up-3", "made-up-4", strings.Repeat("r", 2000)} {
		post(t, in.TokenURL(name), formHeader(), form)
	}
	for i := range 6 { // wrong secrets until the throttle answers 429
		post(t, in.TokenURL(realm), formHeader(), "grant_type=client_credentials&client_id=billing-job&client_secret=wrong"+string(rune('a'+i)))
	}
	post(t, in.URL(server.IdentityListener)+"/auth/realms/"+realm+"/protocol/openid-connect/token/introspect", formHeader(), "token=abc")
	http.Get(in.URL(server.IdentityListener) + "/no/such/path/secret-looking-segment")
	if err := in.Keys.Rotate(context.Background(), realm); err != nil {
		t.Fatal(err)
	}

	scrape(t, in) // counted once written: the second scrape shows the first
	body := scrape(t, in)
	if strings.Contains(body, "made-up") || strings.Contains(body, "rrrrrrrr") || strings.Contains(body, "secret-looking") {
		t.Errorf("a request path became a label value:\n%s", grepLines(body, "made-up|rrrr|secret-looking"))
	}
	if !regexp.MustCompile(`gatehouse_token_requests_denied_total\{error="[a-z_]+",grant_type="none",realm="unknown"\} 5`).MatchString(body) {
		t.Errorf("no series for the made-up realms under realm=\"unknown\":\n%s", grepLines(body, "denied"))
	}
	for _, want := range []string{
		`route="/auth/realms/{realm}/protocol/openid-connect/token"`,
		`route="unmatched"`,
		`listener="management",route="GET /metrics"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("no %s in:\n%s", want, grepLines(body, "gatehouse_http_requests_total"))
		}
	}
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "gatehouse_http_") && strings.Contains(line, `route="/auth/realms/`+realm) {
			t.Errorf("a path, not a pattern, as route: %s", line)
		}
	}
	for _, want := range []string{`gatehouse_bearer_cache_requests_total{api="console-api",result="hit"} 1`,
		`gatehouse_signing_key_rotations_total{realm="` + realm + `"} 1`, `gatehouse_db_call_duration_seconds_count{kind="read"}`,
		`go_sql_open_connections{db_name="read"}`} {
		if !strings.Contains(body, want) {
			t.Errorf("no %s in:\n%s", want, grepLines(body, "bearer|rotations|db_call_duration_seconds_count|go_sql_open"))
		}
	}
	for _, f := range metricFamilies {
		if !strings.Contains(body, "# TYPE "+f+" ") {
			t.Errorf("metric family %s missing", f)
		}
	}
}

func grepLines(body, expr string) string {
	re := regexp.MustCompile(expr)
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if re.MatchString(l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestAccessLogNoSecrets: with --access-log one JSON line per request, and neither a
// client secret, a token nor a query string in it.
func TestAccessLogNoSecrets(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) { seeded(c); c.AccessLog = true }})
	tok := in.Token(t, realm, "billing-job", "billing-secret-123", "")
	post(t, in.TokenURL(realm)+"?client_secret=query-secret-456", formHeader(),
		"grant_type=client_credentials&client_id=billing-job&client_secret=billing-secret-123")
	servertest.Do(t, http.MethodGet, in.URL(server.ConsoleListener)+"/admin-api/clusters", tok, "")
	in.Stop()
	log := in.Access.String()
	for _, secret := range []string{"billing-secret-123", "query-secret-456", tok, tok[:20], "Bearer", "client_secret"} {
		if strings.Contains(log, secret) {
			t.Errorf("access log holds %q:\n%s", secret, log)
		}
	}
	for _, want := range []string{`"listener":"identity"`, `"route":"/auth/realms/{realm}/protocol/openid-connect/token"`,
		`"status":200`, `"client_ip":"127.0.0.1"`, `"listener":"console"`, `"method":"POST"`, `"bytes":`, `"duration_seconds":`} {
		if !strings.Contains(log, want) {
			t.Errorf("access log lacks %s:\n%s", want, log)
		}
	}
	if strings.Contains(in.Log.String(), `"route"`) {
		t.Error("access log lines went to the server log")
	}
}

// TestDrain: on shutdown /readyz answers 503 at once while the listeners still serve,
// and Run returns after the drain delay.
func TestDrain(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) { c.DrainDelay = 3 * time.Second }})
	ready := in.URL(server.ManagementListener) + "/readyz"
	if code, _, _ := servertest.Do(t, http.MethodGet, ready, "", ""); code != http.StatusOK {
		t.Fatalf("/readyz before shutdown: %d", code)
	}
	stopped := make(chan struct{})
	go func() { in.Stop(); close(stopped) }()
	deadline := time.Now().Add(2 * time.Second)
	for {
		code, _, body := servertest.Do(t, http.MethodGet, ready, "", "")
		if code == http.StatusServiceUnavailable {
			if !strings.Contains(string(body), "shutting down") {
				t.Errorf("reason: %s", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d after shutdown began", code)
		}
		time.Sleep(10 * time.Millisecond) // polling interval, not an assertion
	}
	select {
	case <-stopped:
		t.Fatal("Run returned before the drain delay ended")
	default:
	}
	// Still serving during the drain delay.
	if code, _, _ := servertest.Do(t, http.MethodGet, in.URL(server.IdentityListener)+"/auth/realms/camunda-platform/protocol/openid-connect/certs", "", ""); code != http.StatusOK {
		t.Errorf("JWKS during drain: %d", code)
	}
	select {
	case <-stopped:
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after the drain delay")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ready, nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Error("management listener still answers after Run returned")
	}
}

// TestMetricFamiliesDocumented: docs/operations.md lists exactly the families the test
// above requires.
func TestMetricFamiliesDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, _ := strings.Cut(string(b), "\n## Metrics\n")
	sec, _, _ = strings.Cut(sec, "\n## ")
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllStringSubmatch(sec, -1) {
		documented = append(documented, m[1])
	}
	want := slices.Clone(metricFamilies)
	slices.Sort(want)
	slices.Sort(documented)
	if d := cmp.Diff(want, documented); d != "" {
		t.Errorf("metric families: test list (-) vs docs/operations.md (+):\n%s", d)
	}
}

// TestDashboardMetrics: every gatehouse_ and go_sql_ metric the Grafana dashboard
// queries is a documented family.
func TestDashboardMetrics(t *testing.T) {
	b, err := os.ReadFile("../../deploy/grafana/gatehouse.json")
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatal("deploy/grafana/gatehouse.json is not JSON")
	}
	names := regexp.MustCompile(`\b(?:gatehouse|go_sql)_[a-z_]+`).FindAllString(string(b), -1)
	if len(names) < 20 {
		t.Fatalf("only %d metric references", len(names))
	}
	for _, n := range names {
		n = strings.TrimSuffix(n, "_bucket")
		if !slices.Contains(metricFamilies, n) {
			t.Errorf("the dashboard queries %s, which is not a documented family", n)
		}
	}
}
