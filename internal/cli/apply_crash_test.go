package cli

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/secure-baseline/baseline/internal/testutil/applytest"
)

// TestApplyKilledConverges kills apply with SIGKILL midway, runs it again,
// and expects an empty plan and no resource made twice.
func TestApplyKilledConverges(t *testing.T) {
	env := applytest.NewOrg(t)
	cfg := writeE2EConfig(t, t.TempDir())

	code, stdout, stderr := run(t, "plan", "-f", cfg, "--format", "json")
	if code != ExitChanges {
		t.Fatalf("plan exit %d: %s", code, stderr)
	}
	total := len(decodePlan(t, stdout).Changes)
	killAt := max(1, total/3)

	// One change at a time, so that the kill lands between two of them
	// with plenty still to do.
	cmd := exec.Command(os.Args[0], "apply", "-f", cfg, "--auto-approve", "--concurrency", "1")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := 0
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "[") {
			done++
		}
		if done == killAt {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	_ = cmd.Wait()
	if done < killAt {
		t.Fatalf("apply ended after %d of %d changes before it could be killed", done, total)
	}

	code, stdout, stderr = run(t, "plan", "-f", cfg, "--format", "json")
	if code != ExitChanges {
		t.Fatalf("plan after the kill exit %d: %s", code, stderr)
	}
	if left := len(decodePlan(t, stdout).Changes); left >= total {
		t.Fatalf("after the kill %d of %d changes are left: the killed apply did nothing", left, total)
	}
	if code, _, stderr = run(t, "apply", "-f", cfg, "--auto-approve"); code != ExitOK {
		t.Fatalf("apply after the kill exit %d:\n%s", code, stderr)
	}
	code, stdout, stderr = run(t, "plan", "-f", cfg, "--format", "json")
	if code != ExitOK {
		t.Fatalf("plan after the re-run exit %d: %s\n%s", code, stderr, stdout)
	}
	applytest.NoDuplicates(t, env)
}
