// Command trail benchmarks `baseline trail detect`, `trail ingest` and
// `trail verify` on a generated CloudTrail corpus, with signed digest files,
// against the tools people use on the same files, all measured in the same
// run so that a loaded machine slows every contender alike:
//
//   - detect: the built-in rule pack in process (internal/detect) and through
//     the built binary (`baseline trail detect --format json`);
//   - jq: zcat | jq selecting the events of a comparable filter;
//   - DuckDB: its own read_json over the same gzip files (embedded driver),
//     unnesting Records with the same filter;
//   - ingest: internal/index.Ingest into a fresh index;
//   - verify: `baseline trail verify --format json` over the corpus and
//     its digests, against sha256sum over the gzip files, and zcat |
//     sha256sum over their JSON, which is what the digests hash (see
//     verify.go).
//
// Each contender runs in its own process, so its peak RSS is its own.
//
//	go run ./bench/trail -events 1000000 [-runs 3] [-only sha256sum,verify]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/secure-baseline/baseline/internal/corpus"
)

func main() {
	events := flag.Int("events", 1_000_000, "events in the generated corpus")
	seed := flag.Uint64("seed", 1, "corpus seed")
	dir := flag.String("dir", "", "corpus directory, reused when it holds the same corpus (default: under the temp directory)")
	asJSON := flag.Bool("json", false, "print the results as JSON")
	runs := flag.Int("runs", 1, "runs of each contender; the fastest counts")
	only := flag.String("only", "", "run only the contenders whose names contain one of these comma-separated words")
	mode := flag.String("mode", "", "internal: run one contender in this process (detect, duckdb, ingest)")
	flag.Parse()
	if *dir == "" {
		*dir = filepath.Join(os.TempDir(), fmt.Sprintf("baseline-bench-trail-%d-%d", *events, *seed))
	}
	if *mode != "" {
		if err := runChild(*mode, *dir); err != nil {
			fmt.Fprintln(os.Stderr, "trail bench:", *mode+":", err)
			os.Exit(1)
		}
		return
	}

	start := time.Now()
	m, err := corpus.Generate(*dir, corpus.Options{Events: *events, Seed: *seed, Digests: true})
	if err != nil {
		fatal(err)
	}
	fmt.Fprintf(os.Stderr, "corpus: %d events in %d files and %d digests, %.0f MB gzip (%.0f MB JSON) in %s, ready in %s\n",
		m.Events, m.Files, m.Digests, mb(m.Bytes), mb(m.RawBytes), *dir, time.Since(start).Round(time.Millisecond))

	b, err := newBench(*dir, m)
	if err != nil {
		fatal(err)
	}
	defer b.close()
	rep := b.run(max(1, *runs), *only)
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fatal(err)
		}
		return
	}
	rep.print(os.Stdout)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "trail bench:", err)
	os.Exit(1)
}

func mb(n int64) float64 { return float64(n) / 1e6 }
