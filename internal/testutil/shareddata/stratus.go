package shareddata

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// LogObject is a CloudTrail log file as CloudTrail delivers it to S3.
type LogObject struct {
	// Key follows the AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ layout.
	Key string
	// Data is the gzip'd {"Records":[...]} document.
	Data []byte
	// Records are the raw records, in file order.
	Records []json.RawMessage
}

// StratusLogs turns each Stratus Red Team detonation log into a CloudTrail
// log object, keyed by the account, region and time of its first record.
func StratusLogs(t testing.TB) []LogObject {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(Dir(t, "cloudtrail", "stratus-red-team"), "*.json"))
	if err != nil || len(files) < 30 {
		t.Fatalf("stratus files: %d, %v", len(files), err)
	}
	out := make([]LogObject, 0, len(files))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var recs []json.RawMessage
		if err := json.Unmarshal(raw, &recs); err != nil || len(recs) == 0 {
			t.Fatalf("%s: %d records, %v", f, len(recs), err)
		}
		var first struct {
			EventTime          time.Time `json:"eventTime"`
			AWSRegion          string    `json:"awsRegion"`
			RecipientAccountID string    `json:"recipientAccountId"`
		}
		if err := json.Unmarshal(recs[0], &first); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var body bytes.Buffer
		zw := gzip.NewWriter(&body)
		fmt.Fprintf(zw, `{"Records":%s}`, bytes.TrimSpace(raw))
		zw.Close()
		acct, region := first.RecipientAccountID, first.AWSRegion
		key := fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.gz", acct, region, first.EventTime.Format("2006/01/02"),
			acct, region, first.EventTime.Format("20060102T1504Z"), strings.TrimSuffix(filepath.Base(f), ".json")+".json")
		out = append(out, LogObject{Key: key, Data: body.Bytes(), Records: recs})
	}
	return out
}
