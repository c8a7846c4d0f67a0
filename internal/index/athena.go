package index

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// AthenaAPI is the part of *athena.Client the Athena engine calls.
type AthenaAPI interface {
	StartQueryExecution(ctx context.Context, in *athena.StartQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error)
	GetQueryExecution(ctx context.Context, in *athena.GetQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error)
	GetQueryResults(ctx context.Context, in *athena.GetQueryResultsInput, optFns ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error)
}

// Athena runs the index's queries on Athena, over the tables AthenaDDL
// declares on a copy of the index in S3.
type Athena struct {
	Client AthenaAPI
	// Database holds the events and refs tables; default AthenaDatabase.
	Database string
	// Workgroup and Output (s3://… for results) are passed when set; one of
	// them must say where results go.
	Workgroup, Output string
	// Accounts bound the account partitions of Activity: the injected
	// projection AthenaDDL declares without accounts requires them.
	Accounts []string
	// Poll is the first wait between status checks; it grows to 2 s.
	// Default 200 ms.
	Poll time.Duration
}

// Query runs SQL on Athena and streams its result.
func (a *Athena) Query(ctx context.Context, q string) (Rows, error) {
	id, err := a.run(ctx, q)
	if err != nil {
		return nil, err
	}
	r := &athenaRows{ctx: ctx, client: a.Client, id: id}
	if err := r.fetch(); err != nil {
		return nil, err
	}
	return r, nil
}

func (a *Athena) WhoChanged(ctx context.Context, resource string, since time.Time) iter.Seq2[Event, error] {
	return distinctEvents(a.events(ctx, whoChangedSQL("refs", resource, since)))
}

func (a *Athena) Activity(ctx context.Context, principal string, since time.Time) iter.Seq2[Event, error] {
	return a.events(ctx, activitySQL("events", principal, since, a.Accounts))
}

// Close has nothing to release: queries hold no connection.
func (a *Athena) Close() error { return nil }

func (a *Athena) events(ctx context.Context, q string) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		rows, err := a.Query(ctx, q)
		if err != nil {
			yield(Event{}, err)
			return
		}
		defer rows.Close()
		col := map[string]int{}
		for i, c := range rows.Columns() {
			col[c] = i
		}
		for rows.Next() {
			v := rows.Values()
			str := func(name string) string {
				if i, ok := col[name]; ok {
					if s, ok := v[i].(string); ok {
						return s
					}
				}
				return ""
			}
			e := Event{
				EventID: str("event_id"), EventName: str("event_name"), EventSource: str("event_source"),
				AccountID: str("account_id"), Region: str("region"), PrincipalARN: str("principal_arn"),
				PrincipalType: str("principal_type"), SourceIP: str("source_ip"), UserAgent: str("user_agent"),
				ErrorCode: str("error_code"), What: str("what"),
			}
			if i, ok := col["event_time"]; ok {
				e.EventTime, _ = v[i].(time.Time)
			}
			if !yield(e, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Event{}, err)
		}
	}
}

// run starts a query and waits for it to succeed.
func (a *Athena) run(ctx context.Context, q string) (string, error) {
	in := &athena.StartQueryExecutionInput{
		QueryString:           aws.String(q),
		QueryExecutionContext: &types.QueryExecutionContext{Database: aws.String(a.database())},
	}
	if a.Workgroup != "" {
		in.WorkGroup = aws.String(a.Workgroup)
	}
	if a.Output != "" {
		in.ResultConfiguration = &types.ResultConfiguration{OutputLocation: aws.String(a.Output)}
	}
	out, err := a.Client.StartQueryExecution(ctx, in)
	if err != nil {
		return "", fmt.Errorf("athena: %w", err)
	}
	id := aws.ToString(out.QueryExecutionId)
	wait := a.Poll
	if wait <= 0 {
		wait = 200 * time.Millisecond
	}
	for {
		st, err := a.Client.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			return "", fmt.Errorf("athena: query %s: %w", id, err)
		}
		if st.QueryExecution == nil || st.QueryExecution.Status == nil {
			return "", fmt.Errorf("athena: query %s: no status", id)
		}
		switch s := st.QueryExecution.Status; s.State {
		case types.QueryExecutionStateSucceeded:
			return id, nil
		case types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			return "", fmt.Errorf("athena: query %s %s: %s", id, s.State, aws.ToString(s.StateChangeReason))
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*time.Second, wait*3/2)
	}
}

func (a *Athena) database() string {
	if a.Database == "" {
		return AthenaDatabase
	}
	return a.Database
}

// athenaRows pages through a query's results. Athena returns every value as
// text; the column types turn them back into Go values.
type athenaRows struct {
	ctx    context.Context
	client AthenaAPI
	id     string
	next   *string // the token of the next page, nil after the last
	cols   []string
	types  []string
	page   []types.Row
	vals   []any
	err    error
	header bool // the first row, the column labels, is still to skip
}

// fetch reads the next page of results.
func (r *athenaRows) fetch() error {
	out, err := r.client.GetQueryResults(r.ctx, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(r.id), NextToken: r.next})
	if err != nil {
		return fmt.Errorf("athena: results of %s: %w", r.id, err)
	}
	if out.ResultSet == nil {
		return fmt.Errorf("athena: results of %s: empty response", r.id)
	}
	if r.cols == nil {
		if out.ResultSet.ResultSetMetadata == nil {
			return fmt.Errorf("athena: results of %s: no columns", r.id)
		}
		for _, c := range out.ResultSet.ResultSetMetadata.ColumnInfo {
			r.cols = append(r.cols, aws.ToString(c.Name))
			r.types = append(r.types, aws.ToString(c.Type))
		}
		r.header = true
	}
	r.page, r.next = out.ResultSet.Rows, out.NextToken
	if r.header && len(r.page) > 0 {
		r.header = false
		if r.isHeader(r.page[0]) {
			r.page = r.page[1:]
		}
	}
	return nil
}

// isHeader reports whether a row holds the column labels, which Athena puts
// first in the results of a SELECT.
func (r *athenaRows) isHeader(row types.Row) bool {
	if len(row.Data) != len(r.cols) {
		return false
	}
	for i, d := range row.Data {
		if aws.ToString(d.VarCharValue) != r.cols[i] {
			return false
		}
	}
	return true
}

func (r *athenaRows) Columns() []string { return r.cols }

func (r *athenaRows) Next() bool {
	for len(r.page) == 0 {
		if r.next == nil || r.err != nil {
			return false
		}
		if r.err = r.fetch(); r.err != nil {
			return false
		}
	}
	row := r.page[0]
	r.page = r.page[1:]
	r.vals = make([]any, len(r.cols))
	for i := range r.vals {
		if i < len(row.Data) && row.Data[i].VarCharValue != nil {
			if r.vals[i], r.err = athenaValue(*row.Data[i].VarCharValue, r.types[i]); r.err != nil {
				return false
			}
		}
	}
	return true
}

func (r *athenaRows) Values() []any { return r.vals }
func (r *athenaRows) Err() error    { return r.err }
func (r *athenaRows) Close() error  { return nil }

// athenaValue converts a value from its text form by its Athena type.
func athenaValue(s, typ string) (any, error) {
	var v any
	var err error
	switch typ {
	case "boolean":
		v, err = strconv.ParseBool(s)
	case "tinyint", "smallint", "integer", "bigint":
		v, err = strconv.ParseInt(s, 10, 64)
	case "real", "float", "double":
		v, err = strconv.ParseFloat(s, 64)
	case "timestamp", "timestamp with time zone":
		v, err = parseAthenaTime(s)
	default:
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("athena: %s value %q: %w", typ, s, err)
	}
	return v, nil
}

// parseAthenaTime reads Athena's timestamps: "2006-01-02 15:04:05.000",
// with " UTC" (or another zone name) for timestamps with a time zone.
func parseAthenaTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05.999999999 MST"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("not a timestamp")
}
