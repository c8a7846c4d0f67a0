package cloudtrail

import (
	"reflect"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseLocation(t *testing.T) {
	const log = "111122223333_CloudTrail_us-east-1_20240307T0005Z_Ab12Cd34Ef56Gh78.json.gz"
	for _, tc := range []struct {
		key  string
		want Location
	}{
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/07/" + log,
			Location{Kind: KindLog, InTree: true, Account: "111122223333", Region: "us-east-1", Day: day(2024, 3, 7)}},
		{"trails/main/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/07/" + log,
			Location{Kind: KindLog, InTree: true, Prefix: "trails/main/", Account: "111122223333", Region: "us-east-1", Day: day(2024, 3, 7)}},
		{"AWSLogs/o-abc123def4/111122223333/CloudTrail/eu-west-1/2023/12/31/" + log,
			Location{Kind: KindLog, InTree: true, OrgID: "o-abc123def4", Account: "111122223333", Region: "eu-west-1", Day: day(2023, 12, 31)}},
		{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/03/07/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20240307T010203Z.json.gz",
			Location{Kind: KindDigest, InTree: true, Account: "111122223333", Region: "us-east-1", Day: day(2024, 3, 7)}},
		{"p/AWSLogs/o-abc123def4/111122223333/CloudTrail-Insight/us-east-1/2024/02/29/111122223333_CloudTrail-Insight_us-east-1_20240229T2359Z_x.json.gz",
			Location{Kind: KindInsight, InTree: true, Prefix: "p/", OrgID: "o-abc123def4", Account: "111122223333", Region: "us-east-1", Day: day(2024, 2, 29)}},
		// Other services sharing the bucket are not CloudTrail, whatever their extension.
		{"AWSLogs/111122223333/Config/us-east-1/2024/3/7/ConfigHistory/111122223333_Config_us-east-1_ConfigHistory_x.json.gz", Location{}},
		{"AWSLogs/111122223333/elasticloadbalancing/us-east-1/2024/03/07/x.log.gz", Location{}},
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/07/", // a folder placeholder
			Location{InTree: true, Account: "111122223333", Region: "us-east-1", Day: day(2024, 3, 7)}},
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2024/13/07/" + log, Location{}},
		// Not the layout: the name decides.
		{"xAWSLogs/111122223333/CloudTrail/us-east-1/2024/03/07/" + log, Location{Kind: KindLog}},
		{"AWSLogs/notanaccount/CloudTrail/us-east-1/2024/03/07/" + log, Location{Kind: KindLog}},
		{"/data/traildiscover/AddUserToGroup.json.cloudtrail", Location{Kind: KindLog}},
		{"stratus/aws.defense-evasion.cloudtrail-stop.json", Location{Kind: KindLog}},
		{"copy/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20240307T010203Z.json.gz", Location{Kind: KindDigest}},
		{"copy/111122223333_CloudTrail-Insight_us-east-1_20240307T0005Z_x.json.gz", Location{Kind: KindInsight}},
		{"data/LICENSE", Location{}},
		{"data/notes.txt.gz", Location{}},
		{`C:\logs\AWSLogs\111122223333\CloudTrail\us-east-1\2024\03\07\` + log,
			Location{Kind: KindLog, InTree: true, Prefix: "C:/logs/", Account: "111122223333", Region: "us-east-1", Day: day(2024, 3, 7)}},
	} {
		if got := ParseLocation(tc.key); got != tc.want {
			t.Errorf("ParseLocation(%q)\n got %+v\nwant %+v", tc.key, got, tc.want)
		}
	}
}

func TestRegionDir(t *testing.T) {
	for _, tc := range []struct {
		prefix, org, account string
		kind                 Kind
		region, want         string
	}{
		{"", "", "111122223333", KindLog, "us-east-1", "AWSLogs/111122223333/CloudTrail/us-east-1/"},
		{"trails/", "o-abc123def4", "111122223333", KindLog, "eu-west-1", "trails/AWSLogs/o-abc123def4/111122223333/CloudTrail/eu-west-1/"},
		{"", "o-abc123def4", "111122223333", KindDigest, "us-east-1", "AWSLogs/o-abc123def4/111122223333/CloudTrail-Digest/us-east-1/"},
		{"", "", "111122223333", KindInsight, "us-east-1", "AWSLogs/111122223333/CloudTrail-Insight/us-east-1/"},
	} {
		if got := RegionDir(tc.prefix, tc.org, tc.account, tc.kind, tc.region); got != tc.want {
			t.Errorf("RegionDir = %q, want %q", got, tc.want)
		}
		loc := ParseLocation(tc.want + "2024/03/07/x_CloudTrail_x.json.gz")
		if loc.Prefix != tc.prefix || loc.OrgID != tc.org || loc.Account != tc.account || loc.Region != tc.region {
			t.Errorf("RegionDir(%q…) does not parse back: %+v", tc.want, loc)
		}
	}
}

func TestDatePrefixes(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		name         string
		since, until string
		want         []string
	}{
		{"one day", "2024-03-07T10:00:00Z", "2024-03-07T11:00:00Z", []string{"2024/03/07/"}},
		{"across a month", "2024-01-30T00:00:00Z", "2024-02-02T23:59:59Z",
			[]string{"2024/01/30/", "2024/01/31/", "2024/02/01/", "2024/02/02/"}},
		{"across a year", "2023-12-31T23:00:00Z", "2024-01-01T01:00:00Z", []string{"2023/12/31/", "2024/01/01/"}},
		{"leap February whole", "2024-02-01T00:00:00Z", "2024-02-29T23:00:00Z", []string{"2024/02/"}},
		{"February short of its end", "2023-02-01T00:00:00Z", "2023-02-27T00:00:00Z", nil}, // 27 days, below
		{"month and days", "2024-01-30T00:00:00Z", "2024-03-01T00:00:00Z",
			[]string{"2024/01/30/", "2024/01/31/", "2024/02/", "2024/03/01/"}},
		{"whole year", "2023-01-01T00:00:00Z", "2023-12-31T00:00:00Z", []string{"2023/"}},
		{"years, months and days", "2022-12-31T05:00:00Z", "2024-02-01T05:00:00Z",
			[]string{"2022/12/31/", "2023/", "2024/01/", "2024/02/01/"}},
		{"time zones are UTC days", "2024-03-01T01:00:00+05:00", "2024-03-01T04:00:00+05:00", []string{"2024/02/29/"}},
		{"until before since", "2024-03-02T00:00:00Z", "2024-03-01T00:00:00Z", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DatePrefixes(at(tc.since), at(tc.until))
			want := tc.want
			if tc.name == "February short of its end" {
				for d := 1; d <= 27; d++ {
					want = append(want, day(2023, 2, d).Format("2006/01/02/"))
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %q\nwant %q", got, want)
			}
		})
	}
}

func TestOptionsWanted(t *testing.T) {
	o := Options{
		Since: time.Date(2024, 3, 1, 0, 30, 0, 0, time.UTC), Until: time.Date(2024, 3, 2, 23, 30, 0, 0, time.UTC),
		Slack: time.Hour, Accounts: []string{"111122223333"},
	}
	loc := func(acct string, d time.Time) Location {
		return Location{Kind: KindLog, InTree: true, Account: acct, Region: "us-east-1", Day: d}
	}
	for _, tc := range []struct {
		loc  Location
		want bool
	}{
		{loc("111122223333", day(2024, 2, 29)), true}, // slack reaches back over midnight
		{loc("111122223333", day(2024, 2, 28)), false},
		{loc("111122223333", day(2024, 3, 3)), true}, // delivered after Until
		{loc("111122223333", day(2024, 3, 4)), false},
		{loc("444455556666", day(2024, 3, 1)), false},
		{Location{Kind: KindLog}, true}, // not in the layout: read, and filter its records
	} {
		if got := o.wanted(tc.loc); got != tc.want {
			t.Errorf("wanted(%+v) = %v", tc.loc, got)
		}
	}
}

func TestSplitAWSLogs(t *testing.T) {
	for in, want := range map[string][2]string{
		"":                                   {"", ""},
		"trails":                             {"trails/", ""},
		"trails/":                            {"trails/", ""},
		"AWSLogs":                            {"", ""},
		"AWSLogs/":                           {"", ""},
		"AWSLogs/o-abc/1111":                 {"", "o-abc/1111"},
		"t/AWSLogs/111122223333/CloudTrail/": {"t/", "111122223333/CloudTrail/"},
		"myAWSLogs/":                         {"myAWSLogs/", ""},
		"myAWSLogs/AWSLogs/x":                {"myAWSLogs/", "x"},
	} {
		if base, rest := splitAWSLogs(in); base != want[0] || rest != want[1] {
			t.Errorf("splitAWSLogs(%q) = %q, %q; want %q", in, base, rest, want)
		}
	}
}
