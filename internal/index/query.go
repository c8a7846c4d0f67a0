package index

import (
	"context"
	"iter"
	"strings"
	"time"
)

// Engine answers questions over the index: [Local] runs them on the files
// with embedded DuckDB, [Athena] on the same layout in S3. Both run the same
// SQL, built here.
type Engine interface {
	// Query runs SQL over the events and refs tables.
	Query(ctx context.Context, sql string) (Rows, error)
	// WhoChanged yields every write event that touched a resource, named by
	// ARN, id or name, newest first, with a summary of the change.
	WhoChanged(ctx context.Context, resource string, since time.Time) iter.Seq2[Event, error]
	// Activity yields every event of a principal, named by ARN (of a user,
	// a role or a session), user or role name, session name or access key
	// id, newest first.
	Activity(ctx context.Context, principal string, since time.Time) iter.Seq2[Event, error]
	Close() error
}

// Rows is the result of a query, read row by row.
type Rows interface {
	Columns() []string
	Next() bool
	// Values returns the current row; it is valid until the next call to
	// Next. NULL is nil.
	Values() []any
	Err() error
	Close() error
}

// Event is one event in a who-changed or activity answer.
type Event struct {
	EventID       string    `json:"event_id"`
	EventTime     time.Time `json:"event_time"`
	EventName     string    `json:"event_name"`
	EventSource   string    `json:"event_source"`
	AccountID     string    `json:"account_id"`
	Region        string    `json:"region"`
	PrincipalARN  string    `json:"principal_arn"`
	PrincipalType string    `json:"principal_type,omitempty"`
	SourceIP      string    `json:"source_ip"`
	UserAgent     string    `json:"user_agent,omitempty"`
	ErrorCode     string    `json:"error_code,omitempty"`
	// What summarises the change (who-changed only).
	What string `json:"what,omitempty"`
}

// The columns of an Event, in the order both engines select them.
const eventColumns = `event_id, event_time, event_name, event_source, account_id, region, principal_arn, principal_type, source_ip, user_agent, error_code`

// whoChangedSQL selects the refs of a resource, newest first, one SELECT per
// name it may go by: an equality on ref is what lets the engines skip row
// groups by their statistics (an IN list or an OR prunes by the range its
// values span, which for an ARN and a name is much of refs). An event that
// matches through several names comes once per name, on adjacent rows: the
// engines drop the repeats (see distinctEvents).
func whoChangedSQL(refs, resource string, since time.Time) string {
	var selects []string
	for _, l := range lookups(resource) {
		where := "ref = " + quote(l.Ref)
		if l.Account != "" {
			where += " AND account_id = " + quote(l.Account)
		}
		if !since.IsZero() {
			where += " AND event_time >= " + timestamp(since)
		}
		selects = append(selects, "SELECT "+eventColumns+", what FROM "+refs+" WHERE "+where)
	}
	return strings.Join(selects, " UNION ALL ") + " ORDER BY event_time DESC, event_id"
}

// distinctEvents drops an event that repeats the one before it.
func distinctEvents(events iter.Seq2[Event, error]) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		last := ""
		for e, err := range events {
			if err == nil && e.EventID == last {
				continue
			}
			last = e.EventID
			if !yield(e, err) {
				return
			}
		}
	}
}

// activitySQL selects the events of a principal. The hive partition date
// bounds the files read when since is given; accounts, when given, bound the
// account partitions (Athena's injected projection requires them).
func activitySQL(events, principal string, since time.Time, accounts []string) string {
	p := quote(principal)
	where := "(principal_arn = " + p + " OR role_arn = " + p + " OR principal_name = " + p + " OR access_key_id = " + p +
		" OR principal_arn LIKE " + quote("%/"+escapeLike(principal)) + ` ESCAPE '\')`
	if !since.IsZero() {
		where += ` AND "date" >= ` + quote(since.UTC().Format(time.DateOnly)) + " AND event_time >= " + timestamp(since)
	}
	if len(accounts) > 0 {
		q := make([]string, len(accounts))
		for i, a := range accounts {
			q[i] = quote(a)
		}
		where += " AND account IN (" + strings.Join(q, ", ") + ")"
	}
	return "SELECT " + eventColumns + " FROM " + events + " WHERE " + where + " ORDER BY event_time DESC, event_id"
}

// quote renders s as an SQL string literal. DuckDB and Athena both read
// standard literals, where only the quote itself needs escaping.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// timestamp renders t as a TIMESTAMP literal in UTC, the zone of the data.
func timestamp(t time.Time) string {
	return "TIMESTAMP '" + t.UTC().Format("2006-01-02 15:04:05.000") + "'"
}
