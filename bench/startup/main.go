// Command startup measures how long the gatehouse binary takes from process start to its
// first successful token, and its resident memory once idle.
//
//	go run ./bench/startup -bin ./gatehouse -runs 20
//
// With -declared N the server declares N clients with operator-chosen secrets
// (KEYCLOAK_CLIENTS_<n>_*, as a Camunda chart does) and the first token is one of theirs.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	bin := flag.String("bin", "./gatehouse", "gatehouse binary")
	runs := flag.Int("runs", 20, "starts to measure")
	alg := flag.String("alg", "RS256", "signing algorithm")
	flag.IntVar(&declared, "declared", 0, "clients declared with chosen secrets (KEYCLOAK_CLIENTS_<n>_*)")
	flag.Parse()
	dir, err := os.MkdirTemp("", "gatehouse-startup")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	var fresh, warm []time.Duration
	var rss string
	warmDir := filepath.Join(dir, "warm")
	_, _, creds := startOnce(*bin, warmDir, *alg, nil, false)
	for i := 0; i < *runs; i++ {
		// A fresh data directory measures a first start (keys and the administrator are
		// generated, its secret printed); the shared one measures a restart.
		d, _, _ := startOnce(*bin, filepath.Join(dir, fmt.Sprint("fresh", i)), *alg, nil, false)
		fresh = append(fresh, d)
		d, r, _ := startOnce(*bin, warmDir, *alg, creds, i == *runs-1)
		warm = append(warm, d)
		if r != "" {
			rss = r
		}
	}
	fmt.Printf("start to first token (%s, %d runs): first start median %s p90 %s; restart median %s p90 %s\n",
		*alg, *runs, pct(fresh, 50), pct(fresh, 90), pct(warm, 50), pct(warm, 90))
	fmt.Printf("resident memory idle after one token: %s\n", rss)
}

// declared is the number of clients declared in the environment; the first token is
// the last one's.
var declared int

func declaredEnv() []string {
	env := os.Environ()
	for i := range declared {
		p := fmt.Sprintf("KEYCLOAK_CLIENTS_%d_", i)
		env = append(env, p+"NAME=declared-"+fmt.Sprint(i), p+"ID=declared-"+fmt.Sprint(i), p+"SECRET=chosen-secret-"+fmt.Sprint(i),
			p+"TYPE=M2M", p+"PERMISSIONS_0_RESOURCE_SERVER_ID=console-api", p+"PERMISSIONS_0_DEFINITION=read:*")
	}
	return env
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)*p/100].Round(time.Millisecond)
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// lockedBuffer collects the child's standard output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startOnce starts the binary, waits for its first successful token and returns the
// time that took. creds nil: read the administrator credentials it prints on a first
// start.
func startOnce(bin, dataDir, alg string, creds []string, measureRSS bool) (time.Duration, string, []string) {
	addr := freeAddr()
	cmd := exec.Command(bin, "serve", "--data-dir", dataDir, "--identity-addr", addr, "--console-addr", "", "--modeler-addr", "",
		"--management-addr", "", "--signing-alg", alg, "--log-level", "warn")
	out := &lockedBuffer{}
	cmd.Stdout = out
	cmd.Env = declaredEnv()
	if declared > 0 {
		n := fmt.Sprint(declared - 1)
		creds = []string{"declared-" + n, "chosen-secret-" + n}
	}
	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for time.Since(start) < 20*time.Second {
		if creds == nil {
			creds = printed(out.String())
			if creds == nil {
				time.Sleep(time.Millisecond)
				continue
			}
		}
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {creds[0]}, "client_secret": {creds[1]}}.Encode()
		resp, err := client.Post("http://"+addr+"/auth/realms/camunda-platform/protocol/openid-connect/token",
			"application/x-www-form-urlencoded", strings.NewReader(form))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				d := time.Since(start)
				if !measureRSS {
					return d, "", creds
				}
				time.Sleep(3 * time.Second)
				status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
				for _, l := range strings.Split(string(status), "\n") {
					if strings.HasPrefix(l, "VmRSS:") {
						return d, strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:")), creds
					}
				}
				return d, "?", creds
			}
		}
		time.Sleep(time.Millisecond)
	}
	log.Fatalf("no token within 20 s")
	return 0, "", nil
}

// printed extracts GATEHOUSE_CLIENT_ID and GATEHOUSE_CLIENT_SECRET from the first-start
// notice, or nil while it is not complete.
func printed(out string) []string {
	var id, secret string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if v, ok := strings.CutPrefix(l, "GATEHOUSE_CLIENT_ID="); ok {
			id = v
		}
		if v, ok := strings.CutPrefix(l, "GATEHOUSE_CLIENT_SECRET="); ok {
			secret = v
		}
	}
	if id == "" || secret == "" {
		return nil
	}
	return []string{id, secret}
}
