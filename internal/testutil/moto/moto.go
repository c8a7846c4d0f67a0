// Package moto gives tests one moto_server per test process, reset between
// tests, with the SDK pointed at it through AWS_ENDPOINT_URL.
package moto

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/secure-baseline/baseline/internal/emulator"
)

var (
	once   sync.Once
	server *emulator.Server
	err    error
)

// Start returns the process's moto server, reset to an empty state, and
// points the environment of the test at it. Without moto_server the test is
// skipped on a developer machine and fails in CI (CI is set), so integration
// tests can never silently not run there.
func Start(t testing.TB) *emulator.Server {
	t.Helper()
	Require(t)
	once.Do(func() {
		server, err = emulator.Start(context.Background(), emulator.Options{LoadManagedPolicies: true})
	})
	if err != nil {
		t.Fatalf("start moto: %v", err)
	}
	if err := server.Reset(context.Background()); err != nil {
		t.Fatalf("reset moto: %v", err)
	}
	for k, v := range server.Env() {
		t.Setenv(k, v)
	}
	return server
}

// Require skips the test when moto_server is missing on a developer
// machine, and fails it in CI (CI is set).
func Require(t testing.TB) {
	t.Helper()
	if !emulator.Available() {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v: integration tests must run in CI", emulator.ErrNotInstalled)
		}
		t.Skip(emulator.ErrNotInstalled)
	}
}

// Config returns an SDK config for the management (default) account of the
// emulator.
func Config(t testing.TB) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
