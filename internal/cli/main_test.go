package cli

import (
	"context"
	"os"
	"testing"
)

// childEnv makes the test binary act as the baseline command, so that tests
// can run it as a separate process (and kill it) without building it.
const childEnv = "BASELINE_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
