package watch

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
)

const (
	ctKey1 = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/07/31/111122223333_CloudTrail_us-east-1_20240731T1305Z_jG2bXJ7rMc0cM7Yv.json.gz"
	ctKey2 = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/07/31/111122223333_CloudTrail_us-east-1_20240731T1305Z_Qk1n5ZbYd0wV3xQe.json.gz"
	// The S3 notification's key is form-encoded: "org+trail" is "org trail".
	s3Key = "org trail/AWSLogs/o-aa111bb222/111122223333/CloudTrail/us-west-2/2024/07/31/111122223333_CloudTrail_us-west-2_20240731T1310Z_Mx2fB7ZbD0cXh0yq.json.gz"
)

func TestParseMessageShapes(t *testing.T) {
	s3Items := []Item{{Bucket: "amzn-s3-demo-bucket", Key: s3Key, Region: "us-west-2"}}
	ctItems := []Item{{Bucket: "amzn-s3-demo-bucket", Key: ctKey1}, {Bucket: "amzn-s3-demo-bucket", Key: ctKey2}}
	for file, want := range map[string]Envelope{
		"s3-notification.json":             {Kind: KindS3Notification, Items: s3Items},
		"sns-s3-notification.json":         {Kind: KindS3Notification, SNS: true, Items: s3Items},
		"cloudtrail-notification.json":     {Kind: KindCloudTrail, Items: ctItems},
		"sns-cloudtrail-notification.json": {Kind: KindCloudTrail, SNS: true, Items: ctItems},
		"eventbridge-s3-object-created.json": {Kind: KindEventBridgeS3, Items: []Item{{
			Bucket: "amzn-s3-demo-bucket", Region: "ca-central-1",
			Key: "AWSLogs/111122223333/CloudTrail/ca-central-1/2024/07/31/111122223333_CloudTrail_ca-central-1_20240731T1310Z_a1b2c3d4e5f6g7h8.json.gz",
		}}},
		"eventbridge-s3-object-deleted.json": {Kind: KindEventBridgeIgnored},
		"s3-test-event.json":                 {Kind: KindS3Test},
		"sns-subscription-confirmation.json": {Kind: KindSNSControl, SNS: true},
	} {
		got, err := ParseMessage(readTestdata(t, file))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v (%v)\nwant %+v", file, got, err, want)
		}
	}
}

// EventBridge delivers CloudTrail events themselves: the detail is the
// record, and it parses as one.
func TestParseMessageEventBridgeCloudTrailEvents(t *testing.T) {
	for file, want := range map[string]string{
		"eventbridge-cloudtrail-api-call.json": "StopLogging|arn:aws:sts::111122223333:assumed-role/Admin/mallory|arn:aws:iam::111122223333:role/Admin",
		"eventbridge-console-sign-in.json":     "ConsoleLogin|arn:aws:iam::111122223333:root|",
	} {
		env, err := ParseMessage(readTestdata(t, file))
		if err != nil || env.Kind != KindEventBridgeEvent || len(env.Items) != 1 || env.Items[0].Record == nil {
			t.Fatalf("%s: %+v, %v", file, env, err)
		}
		r, err := cloudtrail.ParseRecord(env.Items[0].Record)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.EventName + "|" + r.PrincipalARN + "|" + r.RoleARN; got != want || r.AccountID != "111122223333" || r.EventID == "" {
			t.Errorf("%s: %s, account %s, id %s", file, got, r.AccountID, r.EventID)
		}
	}
}

func TestParseMessageRejectsUnknownShapes(t *testing.T) {
	for _, body := range []string{
		`not json`,
		`{}`,
		`{"hello":"world"}`,
		`{"Records":[{"eventVersion":"1.08","eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com"}]}`, // a log file, not a notification
		`{"Type":"Notification","Message":"{\"unexpected\":true}"}`,
		`{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"%zz"}}}]}`,
	} {
		if env, err := ParseMessage([]byte(body)); !errors.Is(err, ErrUnknownEnvelope) {
			t.Errorf("%s: %+v, %v", body, env, err)
		}
	}
}

func TestParseMessageKeepsOnlyCreatedObjects(t *testing.T) {
	body := `{"Records":[
		{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","awsRegion":"eu-west-1","s3":{"bucket":{"name":"b"},"object":{"key":"gone.json.gz"}}},
		{"eventSource":"aws:s3","eventName":"ObjectCreated:CompleteMultipartUpload","awsRegion":"eu-west-1","s3":{"bucket":{"name":"b"},"object":{"key":"a%3Db.json.gz"}}}]}`
	env, err := ParseMessage([]byte(body))
	if err != nil || !reflect.DeepEqual(env.Items, []Item{{Bucket: "b", Key: "a=b.json.gz", Region: "eu-west-1"}}) {
		t.Fatalf("%+v, %v", env, err)
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
