// Package emulator starts and drives a local moto_server, the AWS emulator
// used by the tests, the benchmarks and `baseline demo`.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Binary is the emulator's executable name.
const Binary = "moto_server"

// ErrNotInstalled means moto_server is not on PATH.
var ErrNotInstalled = errors.New(Binary + " is not on PATH (pip install 'moto[server]')")

// Server is a running moto_server on a loopback port.
type Server struct {
	URL  string
	cmd  *exec.Cmd
	logs *os.File
}

// Options for Start.
type Options struct {
	// LoadManagedPolicies makes IAM know the AWS managed policies
	// (AWSSupportAccess, ReadOnlyAccess...). It slows the first IAM call of
	// every account.
	LoadManagedPolicies bool
	// LogPath receives the server's output; empty discards it.
	LogPath string
}

// Available reports whether moto_server can be started.
func Available() bool {
	_, err := exec.LookPath(Binary)
	return err == nil
}

// Start launches moto_server on a free loopback port and waits until it answers.
func Start(ctx context.Context, opts Options) (*Server, error) {
	path, err := exec.LookPath(Binary)
	if err != nil {
		return nil, ErrNotInstalled
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = append(serverEnv(), "MOTO_IAM_LOAD_MANAGED_POLICIES="+strconv.FormatBool(opts.LoadManagedPolicies))
	// The server must not outlive the process that started it, whatever
	// happens to that process.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
	if opts.LogPath != "" {
		if s.logs, err = os.Create(opts.LogPath); err != nil {
			return nil, err
		}
		cmd.Stdout, cmd.Stderr = s.logs, s.logs
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", Binary, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if s.ping(ctx) == nil {
			return s, nil
		}
		select {
		case err := <-exited:
			return nil, fmt.Errorf("%s exited before answering: %v", Binary, err)
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("%s did not answer on %s within 60s", Binary, s.URL)
		}
	}
}

func (s *Server) ping(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/moto-api/data.json", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// Reset wipes every account's state.
func (s *Server) Reset(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/moto-api/reset", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reset: status %d", resp.StatusCode)
	}
	return nil
}

// Stop kills the server and its children.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	}
	if s.logs != nil {
		s.logs.Close()
	}
}

// Env returns the environment that points the AWS SDK and CLI at the
// server with dummy credentials.
func (s *Server) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL":            s.URL,
		"AWS_ACCESS_KEY_ID":           "testing",
		"AWS_SECRET_ACCESS_KEY":       "testing",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "us-east-1",
		"AWS_DEFAULT_REGION":          "us-east-1",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	}
}

// serverEnv is this process's environment without the AWS client settings
// (profile, endpoint, credentials): moto runs boto3 inside, and an
// AWS_PROFILE that names no profile, or is empty, breaks its EC2 backend.
func serverEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	return out
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
