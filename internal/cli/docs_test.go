package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var demoSnapshot = filepath.Join("..", "demo", "data", "demo.snapshot.json.gz")

func runCLI(t *testing.T, args ...string) (code int, stderr string) {
	t.Helper()
	var errb bytes.Buffer
	code = Run(context.Background(), args, io.Discard, &errb)
	return code, errb.String()
}

func TestDocs(t *testing.T) {
	dir := t.TempDir()
	if code, stderr := runCLI(t, "docs", "-o", filepath.Join(dir, "md"), "--snapshot", demoSnapshot); code != ExitOK {
		t.Fatalf("docs: exit %d: %s", code, stderr)
	}
	for _, f := range []string{"mkdocs.yml", "docs/index.md", "docs/status.md", "docs/controls/iam.root-mfa.md"} {
		if _, err := os.Stat(filepath.Join(dir, "md", f)); err != nil {
			t.Error(err)
		}
	}
	if code, stderr := runCLI(t, "docs", "--format", "html", "-o", filepath.Join(dir, "html")); code != ExitOK {
		t.Fatalf("docs --format html: exit %d: %s", code, stderr)
	}
	page, err := os.ReadFile(filepath.Join(dir, "html", handbookFile))
	if err != nil || !bytes.HasPrefix(page, []byte("<!DOCTYPE html>")) {
		t.Errorf("%s: %.40q, %v", handbookFile, page, err)
	}
	for _, args := range [][]string{
		{"docs", "--format", "pdf", "-o", dir},
		{"docs", "--attestations", "attestations.yaml", "-o", dir},
		{"docs", "--snapshot", filepath.Join(dir, "missing.json.gz"), "-o", dir},
	} {
		if code, _ := runCLI(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

var (
	fence     = regexp.MustCompile("(?s)```(\\w*)\n(.*?)\n```")
	inlineCmd = regexp.MustCompile("`(baseline [^`]+)`")
)

// TestHandbookCommandsRun checks every baseline command the handbook's own
// text shows against the real command line: the commands exist and take
// those flags; the commands of shell blocks, which people paste, take those
// arguments too. The controls' manual steps (text blocks) are the catalog's.
func TestHandbookCommandsRun(t *testing.T) {
	dir := t.TempDir()
	if code, stderr := runCLI(t, "docs", "-o", dir, "--snapshot", demoSnapshot); code != ExitOK {
		t.Fatalf("docs: exit %d: %s", code, stderr)
	}
	checked := 0
	err := filepath.WalkDir(filepath.Join(dir, "docs"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		md, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, block := range fence.FindAllStringSubmatch(string(md), -1) {
			if block[1] != "sh" {
				continue
			}
			for _, line := range strings.Split(block[2], "\n") {
				checkCommand(t, path, line, true)
				checked++
			}
		}
		for _, m := range inlineCmd.FindAllStringSubmatch(fence.ReplaceAllString(string(md), ""), -1) {
			checkCommand(t, path, m[1], false)
			checked++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Errorf("only %d commands found in the handbook", checked)
	}
}

// checkCommand parses a command line as baseline would, without running it.
func checkCommand(t *testing.T, file, line string, full bool) {
	t.Helper()
	fields := strings.Fields(line)
	if len(fields) == 0 || fields[0] != "baseline" {
		t.Errorf("%s: %q is not a baseline command", filepath.Base(file), line)
		return
	}
	root := newRoot(&globals{stdout: io.Discard, stderr: io.Discard})
	cmd, rest, err := root.Find(terraformHabits(fields[1:]))
	switch {
	case err != nil:
	case cmd == root:
		err = errors.New("no such command")
	default:
		if err = cmd.ParseFlags(rest); err == nil && full {
			err = cmd.ValidateArgs(cmd.Flags().Args())
		}
	}
	if err != nil {
		t.Errorf("%s: %q: %v", filepath.Base(file), line, err)
	}
}
