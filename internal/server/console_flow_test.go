package server_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/cluster"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// fakeComponent is a component's management port: readiness and usage metrics.
type fakeComponent struct {
	srv  *httptest.Server
	mode string // healthy, unhealthy, slow
}

func newFakeComponent(t *testing.T, mode string) *fakeComponent {
	f := &fakeComponent{mode: mode}
	stop := make(chan struct{})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch f.mode {
		case "slow":
			select {
			case <-stop:
			case <-r.Context().Done():
			}
			return
		case "unhealthy":
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		switch r.URL.Path {
		case "/actuator/health/readiness":
			w.Write([]byte(`{"status":"UP"}`))
		case "/actuator/usage-metrics/process-instances":
			w.Write([]byte(`{"total":42}`))
		case "/actuator/usage-metrics/decision-instances":
			w.Write([]byte(`{"total":7}`))
		case "/actuator/usage-metrics/assignees":
			w.Write([]byte(`{"total":2,"assignees":["john.lennon","oprah.winfrey"]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(func() { close(stop); f.srv.Close() })
	return f
}

func (f *fakeComponent) readiness() string { return f.srv.URL + "/actuator/health/readiness" }

func deadURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}

// TestAdminSeedFlow is the seed document end to end: an M2M application declared the
// way KEYCLOAK_CLIENTS_* does, a token from the identity listener through
// golang.org/x/oauth2/clientcredentials, then GET /admin-api/clusters with live health,
// and usage metrics from the clusters' Operate and Tasklist, every answer checked
// against the OpenAPI document.
func TestAdminSeedFlow(t *testing.T) {
	ctx := context.Background()
	operate, tasklist := newFakeComponent(t, "healthy"), newFakeComponent(t, "healthy")
	sick, slow, dead := newFakeComponent(t, "unhealthy"), newFakeComponent(t, "slow"), deadURL(t)
	in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) {
		c.Clients = append(c.Clients, config.Client{Name: "Admin API client", ID: "admin-api-client", Secret: "admin-api-secret-123", Type: "M2M",
			Permissions: []config.Permission{{ResourceServerID: "console-api", Definition: "read:*"}}})
		c.ClusterProbeTimeout = 300 * time.Millisecond
		c.OutboundAllow = "127.0.0.0/8" // the fake components
		c.Clusters = []config.Cluster{
			{Name: "camunda-prod", Namespace: "prod", Version: "8.6.2", Tags: []string{"prod"}, Components: []config.ClusterComponent{
				{ID: "operate", Name: "Operate", Version: "8.6.2", URL: "https://operate.example", Readiness: operate.readiness(),
					Metrics: operate.srv.URL + "/actuator/prometheus"},
				{ID: "tasklist", Name: "Tasklist", Version: "8.6.2", URL: "https://tasklist.example", Readiness: tasklist.readiness()},
			}},
			{Name: "camunda-stage", Namespace: "stage", Version: "8.6.0", Components: []config.ClusterComponent{
				{ID: "zeebe", Version: "8.6.0", Readiness: sick.readiness()},
				{ID: "zeebeGateway", Version: "8.6.0", Readiness: slow.readiness()},
				{ID: "operate", Version: "8.6.0", Readiness: dead + "/actuator/health/readiness"},
			}},
			{Name: "management", Namespace: "camunda", Version: "8.6.2", Components: []config.ClusterComponent{
				{ID: "console", Version: "8.6.2", URL: "https://console.example"},
				{ID: "keycloak", Version: "25.0"},
				{ID: "webModelerWebApp", Version: "8.6.2", Readiness: operate.readiness()},
			}},
		}
	}})
	cc := clientcredentials.Config{ClientID: "admin-api-client", ClientSecret: "admin-api-secret-123", TokenURL: in.TokenURL(realm)}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := in.ProbeClusters(ctx); err != nil {
		t.Fatal(err)
	}
	req, resp, body := admGet(t, in, "/admin-api/clusters", "Bearer "+tok.AccessToken)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	admValidate(t, req, resp, body)
	var got []struct {
		UUID, Name, Namespace, Status, Generation, Type string
		Apps                                            []struct{ Type, ID, Status, URL, Generation, Readiness, Metrics string }
	}
	if err := json.Unmarshal(body, &got); err != nil || len(got) != 3 {
		t.Fatalf("%s: %v", body, err)
	}
	byName := map[string]int{}
	for i, c := range got {
		byName[c.Name] = i
	}
	prod, stage, mgmt := got[byName["camunda-prod"]], got[byName["camunda-stage"]], got[byName["management"]]
	if prod.UUID != cluster.StableID(realm, "camunda-prod") || prod.Status != "healthy" || prod.Type != "automation" ||
		prod.Generation != "8.6.2" || prod.Namespace != "prod" || prod.Apps[0].Type != "operate" || prod.Apps[0].URL != "https://operate.example" {
		t.Fatalf("prod %+v", prod)
	}
	want := map[string]string{"zeebe": "unhealthy", "zeebeGateway": "unhealthy", "operate": "unhealthy"}
	for _, a := range stage.Apps {
		if a.Status != want[a.ID] {
			t.Errorf("stage app %s: %s, want %s", a.ID, a.Status, want[a.ID])
		}
	}
	if stage.Status != "unhealthy" || stage.Apps[0].Type != "zeebe-broker" || stage.Apps[1].Type != "zeebe-gateway" {
		t.Fatalf("stage %+v", stage)
	}
	// Never probed (no readiness URL) → unknown, and the cluster with it unknown.
	if mgmt.Type != "management" || mgmt.Status != "unknown" || mgmt.Apps[0].Status != "unknown" || mgmt.Apps[1].Type != "identity" ||
		mgmt.Apps[2].Type != "modeler" || mgmt.Apps[2].Status != "healthy" {
		t.Fatalf("management %+v", mgmt)
	}

	usage := func(id string) (*http.Request, *http.Response, []byte) {
		return admGet(t, in, "/admin-api/usage-metrics?id="+id+"&start=1700000000000&end=1700086400000", "Bearer "+tok.AccessToken)
	}
	req, resp, body = usage(prod.UUID)
	admValidate(t, req, resp, body)
	if resp.StatusCode != 200 || string(body) != `{"id":"`+prod.UUID+`","processInstances":{"total":42},"decisionInstances":{"total":7},"taskUsers":{"total":2,"assignees":["john.lennon","oprah.winfrey"]}}` {
		t.Fatalf("usage %d %s", resp.StatusCode, body)
	}
	req, resp, body = usage(stage.UUID) // its Operate is not listening
	admValidate(t, req, resp, body)
	if resp.StatusCode != 502 || !strings.Contains(string(body), "operate") {
		t.Fatalf("usage of a cluster whose source is down: %d %s", resp.StatusCode, body)
	}
	req, resp, body = usage("00000000-0000-0000-0000-000000000000")
	admValidate(t, req, resp, body)
	if resp.StatusCode != 404 {
		t.Fatalf("unknown cluster: %d", resp.StatusCode)
	}
	req, resp, body = admGet(t, in, "/admin-api/usage-metrics?id="+prod.UUID+"&start=2&end=1", "Bearer "+tok.AccessToken)
	admValidate(t, req, resp, body)
	if resp.StatusCode != 400 {
		t.Fatalf("start > end: %d", resp.StatusCode)
	}

	// The document itself is served without a token.
	_, resp, body = admGet(t, in, "/admin-api/openapi/docs")
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "openapi: 3.0.0") {
		t.Fatalf("docs %d", resp.StatusCode)
	}
}

// TestAdminDisableAuth: with --console-disable-auth the API needs no token, and the
// start says so loudly.
func TestAdminDisableAuth(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) { c.ConsoleDisableAuth = true }})
	_, resp, body := admGet(t, in, "/admin-api/clusters")
	if resp.StatusCode != 200 || string(body) != "[]" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	// The warning comes from a background loop of Run: once the server has stopped,
	// Run has returned and the loop has written it.
	in.Stop()
	if !strings.Contains(in.Log.String(), `"level":"WARN","msg":"AUTHENTICATION IS DISABLED`) {
		t.Fatalf("no WARN about disabled authentication in the log:\n%s", in.Log.String())
	}
	// Default: off.
	in2 := servertest.Start(t, servertest.Options{})
	if _, resp, _ := admGet(t, in2, "/admin-api/clusters"); resp.StatusCode != 401 {
		t.Fatalf("default server without token: %d", resp.StatusCode)
	}
	if strings.Contains(in2.Log.String(), "AUTHENTICATION IS DISABLED") {
		t.Fatal("warning without the option")
	}
}

// TestAdminRemoteIssuer: with --issuer-url the Administration API verifies tokens of
// another Gatehouse (discovery + JWKS) and refuses its own realm's.
func TestAdminRemoteIssuer(t *testing.T) {
	idp := startAdmin(t, accesstoken.ES256, nil, nil)
	rs := servertest.Start(t, servertest.Options{Config: func(c *config.Config) {
		c.IssuerURL = idp.Issuer(realm)
		c.OutboundAllow = "127.0.0.0/8" // the issuer runs on loopback
		c.SigningAlg = accesstoken.ES256
		c.Clients = append(c.Clients, config.Client{Name: admReader, ID: admReader, Secret: admReaderSecret, Type: "M2M",
			Permissions: []config.Permission{{ResourceServerID: "console-api", Definition: "read:*"}}})
	}})
	tok := idp.Token(t, realm, admReader, admReaderSecret, "")
	req, resp, body := admGet(t, rs, "/admin-api/clusters", "Bearer "+tok)
	if resp.StatusCode != 200 {
		t.Fatalf("remote token: %d %s %q", resp.StatusCode, body, resp.Header.Get("WWW-Authenticate"))
	}
	admValidate(t, req, resp, body)
	own := rs.Token(t, realm, admReader, admReaderSecret, "") // right audience and permission, wrong issuer
	_, resp, _ = admGet(t, rs, "/admin-api/clusters", "Bearer "+own)
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("local token accepted by a remote-issuer resource server: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}
