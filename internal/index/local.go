package index

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// ErrEmpty is returned when an index holds no events.
var ErrEmpty = errors.New("index: no events indexed")

// Local queries the index on the local disk with embedded DuckDB. Its tables
// are views over the parquet files, so a query sees the files present when it
// starts, including those an ingestion added since Open.
type Local struct {
	root      string
	connector *duckdb.Connector
	db        *sql.DB

	mu    sync.Mutex
	views map[string]bool // created so far
}

// OpenLocal opens the index at root for queries. It returns ErrEmpty when
// nothing was ingested there.
func OpenLocal(ctx context.Context, root string) (*Local, error) {
	events, err := filepath.Glob(filepath.Join(root, eventsDir, "*", "*", "*", partGlob))
	if err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrEmpty, root)
	}
	// Timestamps are stored in UTC; so are the literals the queries compare
	// them with. Footers are parsed once, not once per scan of a query.
	connector, err := duckdb.NewConnector("", func(ex driver.ExecerContext) error {
		for _, set := range []string{"SET TimeZone = 'UTC'", "SET parquet_metadata_cache = true"} {
			if _, err := ex.ExecContext(ctx, set, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Local{root: root, connector: connector, db: sql.OpenDB(connector), views: map[string]bool{}}, nil
}

// need creates the views a query reads, on first use: creating one lists and
// opens files, which who-changed should not pay for the events it never reads.
func (l *Local) need(ctx context.Context, views ...string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range views {
		if l.views[v] {
			continue
		}
		var src string
		switch v {
		case eventsDir:
			src = "SELECT * FROM read_parquet(" + quote(glob(l.root, eventsDir, "*", "*", "*", partGlob)) +
				", hive_partitioning = true, hive_types = {'account': VARCHAR, 'region': VARCHAR, 'date': VARCHAR})"
		case refsDir:
			files, err := partFiles(filepath.Join(l.root, refsDir))
			if err != nil {
				return err
			}
			src = refsSource(l.root, len(files) > 0)
		}
		if _, err := l.db.ExecContext(ctx, "CREATE VIEW "+v+" AS "+src); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		l.views[v] = true
	}
	return nil
}

// refsSource reads the refs files, or stands for none with an empty
// relation of the same columns (read_parquet refuses an empty glob).
func refsSource(root string, present bool) string {
	if present {
		return "SELECT * FROM read_parquet(" + quote(glob(root, refsDir, partGlob)) + ")"
	}
	return "SELECT NULL::VARCHAR AS ref, NULL::TIMESTAMPTZ AS event_time, NULL::VARCHAR AS event_id, " +
		"NULL::VARCHAR AS account_id, NULL::VARCHAR AS region, NULL::VARCHAR AS date, NULL::VARCHAR AS event_name, " +
		"NULL::VARCHAR AS event_source, NULL::VARCHAR AS principal_arn, NULL::VARCHAR AS principal_type, " +
		"NULL::VARCHAR AS source_ip, NULL::VARCHAR AS user_agent, NULL::VARCHAR AS error_code, NULL::VARCHAR AS what WHERE false"
}

// glob joins a DuckDB glob under root; DuckDB wants forward slashes.
func glob(root string, elem ...string) string {
	return filepath.ToSlash(filepath.Join(append([]string{root}, elem...)...))
}

// Close releases DuckDB.
func (l *Local) Close() error {
	return errors.Join(l.db.Close(), l.connector.Close())
}

// Query runs SQL over the views events and refs.
func (l *Local) Query(ctx context.Context, q string) (Rows, error) {
	if err := l.need(ctx, eventsDir, refsDir); err != nil {
		return nil, err
	}
	rows, err := l.db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	cols, err := rows.Columns()
	if err != nil {
		return nil, errors.Join(err, rows.Close())
	}
	return &sqlRows{rows: rows, cols: cols, vals: make([]any, len(cols))}, nil
}

// WhoChanged reads the covering refs index only.
func (l *Local) WhoChanged(ctx context.Context, resource string, since time.Time) iter.Seq2[Event, error] {
	return distinctEvents(l.events(ctx, refsDir, whoChangedSQL("refs", resource, since), true))
}

func (l *Local) Activity(ctx context.Context, principal string, since time.Time) iter.Seq2[Event, error] {
	return l.events(ctx, eventsDir, activitySQL("events", principal, since, nil), false)
}

func (l *Local) events(ctx context.Context, view, q string, what bool) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if err := l.need(ctx, view); err != nil {
			yield(Event{}, err)
			return
		}
		rows, err := l.db.QueryContext(ctx, q)
		if err != nil {
			yield(Event{}, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var e Event
			var s [10]sql.NullString
			dst := []any{&s[0], &e.EventTime, &s[1], &s[2], &s[3], &s[4], &s[5], &s[6], &s[7], &s[8], &s[9]}
			var w sql.NullString
			if what {
				dst = append(dst, &w)
			}
			if err := rows.Scan(dst...); err != nil {
				yield(Event{}, err)
				return
			}
			e.EventID, e.EventName, e.EventSource, e.AccountID, e.Region = s[0].String, s[1].String, s[2].String, s[3].String, s[4].String
			e.PrincipalARN, e.PrincipalType, e.SourceIP, e.UserAgent, e.ErrorCode = s[5].String, s[6].String, s[7].String, s[8].String, s[9].String
			e.EventTime, e.What = e.EventTime.UTC(), w.String
			if !yield(e, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Event{}, err)
		}
	}
}

// sqlRows adapts *sql.Rows to Rows.
type sqlRows struct {
	rows *sql.Rows
	cols []string
	vals []any
	err  error
}

func (r *sqlRows) Columns() []string { return r.cols }

func (r *sqlRows) Next() bool {
	if !r.rows.Next() {
		return false
	}
	ptrs := make([]any, len(r.vals))
	for i := range r.vals {
		ptrs[i] = &r.vals[i]
	}
	if r.err = r.rows.Scan(ptrs...); r.err != nil {
		return false
	}
	for i, v := range r.vals {
		if b, ok := v.([]byte); ok {
			r.vals[i] = string(b)
		}
	}
	return true
}

func (r *sqlRows) Values() []any { return r.vals }

func (r *sqlRows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

func (r *sqlRows) Close() error { return r.rows.Close() }
