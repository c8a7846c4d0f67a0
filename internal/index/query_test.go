package index

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
)

// expect returns the ids of the records that match, newest first (ties by
// id, as the queries order them).
func (tr truth) expect(match func(*cloudtrail.Record) bool) []string {
	var rs []*cloudtrail.Record
	for _, r := range tr.records {
		if match(r) {
			rs = append(rs, r)
		}
	}
	slices.SortFunc(rs, func(a, b *cloudtrail.Record) int {
		return cmp.Or(b.EventTime.Compare(a.EventTime), strings.Compare(a.EventID, b.EventID))
	})
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.EventID
	}
	return ids
}

func collect(t testing.TB, events func(func(Event, error) bool)) ([]string, []Event) {
	t.Helper()
	var ids []string
	var es []Event
	for e, err := range events {
		if err != nil {
			t.Fatal(err)
		}
		ids, es = append(ids, e.EventID), append(es, e)
	}
	return ids, es
}

func TestWhoChanged(t *testing.T) {
	root, paths := samples(t)
	tr := readTruth(t, cloudtrail.Config{}, paths...)
	l := openLocal(t, root)
	ctx := context.Background()
	writesNaming := func(s string) func(*cloudtrail.Record) bool {
		return func(r *cloudtrail.Record) bool { return !r.ReadOnly && bytes.Contains(r.Raw, []byte(`"`+s+`"`)) }
	}

	// The user-data technique: stop the instance, change its user data,
	// start it again.
	ids, events := collect(t, l.WhoChanged(ctx, "i-DDd6c7B0e18F0E35f", time.Time{}))
	want := tr.expect(writesNaming("i-DDd6c7B0e18F0E35f"))
	if len(want) != 3 || !slices.Equal(ids, want) {
		t.Fatalf("who-changed instance: %q, want %q", ids, want)
	}
	for i, e := range events {
		r := tr.records[e.EventID]
		if e.EventName != r.EventName || !e.EventTime.Equal(r.EventTime) || e.PrincipalARN != r.PrincipalARN ||
			e.SourceIP != r.SourceIPAddress || e.UserAgent != r.UserAgent || e.AccountID != r.AccountID || e.Region != r.AWSRegion {
			t.Errorf("event %d: %+v, record %+v", i, e, r)
		}
		if !strings.HasPrefix(e.What, e.EventName+"(") || !strings.Contains(e.What, "instanceId=i-DDd6c7B0e18F0E35f") {
			t.Errorf("what = %q", e.What)
		}
	}
	if events[1].EventName != "ModifyInstanceAttribute" {
		t.Errorf("the user data change is not between the stop and the start: %q", events[1].EventName)
	}

	// --since keeps the newer events.
	ids, _ = collect(t, l.WhoChanged(ctx, "i-DDd6c7B0e18F0E35f", events[1].EventTime))
	if !slices.Equal(ids, want[:2]) {
		t.Errorf("who-changed since %s: %q", events[1].EventTime, ids)
	}

	// An ARN finds the events that named the user only by name, in its
	// account only.
	user := "stratus-red-team-login-profile-user"
	byName := tr.expect(writesNaming(user))
	if len(byName) != 2 {
		t.Fatalf("the samples changed: %d events name %s", len(byName), user)
	}
	account := tr.records[byName[0]].AccountID
	if ids, _ := collect(t, l.WhoChanged(ctx, "arn:aws:iam::"+account+":user/"+user, time.Time{})); !slices.Equal(ids, byName) {
		t.Errorf("who-changed by ARN: %q, want %q", ids, byName)
	}
	if ids, _ := collect(t, l.WhoChanged(ctx, "arn:aws:iam::000000000000:user/"+user, time.Time{})); len(ids) != 0 {
		t.Errorf("who-changed in another account: %q", ids)
	}

	// A resource named in the resources member by ARN.
	policy := "arn:aws:iam::aws:policy/AdministratorAccess"
	if ids, _ := collect(t, l.WhoChanged(ctx, policy, time.Time{})); !slices.Equal(ids, tr.expect(writesNaming(policy))) || len(ids) < 2 {
		t.Errorf("who-changed %s: %q, want %q", policy, ids, tr.expect(writesNaming(policy)))
	}

	// A quote in the name is a value, not SQL.
	if ids, _ := collect(t, l.WhoChanged(ctx, "x' OR '1'='1", time.Time{})); len(ids) != 0 {
		t.Errorf("who-changed of a quoted name: %q", ids)
	}
}

func TestActivity(t *testing.T) {
	root, paths := samples(t)
	tr := readTruth(t, cloudtrail.Config{}, paths...)
	l := openLocal(t, root)
	ctx := context.Background()

	var key, role, session string
	for _, r := range tr.records {
		switch {
		case r.AccessKeyID != "" && key == "":
			key = r.AccessKeyID
		case r.RoleARN != "" && role == "":
			role = r.RoleARN
			session = r.PrincipalARN[strings.LastIndexByte(r.PrincipalARN, '/')+1:]
		}
	}
	for _, tc := range []struct {
		name, principal string
		match           func(*cloudtrail.Record) bool
	}{
		{"user name", "christophe", func(r *cloudtrail.Record) bool { return strings.HasSuffix(r.PrincipalARN, ":user/christophe") }},
		{"user ARN", "arn:aws:iam::070411556318:user/christophe", func(r *cloudtrail.Record) bool {
			return r.PrincipalARN == "arn:aws:iam::070411556318:user/christophe"
		}},
		{"access key", key, func(r *cloudtrail.Record) bool { return r.AccessKeyID == key }},
		{"role ARN", role, func(r *cloudtrail.Record) bool { return r.RoleARN == role }},
		{"role name", role[strings.LastIndexByte(role, '/')+1:], func(r *cloudtrail.Record) bool {
			return r.RoleARN != "" && strings.HasSuffix(r.RoleARN, role[strings.LastIndexByte(role, '/'):])
		}},
		{"session name", session, func(r *cloudtrail.Record) bool { return strings.HasSuffix(r.PrincipalARN, "/"+session) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tr.expect(tc.match)
			if len(want) == 0 {
				t.Fatalf("no sample event of %s", tc.principal)
			}
			ids, events := collect(t, l.Activity(ctx, tc.principal, time.Time{}))
			if !slices.Equal(ids, want) {
				t.Fatalf("activity %s: %d events, want %d", tc.principal, len(ids), len(want))
			}
			for _, e := range events {
				if r := tr.records[e.EventID]; e.PrincipalARN != r.PrincipalARN || e.EventSource != r.EventSource {
					t.Fatalf("event %+v, record %+v", e, r)
				}
			}
		})
	}

	// --since prunes by date partition and by time.
	since := time.Date(2024, 8, 2, 9, 9, 1, 0, time.UTC)
	want := tr.expect(func(r *cloudtrail.Record) bool {
		return strings.HasSuffix(r.PrincipalARN, ":user/christophe") && !r.EventTime.Before(since)
	})
	if ids, _ := collect(t, l.Activity(ctx, "christophe", since)); !slices.Equal(ids, want) || len(want) == 0 {
		t.Errorf("activity since %s: %d events, want %d", since, len(ids), len(want))
	}
}

func TestQuerySQL(t *testing.T) {
	root, paths := samples(t)
	tr := readTruth(t, cloudtrail.Config{}, paths...)
	l := openLocal(t, root)

	perAccount := map[string]int64{}
	for _, r := range tr.records {
		perAccount[pathValue(r.AccountID)]++
	}
	rows, err := l.Query(context.Background(), `SELECT account, count(*) AS n FROM events GROUP BY account`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if cols := rows.Columns(); !slices.Equal(cols, []string{"account", "n"}) {
		t.Errorf("columns %q", cols)
	}
	got := map[string]int64{}
	for rows.Next() {
		v := rows.Values()
		got[v[0].(string)] = v[1].(int64)
	}
	if rows.Err() != nil || len(got) != len(perAccount) {
		t.Fatalf("%d accounts, want %d (%v)", len(got), len(perAccount), rows.Err())
	}
	for a, n := range perAccount {
		if got[a] != n {
			t.Errorf("account %s: %d events, want %d", a, got[a], n)
		}
	}
	// The JSON columns are queryable as JSON.
	sg := queryInt(t, l, `SELECT count(*) FROM events WHERE request_parameters->>'$.groupId' = 'sg-003dc7f1f1c686164'`)
	if sg != 1 {
		t.Errorf("%d events with the security group in requestParameters, want 1", sg)
	}
	if _, err := l.Query(context.Background(), "SELECT nope FROM events"); err == nil {
		t.Error("a bad query did not fail")
	}
}

func TestOpenLocalEmpty(t *testing.T) {
	if _, err := OpenLocal(context.Background(), t.TempDir()); err == nil || !strings.Contains(err.Error(), ErrEmpty.Error()) {
		t.Errorf("OpenLocal of an empty index: %v", err)
	}
}
