package index

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// fakeAthena answers like Athena, with the results DuckDB computes for the
// same SQL over the same files: a test passes only if the engine's SQL means
// the right thing and its paging and typing of Athena's text results are
// right. (moto's Athena runs no SQL: it returns canned or empty results.)
type fakeAthena struct {
	t        *testing.T
	local    *Local
	pageSize int
	started  []*athena.StartQueryExecutionInput
	execs    map[string]*fakeExec
}

type fakeExec struct {
	polls      int
	failure    string
	cols, typs []string
	rows       [][]*string
}

func (f *fakeAthena) StartQueryExecution(ctx context.Context, in *athena.StartQueryExecutionInput, _ ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error) {
	f.started = append(f.started, in)
	id := fmt.Sprintf("q-%d", len(f.started))
	ex := &fakeExec{}
	f.execs[id] = ex
	if err := f.local.need(ctx, eventsDir, refsDir); err != nil {
		f.t.Fatal(err)
	}
	rows, err := f.local.db.QueryContext(ctx, aws.ToString(in.QueryString))
	if err != nil {
		ex.failure = err.Error()
		return &athena.StartQueryExecutionOutput{QueryExecutionId: aws.String(id)}, nil
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		f.t.Fatal(err)
	}
	for _, ct := range cts {
		ex.cols = append(ex.cols, ct.Name())
		ex.typs = append(ex.typs, athenaTypeOf(ct.DatabaseTypeName()))
	}
	for rows.Next() {
		vals := make([]any, len(cts))
		ptrs := make([]any, len(cts))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			f.t.Fatal(err)
		}
		row := make([]*string, len(vals))
		for i, v := range vals {
			row[i] = athenaText(v)
		}
		ex.rows = append(ex.rows, row)
	}
	return &athena.StartQueryExecutionOutput{QueryExecutionId: aws.String(id)}, rows.Err()
}

// GetQueryExecution says RUNNING once, then how the query ended.
func (f *fakeAthena) GetQueryExecution(_ context.Context, in *athena.GetQueryExecutionInput, _ ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error) {
	ex := f.execs[aws.ToString(in.QueryExecutionId)]
	st := &types.QueryExecutionStatus{State: types.QueryExecutionStateRunning}
	switch ex.polls++; {
	case ex.polls == 1:
	case ex.failure != "":
		st = &types.QueryExecutionStatus{State: types.QueryExecutionStateFailed, StateChangeReason: aws.String(ex.failure)}
	default:
		st = &types.QueryExecutionStatus{State: types.QueryExecutionStateSucceeded}
	}
	return &athena.GetQueryExecutionOutput{QueryExecution: &types.QueryExecution{Status: st}}, nil
}

// GetQueryResults pages the rows, the column labels first, as Athena does.
func (f *fakeAthena) GetQueryResults(_ context.Context, in *athena.GetQueryResultsInput, _ ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error) {
	ex := f.execs[aws.ToString(in.QueryExecutionId)]
	if ex.polls < 2 || ex.failure != "" {
		return nil, fmt.Errorf("InvalidRequestException: query has not succeeded")
	}
	header := make([]*string, len(ex.cols))
	for i, c := range ex.cols {
		header[i] = aws.String(c)
	}
	all := append([][]*string{header}, ex.rows...)
	from := 0
	if in.NextToken != nil {
		from, _ = strconv.Atoi(*in.NextToken)
	}
	to := min(len(all), from+f.pageSize)
	out := &athena.GetQueryResultsOutput{ResultSet: &types.ResultSet{ResultSetMetadata: &types.ResultSetMetadata{}}}
	for i, c := range ex.cols {
		out.ResultSet.ResultSetMetadata.ColumnInfo = append(out.ResultSet.ResultSetMetadata.ColumnInfo,
			types.ColumnInfo{Name: aws.String(c), Type: aws.String(ex.typs[i])})
	}
	for _, row := range all[from:to] {
		var r types.Row
		for _, v := range row {
			r.Data = append(r.Data, types.Datum{VarCharValue: v})
		}
		out.ResultSet.Rows = append(out.ResultSet.Rows, r)
	}
	if to < len(all) {
		out.NextToken = aws.String(strconv.Itoa(to))
	}
	return out, nil
}

func athenaTypeOf(duck string) string {
	switch duck {
	case "VARCHAR":
		return "varchar"
	case "TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		return "timestamp"
	case "BIGINT", "HUGEINT", "UBIGINT":
		return "bigint"
	case "INTEGER":
		return "integer"
	case "BOOLEAN":
		return "boolean"
	case "DOUBLE":
		return "double"
	}
	return "varchar"
}

// athenaText renders a value as Athena's results do; NULL has no value.
func athenaText(v any) *string {
	var s string
	switch v := v.(type) {
	case nil:
		return nil
	case time.Time:
		s = v.UTC().Format("2006-01-02 15:04:05.000")
	default:
		s = fmt.Sprint(v)
	}
	return &s
}

func newFakeAthena(t *testing.T) (*Athena, *fakeAthena, *Local) {
	root, _ := samples(t)
	l := openLocal(t, root)
	fake := &fakeAthena{t: t, local: l, pageSize: 2, execs: map[string]*fakeExec{}}
	return &Athena{Client: fake, Workgroup: "wg", Output: "s3://results/", Poll: time.Millisecond}, fake, l
}

func TestAthenaWhoChangedAndActivityMatchLocal(t *testing.T) {
	a, fake, l := newFakeAthena(t)
	ctx := context.Background()

	_, want := collect(t, l.WhoChanged(ctx, "i-DDd6c7B0e18F0E35f", time.Time{}))
	_, got := collect(t, a.WhoChanged(ctx, "i-DDd6c7B0e18F0E35f", time.Time{}))
	if len(want) != 3 || !slices.Equal(got, want) {
		t.Errorf("athena who-changed:\n%+v\nlocal:\n%+v", got, want)
	}
	in := fake.started[0]
	if aws.ToString(in.QueryExecutionContext.Database) != AthenaDatabase || aws.ToString(in.WorkGroup) != "wg" ||
		aws.ToString(in.ResultConfiguration.OutputLocation) != "s3://results/" {
		t.Errorf("query started with %+v", in)
	}

	// Activity names the accounts, as the injected projection requires.
	_, all := collect(t, l.Activity(ctx, "christophe", time.Time{}))
	accounts := []string{all[0].AccountID, all[len(all)-1].AccountID}
	a.Accounts = accounts
	_, got = collect(t, a.Activity(ctx, "christophe", time.Time{}))
	var wantIn []Event
	for _, e := range all {
		if slices.Contains(accounts, e.AccountID) {
			wantIn = append(wantIn, e)
		}
	}
	if len(wantIn) < 2 || !slices.Equal(got, wantIn) {
		t.Errorf("athena activity in %q: %d events, want %d", accounts, len(got), len(wantIn))
	}
	if q := aws.ToString(fake.started[len(fake.started)-1].QueryString); !strings.Contains(q, "account IN ('"+accounts[0]+"'") {
		t.Errorf("activity query does not name the accounts: %s", q)
	}
}

func TestAthenaQueryTypesAndPages(t *testing.T) {
	a, _, l := newFakeAthena(t)
	ctx := context.Background()
	sql := `SELECT account, count(*) AS n, bool_or(read_only) AS ro, max(event_time) AS newest, max(error_code) AS err
		FROM events GROUP BY account ORDER BY account`
	read := func(e Engine) [][]any {
		rows, err := e.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if !slices.Equal(rows.Columns(), []string{"account", "n", "ro", "newest", "err"}) {
			t.Fatalf("columns %q", rows.Columns())
		}
		var out [][]any
		for rows.Next() {
			v := slices.Clone(rows.Values())
			if tm, ok := v[3].(time.Time); ok {
				v[3] = tm.UTC()
			}
			out = append(out, v)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want, got := read(l), read(a)
	if len(want) < 5 {
		t.Fatalf("%d rows: the result should span pages", len(want))
	}
	if len(got) != len(want) {
		t.Fatalf("athena: %d rows, local %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d: athena %v, local %v", i, got[i], want[i])
		}
	}
}

func TestAthenaFailedQuery(t *testing.T) {
	a, _, _ := newFakeAthena(t)
	_, err := a.Query(context.Background(), "SELECT nope FROM events")
	if err == nil || !strings.Contains(err.Error(), "FAILED") || !strings.Contains(err.Error(), "nope") {
		t.Errorf("failed query: %v", err)
	}
	for _, err := range a.WhoChanged(context.Background(), "x", time.Time{}) {
		if err != nil {
			t.Errorf("who-changed of an unknown resource: %v", err)
		}
	}
}
