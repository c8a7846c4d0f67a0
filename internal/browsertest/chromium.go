package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// startTimeout bounds Chromium's start, which takes seconds on a loaded machine.
const startTimeout = 2 * time.Minute

// Chromium starts the machine's Chromium for t and closes it when t ends.
// Without one the test is skipped on a developer machine and fails in CI
// (CI is set): scripts/test installs Debian's chromium package.
func Chromium(t testing.TB) *Browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium is not installed: browser tests must run in CI (apt-get install chromium, or run scripts/test)")
		}
		t.Skip("chromium is not installed (apt-get install chromium, or run scripts/test)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	b, err := Start(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}
