// Package watch streams CloudTrail: it reads an SQS queue fed by S3, SNS,
// CloudTrail or EventBridge, downloads the log files named, runs the
// detections, alerts and indexes the events. [Watcher] long-polls the queue
// (`trail watch`); [LambdaHandler] runs the same [Pipeline] behind a Lambda
// SQS event source (`baseline lambda`).
//
// # Messages
//
// [ParseMessage] reads S3 event notifications, SNS notifications wrapping
// them or CloudTrail's own notification ({"s3Bucket":…,"s3ObjectKey":[…]},
// wrapped or sent raw), EventBridge S3 "Object Created" events, and
// CloudTrail events that EventBridge delivers one by one ("AWS API Call via
// CloudTrail" and the like), whose detail is the record. Digest and insight
// files are recognised by their key and never read as events. S3 test
// events, SNS subscription confirmations and other EventBridge events are
// done at once; a message of no known shape is left in the queue for its
// redrive policy.
//
// # Guarantees
//
// At least once, and never an alert twice:
//
//   - A message is deleted only after every object it names was read to the
//     end (or found corrupt, or gone: reading again would not help), its
//     events were written to the index and flushed, and their detections
//     were accepted by the alert notifier, which syncs them to its journal
//     before delivering them (see package alert). A crash at any point
//     leaves the message in the queue.
//   - A message delivered again is read again: the index drops the events
//     it holds (by eventID, across runs) and the notifier drops detections
//     whose rule and event it accepted within 14 days (across runs). So
//     each event is indexed once and each detection alerted once, however
//     often SQS, S3 or a restart deliver it. Delivery to the sinks is at
//     least once: a crash between a send and its record in the journal
//     sends that alert again on restart, with the same id.
//   - Within one process, an event already processed is not fed to the
//     detections again (bounded memory: about a million events), so a
//     redelivery does not inflate a correlation's count.
//   - On SIGTERM or SIGINT the batch in flight is abandoned: what was read is
//     committed as above, and its unfinished messages are made visible again
//     at once, never deleted. While a batch is processed, its visibility
//     timeout is renewed.
//   - A failure to write local state (index, journal) stops the watcher:
//     nothing of the batch is deleted, and a restart takes it again.
//
// Correlation windows live in memory: a threshold or sequence that spans a
// restart may be missed. One watcher (or Lambda environment) writes an
// index and a state directory at a time.
//
// # Metrics
//
// Metrics are named baseline_watch_*: messages_total{result},
// objects_total{kind}, events_total, duplicate_events_total,
// detections_total, alerts_total{sink,result}, errors_total{stage},
// sqs_lag_seconds (age of the oldest message of the last batch, from its
// SentTimestamp: what ApproximateAgeOfOldestMessage shows in CloudWatch)
// and last_receive_timestamp_seconds.
package watch
