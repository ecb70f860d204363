// Package redistest starts a real, throwaway redis-server for tests (the
// Debian package redis-server). A test that needs one and does not find
// the binary skips with a message saying how to install it, unless
// BETAALKIT_REQUIRE_REAL_COMPONENTS is set (CI sets it, so that the Redis
// tests run there rather than skip): then it fails.
package redistest

import (
	"bufio"
	"bytes"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/betaalkit/betaalkit/internal/component"
)

// Server is one redis-server process on a loopback port, in the
// foreground of the test's process group: no persistence, nothing written
// outside the test's temporary directory.
type Server struct {
	// Addr is host:port, the same across Stop and Start.
	Addr string
	t    testing.TB
	port int
	dir  string

	mu  sync.Mutex
	cmd *exec.Cmd
	out *bytes.Buffer
}

// Start runs redis-server on a free loopback port and stops it when the
// test ends. Without redis-server on PATH the test is skipped.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		const msg = "redis-server is not installed: apt-get install redis-server (the Redis tests start a real one)"
		component.Missing(t, msg)
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("redistest: no free port: %v", err)
	}
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), t: t, port: port, dir: t.TempDir()}
	t.Cleanup(s.Stop)
	s.Start()
	return s
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start (re)starts the server on its port, empty, and waits until it
// answers PING.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	s.out = &bytes.Buffer{}
	cmd := exec.Command("redis-server",
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir)
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("redistest: start redis-server: %v", err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(10 * time.Second)
	for !ping(s.Addr) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			s.cmd = nil
			s.t.Fatalf("redistest: redis-server on %s did not answer PING within 10 s; its output:\n%s", s.Addr, s.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop ends the server (SIGKILL: as if the machine went away) and waits
// for it. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// ping reports whether a Redis server at addr answers PING.
func ping(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "+PONG")
}
