package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Build compiles ./cmd/gatehouse of the module this package belongs to into a
// temporary directory.
func Build(ctx context.Context) (string, func(), error) {
	dir, err := os.MkdirTemp("", "crashtest-bin-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	root, err := moduleRoot()
	if err != nil {
		cleanup()
		return "", nil, err
	}
	bin := filepath.Join(dir, "gatehouse")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/gatehouse")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("go build ./cmd/gatehouse: %w\n%s", err, out)
	}
	return bin, cleanup, nil
}

// moduleRoot is the directory of go.mod above this source file (tests run in the
// package directory; the command may run anywhere inside the module).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dir = filepath.Dir(file)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
	}
}

// ports are the four listeners of the binary, fixed for the whole run so that the
// clients' URLs stay valid across restarts.
type ports struct{ identity, console, modeler, health int }

func freePorts() (ports, error) {
	var ps [4]int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for i := range ps {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return ports{}, err
		}
		lns = append(lns, ln)
		ps[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports{ps[0], ps[1], ps[2], ps[3]}, nil
}

// proc is one run of the binary.
type proc struct {
	cmd   *exec.Cmd
	start time.Time
	done  chan error
}

func (h *harness) startProcess() (*proc, error) {
	addr := func(p int) string { return "127.0.0.1:" + strconv.Itoa(p) }
	args := []string{"serve",
		"--data-dir", h.dataDir,
		"--identity-addr", addr(h.ports.identity), "--console-addr", addr(h.ports.console),
		"--modeler-addr", addr(h.ports.modeler), "--management-addr", addr(h.ports.health),
		"--identity-public-url", "http://" + addr(h.ports.identity),
		"--token-lifetime", "12h", // tokens acknowledged early in a long run must still be valid at its end
		"--log-level", "warn", "--log-format", "json",
	}
	if h.dsn != "" {
		args = append(args, "--database-url", h.dsn)
	}
	cmd := exec.Command(h.opt.Binary, args...)
	cmd.Env = append(os.Environ(), "GATEHOUSE_MASTER_KEY="+masterKey,
		"GATEHOUSE_BOOTSTRAP_CLIENT_ID="+adminID, "GATEHOUSE_BOOTSTRAP_CLIENT_SECRET="+adminSecret)
	cmd.Stdout, cmd.Stderr = h.serverLog, h.serverLog
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, start: time.Now(), done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	return p, nil
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// stop sends SIGTERM (graceful shutdown) and waits.
func (p *proc) stop() error {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-p.done:
		return err
	case <-time.After(30 * time.Second):
		p.kill()
		return fmt.Errorf("no exit 30 s after SIGINT")
	}
}

// waitReady polls /readyz until it answers 200, the process exits or timeout passes.
func (h *harness) waitReady(ctx context.Context, p *proc, timeout time.Duration) (time.Duration, error) {
	url := fmt.Sprintf("http://127.0.0.1:%d/readyz", h.ports.health)
	deadline := time.Now().Add(timeout)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := h.http.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(p.start), nil
			}
		}
		select {
		case err := <-p.done:
			p.done <- err
			return 0, fmt.Errorf("gatehouse exited while starting (%v); log tail:\n%s", err, h.logTail())
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("gatehouse not ready after %v; log tail:\n%s", timeout, h.logTail())
		}
	}
}

func (h *harness) logTail() string {
	b, _ := os.ReadFile(h.serverLog.Name())
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}
