package replica

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrNoServerBinaries means initdb and pg_ctl are not installed (Debian's
// postgresql package puts them in /usr/lib/postgresql/<version>/bin).
var ErrNoServerBinaries = errors.New("replica: PostgreSQL server binaries (initdb, pg_ctl) are not installed")

// Cluster is a private PostgreSQL server in a temporary directory, listening on a free
// loopback port, with trust authentication for the user postgres. PostgreSQL refuses
// to run as root, so when the caller is root the server runs as the postgres OS user.
// Tests stop and start it to simulate a database outage without touching any shared
// server.
type Cluster struct {
	bin  string // directory holding initdb and pg_ctl
	dir  string // owns everything below; removed by Close
	data string
	port int
	as   string // OS user to run as ("" = the caller)
}

// ServerBinaries returns the directory of initdb and pg_ctl: the newest
// /usr/lib/postgresql/*/bin, else the directory of pg_ctl on PATH.
func ServerBinaries() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if executable(filepath.Join(d, "initdb")) && executable(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil && executable(filepath.Join(filepath.Dir(p), "initdb")) {
		return filepath.Dir(p), nil
	}
	return "", ErrNoServerBinaries
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func executable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// NewCluster initializes and starts a private cluster. Call Close when done.
func NewCluster(ctx context.Context) (*Cluster, error) {
	bin, err := ServerBinaries()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin}
	if os.Geteuid() == 0 {
		c.as = "postgres"
	}
	// os.MkdirTemp, not a test's TempDir: the postgres user must be able to reach it.
	if c.dir, err = os.MkdirTemp("", "gatehouse-pg-"); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			c.Close()
		}
	}()
	if c.as != "" {
		if err := chownTo(c.dir, c.as); err != nil {
			return nil, err
		}
	}
	c.data = filepath.Join(c.dir, "data")
	if c.port, err = freePort(); err != nil {
		return nil, err
	}
	// --no-sync and fsync=off: the tests simulate a server crash, not a power loss, so
	// what reached the operating system survives either way.
	if err := c.run(ctx, "initdb", "-D", c.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		return nil, err
	}
	conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\n"+
		"max_connections = 300\nfsync = off\nshared_buffers = 32MB\nlog_min_messages = warning\n", c.port, c.dir)
	f, err := os.OpenFile(filepath.Join(c.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	ok = true
	return c, nil
}

// DSN is the URL of database db on this cluster ("postgres" always exists).
func (c *Cluster) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// Port is the cluster's TCP port.
func (c *Cluster) Port() int { return c.port }

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start(ctx context.Context) error {
	return c.run(ctx, "pg_ctl", "-D", c.data, "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60", "start")
}

// Stop stops the server: mode "immediate" kills it like a crash (every connection
// drops, recovery runs at the next start), "fast" shuts it down cleanly.
func (c *Cluster) Stop(ctx context.Context, mode string) error {
	return c.run(ctx, "pg_ctl", "-D", c.data, "-m", mode, "-w", "-t", "60", "stop")
}

// Log returns the server's log so far (for failure messages).
func (c *Cluster) Log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
	return string(b)
}

// Close stops the server if it runs and removes its directory.
func (c *Cluster) Close() {
	if c.data != "" {
		if _, err := os.Stat(filepath.Join(c.data, "postmaster.pid")); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_ = c.Stop(ctx, "immediate")
			cancel()
		}
	}
	if c.dir != "" {
		_ = os.RemoveAll(c.dir)
	}
}

func (c *Cluster) run(ctx context.Context, tool string, args ...string) error {
	name := filepath.Join(c.bin, tool)
	if c.as != "" {
		args = append([]string{"-u", c.as, "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = c.dir // the postgres user may not be able to read the caller's directory
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("replica: %s: %w\n%s", tool, err, strings.TrimSpace(out.String()))
	}
	return nil
}

func chownTo(dir, name string) error {
	u, err := user.Lookup(name)
	if err != nil {
		return fmt.Errorf("replica: run PostgreSQL as %s: %w", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
