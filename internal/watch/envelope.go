package watch

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Item is what one message points at: a log object to read, or a CloudTrail
// event delivered whole by EventBridge.
type Item struct {
	Bucket, Key string
	Region      string // the bucket's region when the envelope says it
	Record      []byte // an event's JSON, instead of an object
}

// Envelope kinds, for logs and tests.
const (
	KindS3Notification     = "s3"              // S3 event notification
	KindS3Test             = "s3-test"         // sent once when a notification is configured
	KindCloudTrail         = "cloudtrail"      // CloudTrail's own notification of delivered files
	KindEventBridgeS3      = "eventbridge-s3"  // EventBridge "Object Created"
	KindEventBridgeEvent   = "eventbridge-api" // EventBridge "… via CloudTrail": the event itself
	KindEventBridgeIgnored = "eventbridge-other"
	KindSNSControl         = "sns-control" // subscription (un)confirmation
)

// Envelope is a parsed message.
type Envelope struct {
	Kind  string
	SNS   bool // the message came wrapped in an SNS notification
	Items []Item
}

// message holds the top-level fields of every shape a message can take.
type message struct {
	// SNS notification (without raw message delivery)
	Type    string  `json:"Type"`
	Message *string `json:"Message"`
	// S3 event notification
	Records []s3Record `json:"Records"`
	Event   string     `json:"Event"` // s3:TestEvent
	// CloudTrail notification
	S3Bucket    string   `json:"s3Bucket"`
	S3ObjectKey []string `json:"s3ObjectKey"`
	// EventBridge
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Region     string          `json:"region"`
	Detail     json.RawMessage `json:"detail"`
}

type s3Record struct {
	EventSource string `json:"eventSource"`
	EventName   string `json:"eventName"`
	AWSRegion   string `json:"awsRegion"`
	S3          *struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key string `json:"key"`
		} `json:"object"`
	} `json:"s3"`
}

type eventBridgeObject struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key string `json:"key"`
	} `json:"object"`
}

// ErrUnknownEnvelope is a message of no shape watch knows.
var ErrUnknownEnvelope = errors.New("not an S3, SNS, CloudTrail or EventBridge message")

// ParseMessage reads an SQS message body: an S3 event notification, an SNS
// notification wrapping one or CloudTrail's notification, CloudTrail's
// notification itself (SNS raw message delivery), or an EventBridge event
// (S3 "Object Created", or a CloudTrail event "… via CloudTrail").
func ParseMessage(body []byte) (Envelope, error) {
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		return Envelope{}, fmt.Errorf("%w: %v", ErrUnknownEnvelope, err)
	}
	switch m.Type {
	case "Notification":
		if m.Message == nil {
			break
		}
		env, err := ParseMessage([]byte(*m.Message))
		env.SNS = true
		return env, err
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		return Envelope{Kind: KindSNSControl, SNS: true}, nil
	}
	switch {
	case m.Detail != nil:
		return eventBridge(&m)
	case m.Records != nil:
		return s3Notification(m.Records)
	case m.S3Bucket != "" && len(m.S3ObjectKey) > 0:
		env := Envelope{Kind: KindCloudTrail}
		for _, k := range m.S3ObjectKey {
			env.Items = append(env.Items, Item{Bucket: m.S3Bucket, Key: k})
		}
		return env, nil
	case m.Event == "s3:TestEvent":
		return Envelope{Kind: KindS3Test}, nil
	}
	return Envelope{}, ErrUnknownEnvelope
}

// s3Notification keeps the objects created; keys arrive URL-encoded as in
// a form ("+" for a space).
func s3Notification(records []s3Record) (Envelope, error) {
	env := Envelope{Kind: KindS3Notification}
	for _, r := range records {
		if r.EventSource != "aws:s3" || r.S3 == nil {
			return Envelope{}, fmt.Errorf("%w: a Records entry is not an S3 event", ErrUnknownEnvelope)
		}
		if !strings.HasPrefix(r.EventName, "ObjectCreated:") {
			continue
		}
		key, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			return Envelope{}, fmt.Errorf("%w: object key %q: %v", ErrUnknownEnvelope, r.S3.Object.Key, err)
		}
		env.Items = append(env.Items, Item{Bucket: r.S3.Bucket.Name, Key: key, Region: r.AWSRegion})
	}
	return env, nil
}

// eventBridge reads S3 "Object Created" events, whose keys are not encoded,
// and CloudTrail events, whose detail is the CloudTrail record.
func eventBridge(m *message) (Envelope, error) {
	switch {
	case m.Source == "aws.s3" && m.DetailType == "Object Created":
		var d eventBridgeObject
		if err := json.Unmarshal(m.Detail, &d); err != nil || d.Bucket.Name == "" || d.Object.Key == "" {
			return Envelope{}, fmt.Errorf("%w: Object Created without bucket and key", ErrUnknownEnvelope)
		}
		return Envelope{Kind: KindEventBridgeS3, Items: []Item{{Bucket: d.Bucket.Name, Key: d.Object.Key, Region: m.Region}}}, nil
	case strings.HasSuffix(m.DetailType, "via CloudTrail"):
		return Envelope{Kind: KindEventBridgeEvent, Items: []Item{{Record: m.Detail}}}, nil
	case m.DetailType != "" && m.Source != "":
		return Envelope{Kind: KindEventBridgeIgnored}, nil // other S3 events, or a rule too wide
	}
	return Envelope{}, ErrUnknownEnvelope
}
