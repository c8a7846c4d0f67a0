package cli

import (
	"testing"

	"github.com/secure-baseline/baseline/internal/index"
)

// The DDL itself has golden files in internal/index; the command passes
// its flags through.
func TestTrailAthenaDDL(t *testing.T) {
	code, out, errOut := runIndexCLI(t, "trail", "athena", "ddl", "--location", "s3://trail-bucket/index",
		"--accounts", "111111111111,222222222222", "--regions", "us-east-1,eu-west-1")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := index.AthenaDDL("s3://trail-bucket/index", []string{"111111111111", "222222222222"}, []string{"us-east-1", "eu-west-1"}); out != want {
		t.Errorf("ddl printed\n%s\nwant\n%s", out, want)
	}
}
