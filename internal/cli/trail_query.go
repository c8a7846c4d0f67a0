package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/index"
)

func init() { trailCommands = append(trailCommands, newTrailQueryCmd) }

// queryFlags choose the index and the engine that reads it.
type queryFlags struct {
	dir       string
	engine    string
	database  string
	workgroup string
	output    string
}

func newTrailQueryCmd(g *globals) *cobra.Command {
	var qf queryFlags
	cmd := &cobra.Command{
		Use:   `query "SQL" | who-changed RESOURCE | activity PRINCIPAL`,
		Short: "Query the CloudTrail index: SQL, who changed a resource, what a principal did",
		Long: "query runs SQL over the index built by `trail ingest`: the table events (one row per event, with the\n" +
			"partition columns account, region and date, and the whole event in raw) and the table refs (the\n" +
			"resources each write event named). It runs on embedded DuckDB, or on Athena with --engine athena\n" +
			"over a copy of the index in S3 (see `trail athena ddl`). who-changed and activity are ready-made.\n" +
			"Formats: table (default), json (one object per line), csv.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTrailQuery(cmd.Context(), g, &qf, strings.Join(args, " "))
		},
	}
	f := cmd.PersistentFlags()
	f.StringVar(&qf.dir, "index", "", "index directory (default $XDG_DATA_HOME/baseline/trail or ~/.local/share/baseline/trail)")
	f.StringVar(&qf.engine, "engine", "local", "local (embedded DuckDB over --index) or athena")
	f.StringVar(&qf.database, "athena-database", index.AthenaDatabase, "Athena database holding the events and refs tables")
	f.StringVar(&qf.workgroup, "athena-workgroup", "", "Athena workgroup")
	f.StringVar(&qf.output, "athena-output", "", "s3:// location for Athena results (unless the workgroup sets one)")
	cmd.AddCommand(newWhoChangedCmd(g, &qf), newActivityCmd(g, &qf))
	return cmd
}

func newWhoChangedCmd(g *globals, qf *queryFlags) *cobra.Command {
	var since string
	cmd := &cobra.Command{
		Use:   "who-changed RESOURCE",
		Short: "Every write event that touched a resource, newest first",
		Long: "who-changed finds the write events that named a resource — by ARN, id (i-…, sg-…, key id) or name\n" +
			"(bucket, role, user, load balancer, function…) — newest first, with who made them, from where, and\n" +
			"what they changed. An ARN also matches events that named the resource only by its name, in its account.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEventQuery(cmd.Context(), g, qf, since, true, func(e index.Engine, s time.Time) iter.Seq2[index.Event, error] {
				return e.WhoChanged(cmd.Context(), args[0], s)
			})
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "only events at or after this time (RFC 3339, YYYY-MM-DD, or a duration ago: 36h, 7d)")
	return cmd
}

func newActivityCmd(g *globals, qf *queryFlags) *cobra.Command {
	var since string
	cmd := &cobra.Command{
		Use:   "activity PRINCIPAL",
		Short: "Every event of a principal, newest first",
		Long: "activity lists the events of a principal named by ARN (user, role or session), user or role name,\n" +
			"session name, or access key id, newest first. With --engine athena and a table whose account\n" +
			"projection is injected, name the accounts with --accounts.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEventQuery(cmd.Context(), g, qf, since, false, func(e index.Engine, s time.Time) iter.Seq2[index.Event, error] {
				return e.Activity(cmd.Context(), args[0], s)
			})
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "only events at or after this time (RFC 3339, YYYY-MM-DD, or a duration ago: 36h, 7d)")
	return cmd
}

// openEngine opens the engine the flags name.
func (qf *queryFlags) openEngine(ctx context.Context, g *globals) (index.Engine, error) {
	switch qf.engine {
	case "local":
		root, err := indexRoot(qf.dir)
		if err != nil {
			return nil, err
		}
		l, err := index.OpenLocal(ctx, root)
		if errors.Is(err, index.ErrEmpty) {
			return nil, usageErr("%v: run `baseline trail ingest` first", err)
		}
		return l, err
	case "athena":
		ss, err := g.sessions(ctx)
		if err != nil {
			return nil, err
		}
		cfg, err := ss.Caller(ctx)
		if err != nil {
			return nil, err
		}
		return &index.Athena{Client: athena.NewFromConfig(cfg), Database: qf.database, Workgroup: qf.workgroup,
			Output: qf.output, Accounts: g.accounts}, nil
	}
	return nil, usageErr("--engine %q: use local or athena", qf.engine)
}

func checkQueryFormat(format string) error {
	switch format {
	case "", "table", "json", "csv":
		return nil
	}
	return usageErr("--format %q: use table, json or csv", format)
}

func runTrailQuery(ctx context.Context, g *globals, qf *queryFlags, sql string) error {
	if err := checkQueryFormat(g.format); err != nil {
		return err
	}
	eng, err := qf.openEngine(ctx, g)
	if err != nil {
		return err
	}
	defer eng.Close()
	rows, err := eng.Query(ctx, sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	w, closeOut, err := g.out()
	if err != nil {
		return err
	}
	rw := newRowWriter(w, g.format, rows.Columns())
	for rows.Next() {
		rw.write(rows.Values())
	}
	return errors.Join(rows.Err(), rw.flush(), closeOut())
}

func runEventQuery(ctx context.Context, g *globals, qf *queryFlags, since string, what bool, query func(index.Engine, time.Time) iter.Seq2[index.Event, error]) error {
	if err := checkQueryFormat(g.format); err != nil {
		return err
	}
	s, _, err := timeRange(since, "")
	if err != nil {
		return err
	}
	eng, err := qf.openEngine(ctx, g)
	if err != nil {
		return err
	}
	defer eng.Close()
	w, closeOut, err := g.out()
	if err != nil {
		return err
	}
	cols := eventTableColumns
	if what {
		cols = changeTableColumns
	}
	if g.format == "json" || g.format == "csv" {
		cols = eventFields
		if what {
			cols = append(cols[:len(cols):len(cols)], "what")
		}
	}
	rw := newRowWriter(w, g.format, cols)
	var qerr error
	for e, err := range query(eng, s) {
		if err != nil {
			qerr = err
			break
		}
		if g.format == "json" {
			rw.writeJSON(e)
			continue
		}
		rw.write(eventValues(e, cols))
	}
	return errors.Join(qerr, rw.flush(), closeOut())
}

// The columns of events: all of them in json and csv, the telling ones in a
// table (who-changed shows what changed instead of the event name).
var (
	eventFields        = []string{"event_id", "event_time", "event_name", "event_source", "account_id", "region", "principal_arn", "principal_type", "source_ip", "user_agent", "error_code"}
	eventTableColumns  = []string{"event_time", "event_name", "account_id", "region", "principal_arn", "source_ip", "error_code"}
	changeTableColumns = []string{"event_time", "account_id", "region", "principal_arn", "source_ip", "what", "error_code"}
)

func eventValues(e index.Event, cols []string) []any {
	vals := make([]any, len(cols))
	for i, c := range cols {
		switch c {
		case "event_id":
			vals[i] = e.EventID
		case "event_time":
			vals[i] = e.EventTime
		case "event_name":
			vals[i] = e.EventName
		case "event_source":
			vals[i] = e.EventSource
		case "account_id":
			vals[i] = e.AccountID
		case "region":
			vals[i] = e.Region
		case "principal_arn":
			vals[i] = e.PrincipalARN
		case "principal_type":
			vals[i] = e.PrincipalType
		case "source_ip":
			vals[i] = e.SourceIP
		case "user_agent":
			vals[i] = e.UserAgent
		case "error_code":
			vals[i] = e.ErrorCode
		case "what":
			vals[i] = e.What
		}
	}
	return vals
}

// rowWriter prints rows as a table, JSON lines or CSV.
type rowWriter struct {
	format string
	cols   []string
	w      io.Writer
	tw     *tabwriter.Writer
	cw     *csv.Writer
	err    error
}

// tableCellMax keeps a table readable when a column holds whole events.
const tableCellMax = 120

func newRowWriter(w io.Writer, format string, cols []string) *rowWriter {
	rw := &rowWriter{format: format, cols: cols, w: w}
	switch format {
	case "json":
	case "csv":
		rw.cw = csv.NewWriter(w)
		rw.err = rw.cw.Write(cols)
	default:
		rw.tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		head := make([]string, len(cols))
		for i, c := range cols {
			head[i] = strings.ToUpper(strings.ReplaceAll(c, "_", " "))
		}
		_, rw.err = fmt.Fprintln(rw.tw, strings.Join(head, "\t"))
	}
	return rw
}

func (rw *rowWriter) write(vals []any) {
	if rw.err != nil {
		return
	}
	switch rw.format {
	case "json":
		// One object per line, keys in column order.
		var b strings.Builder
		b.WriteByte('{')
		for i, c := range rw.cols {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(c)
			v, err := json.Marshal(jsonValue(vals[i]))
			if err != nil {
				rw.err = err
				return
			}
			b.Write(k)
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteString("}\n")
		_, rw.err = io.WriteString(rw.w, b.String())
	case "csv":
		rec := make([]string, len(vals))
		for i, v := range vals {
			rec[i] = cellText(v)
		}
		rw.err = rw.cw.Write(rec)
	default:
		cells := make([]string, len(vals))
		for i, v := range vals {
			s := strings.NewReplacer("\t", " ", "\n", " ").Replace(cellText(v))
			if len(s) > tableCellMax {
				s = s[:tableCellMax-1] + "…"
			}
			cells[i] = s
		}
		_, rw.err = fmt.Fprintln(rw.tw, strings.Join(cells, "\t"))
	}
}

// writeJSON prints a value as one JSON line.
func (rw *rowWriter) writeJSON(v any) {
	if rw.err == nil {
		rw.err = json.NewEncoder(rw.w).Encode(v)
	}
}

func (rw *rowWriter) flush() error {
	if rw.err != nil {
		return rw.err
	}
	switch {
	case rw.cw != nil:
		rw.cw.Flush()
		return rw.cw.Error()
	case rw.tw != nil:
		return rw.tw.Flush()
	}
	return nil
}

// jsonValue renders times in UTC RFC 3339 like the rest of the output.
func jsonValue(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return v
}

func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	case []any, map[string]any:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return fmt.Sprint(v)
}
