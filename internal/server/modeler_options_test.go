package server_test

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// The Web Modeler API is built from the same options as the Administration API:
// --clock-skew, --issuer-url, and its own public URL (--modeler-public-url).

const (
	mdlClient = "modeler-all"
	mdlSecret = "modeler-all-secret-0123456789"
)

func withModelerClient(c *config.Config) {
	perm := func(def string) config.Permission {
		return config.Permission{ResourceServerID: "web-modeler-public-api", Definition: def}
	}
	c.Clients = append(c.Clients, config.Client{Realm: config.DefaultRealm, Name: mdlClient, ID: mdlClient, Secret: mdlSecret,
		Type: "M2M", Permissions: []config.Permission{perm("create:*"), perm("read:*"), perm("update:*")}})
}

func modelerCall(t *testing.T, in *servertest.Instance, tok, method, path, body string) (int, map[string]any) {
	t.Helper()
	st, _, b := servertest.Do(t, method, in.URL(server.ModelerListener)+"/api/v1"+path, tok, body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return st, m
}

// TestModelerClockSkew: a token that expired 10 s ago is refused with --clock-skew 0s
// and accepted with --clock-skew 60s, as by the Administration API.
func TestModelerClockSkew(t *testing.T) {
	for _, tc := range []struct {
		skew time.Duration
		want int
	}{{0, 401}, {60 * time.Second, 200}} {
		t.Run(tc.skew.String(), func(t *testing.T) {
			var now atomic.Int64
			now.Store(time.Now().Unix())
			clk := func() time.Time { return time.Unix(now.Load(), 0) }
			in := servertest.Start(t, servertest.Options{Now: clk, Config: func(c *config.Config) {
				c.ClockSkew = tc.skew
				withModelerClient(c)
			}})
			tok := in.Token(t, config.DefaultRealm, mdlClient, mdlSecret, "")
			now.Store(expiry(t, tok) + 10)
			if st, body := modelerCall(t, in, tok, "GET", "/info", ""); st != tc.want {
				t.Errorf("token expired 10 s ago, --clock-skew %s: %d %v, want %d", tc.skew, st, body, tc.want)
			}
		})
	}
}

// TestModelerRemoteIssuer: with --issuer-url the Web Modeler API verifies tokens of
// another Gatehouse and refuses its own realm's.
func TestModelerRemoteIssuer(t *testing.T) {
	idp := servertest.Start(t, servertest.Options{Config: withModelerClient})
	rs := servertest.Start(t, servertest.Options{Config: func(c *config.Config) {
		c.IssuerURL = idp.Issuer(config.DefaultRealm)
		c.OutboundAllow = "127.0.0.0/8" // the issuer runs on loopback
		withModelerClient(c)
	}})
	tok := idp.Token(t, config.DefaultRealm, mdlClient, mdlSecret, "")
	if st, body := modelerCall(t, rs, tok, "GET", "/info", ""); st != 200 {
		t.Fatalf("remote token: %d %v", st, body)
	}
	own := rs.Token(t, config.DefaultRealm, mdlClient, mdlSecret, "") // right audience, wrong issuer
	if st, _ := modelerCall(t, rs, own, "GET", "/info", ""); st != 401 {
		t.Fatalf("local token accepted by a remote-issuer resource server: %d", st)
	}
}

// TestModelerPublicURL: comparison links start with --modeler-public-url, and with
// http://localhost:<modeler port> by default.
func TestModelerPublicURL(t *testing.T) {
	for _, configured := range []string{"https://modeler.example.com", ""} {
		t.Run(strconv.Quote(configured), func(t *testing.T) {
			in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) {
				c.ModelerPublicURL = configured
				withModelerClient(c)
			}})
			want := configured
			if want == "" {
				want = "http://localhost:" + in.Addr(server.ModelerListener)[strings.LastIndex(in.Addr(server.ModelerListener), ":")+1:]
			}
			tok := in.Token(t, config.DefaultRealm, mdlClient, mdlSecret, "")
			_, p := modelerCall(t, in, tok, "POST", "/projects", `{"name":"P"}`)
			fb, _ := json.Marshal(map[string]any{"name": "f", "projectId": p["id"], "fileType": "bpmn",
				"content": `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d1"><bpmn:process id="p1" isExecutable="true"/></bpmn:definitions>`})
			st, f := modelerCall(t, in, tok, "POST", "/files", string(fb))
			if st != 200 {
				t.Fatalf("create file: %d %v", st, f)
			}
			mb, _ := json.Marshal(map[string]any{"name": "first", "fileId": f["id"]})
			st, m := modelerCall(t, in, tok, "POST", "/milestones", string(mb))
			if st != 200 {
				t.Fatalf("create milestone: %d %v", st, m)
			}
			id := m["id"].(string)
			st, cmp := modelerCall(t, in, tok, "GET", "/milestones/compare/"+id+"..."+id, "")
			if u, _ := cmp["url"].(string); st != 200 || !strings.HasPrefix(u, want+"/files/") {
				t.Errorf("compare: %d %v, want a link under %s", st, cmp, want)
			}
		})
	}
}

// expiry reads a token's exp without verifying it.
func expiry(t *testing.T, tok string) int64 {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c struct {
		Exp int64 `json:"exp"`
	}
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Exp == 0 {
		t.Fatalf("token payload: %v %s", err, b)
	}
	return c.Exp
}
