package server_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// keepAlive opens a connection and completes one keep-alive request on it.
func keepAlive(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	br := bufio.NewReader(c)
	healthz(t, c, br, 5*time.Second)
	return c, br
}

// healthz sends GET /healthz and reads the answer, failing the test if none comes within d.
func healthz(t *testing.T, c net.Conn, br *bufio.Reader, d time.Duration) {
	t.Helper()
	if err := sendHealthz(c); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(d))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	c.SetReadDeadline(time.Time{})
}

func sendHealthz(c net.Conn) error {
	_, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: gatehouse\r\n\r\n")
	return err
}

// TestMaxConnections: with --max-connections N, N connections held open make the next
// one wait unanswered; it is served as soon as one of them closes.
func TestMaxConnections(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) { c.MaxConnections = 2 }})
	addr := in.Addr(server.ManagementListener)
	first, _ := keepAlive(t, addr)
	keepAlive(t, addr)

	third, err := net.Dial("tcp", addr) // the kernel's listen queue takes it
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if err := sendHealthz(third); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(third)
	third.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := http.ReadResponse(br, nil); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the connection over the limit was answered (err %v)", err)
	}
	first.Close()
	third.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the waiting connection was not served after another closed: %v", err)
	}
	resp.Body.Close()
}

// TestIdleTimeout: a keep-alive connection with no next request, and a connection that
// never sends one, are closed by the server after --idle-timeout.
func TestIdleTimeout(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) { c.IdleTimeout = 200 * time.Millisecond }})
	addr := in.Addr(server.IdentityListener)
	idle, br := keepAlive(t, addr)
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	for name, c := range map[string]io.Reader{"keep-alive": br, "silent": silent} {
		conn := idle
		if name == "silent" {
			conn = silent
		}
		conn.SetReadDeadline(time.Now().Add(5 * time.Second)) // far above the idle timeout
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Errorf("%s connection: read %v, want EOF (closed by the server)", name, err)
		}
	}
}
