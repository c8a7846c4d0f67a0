// Command baseline documents, applies, audits and watches a secure AWS baseline.
package main

import (
	"os"

	"github.com/secure-baseline/baseline/internal/cli"
)

func main() { os.Exit(cli.Execute()) }
