package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"github.com/secure-baseline/baseline/internal/cloudtrail"
	"github.com/secure-baseline/baseline/internal/detect"
	"github.com/secure-baseline/baseline/internal/index"
	"github.com/secure-baseline/baseline/internal/rules"
)

// childResult is what a contender run in its own process reports.
type childResult struct {
	Events int64 `json:"events"`
	Hits   int64 `json:"hits"` // detections, matching events, or events stored
	Bad    int64 `json:"bad"`
}

// runChild runs one contender over the corpus in dir and prints its result.
func runChild(mode, dir string) error {
	ctx := context.Background()
	logs := filepath.Join(dir, "AWSLogs")
	var res childResult
	var err error
	switch mode {
	case "detect":
		res, err = detectInProcess(ctx, logs)
	case "duckdb":
		res, err = duckdbReadJSON(ctx, logs, false)
	case "duckdb-columns":
		res, err = duckdbReadJSON(ctx, logs, true)
	case "ingest":
		res, err = ingest(ctx, logs)
	default:
		err = fmt.Errorf("unknown mode")
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// detectInProcess is `trail detect` without the command line: the full
// built-in pack, deduplication on.
func detectInProcess(ctx context.Context, logs string) (childResult, error) {
	rs, err := rules.Builtin()
	if err != nil {
		return childResult{}, err
	}
	var res childResult
	eng, err := detect.New(rs, detect.Options{Emit: func(detect.Detection) { res.Hits++ }})
	if err != nil {
		return res, err
	}
	src, err := cloudtrail.Open(ctx, logs, cloudtrail.Options{})
	if err != nil {
		return res, err
	}
	st, err := eng.Detect(ctx, []cloudtrail.Source{src}, detect.Config{
		Config: cloudtrail.Config{Dedup: cloudtrail.NewDedup(cloudtrail.DefaultDedupLimit)}})
	res.Events, res.Bad = st.Records, st.BadFiles
	return res, err
}

func duckdbReadJSON(ctx context.Context, logs string, declared bool) (childResult, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return childResult{}, err
	}
	defer db.Close()
	var res childResult
	// AWSLogs/o-ORG/ACCOUNT/CloudTrail/…: the log files, not the digests.
	glob := filepath.Join(logs, "*", "*", "CloudTrail", "**", "*.json.gz")
	err = db.QueryRowContext(ctx, duckdbQuery(glob, declared)).Scan(&res.Events, &res.Hits)
	return res, err
}

// ingest is `trail ingest` into a fresh index.
func ingest(ctx context.Context, logs string) (childResult, error) {
	root, err := os.MkdirTemp("", "baseline-bench-index-")
	if err != nil {
		return childResult{}, err
	}
	defer os.RemoveAll(root)
	src, err := cloudtrail.Open(ctx, logs, cloudtrail.Options{})
	if err != nil {
		return childResult{}, err
	}
	st, err := index.Ingest(ctx, root, []cloudtrail.Source{src}, index.IngestOptions{})
	return childResult{Events: st.Events, Hits: st.New, Bad: int64(len(st.Bad))}, err
}
