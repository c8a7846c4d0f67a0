// Package alert delivers detections to people and systems: JSONL (stdout or a
// file), an SNS topic, an SQS queue, a Slack incoming webhook and a signed
// HTTPS webhook.
//
// # Grouping
//
// A [Notifier] groups detections of one rule and one principal: the first
// opens a window (default five minutes) and, when it ends, the group is sent
// as one [Alert] with a count and the times of its first and last events, so
// a burst is one message. Open groups are sent at Flush and Close.
//
// # Delivery guarantee
//
// Notify appends each new detection to a journal (StateDir/alerts.journal)
// and syncs it before returning; a detection whose key (rule id and event
// id) was accepted within the retention (14 days) is dropped, so an event
// delivered twice is alerted once. Each alert is sent to every sink with
// retries (exponential backoff with full jitter; HTTP 4xx other than 408,
// 425 and 429 and AWS access-denied or not-found errors are not retried).
// What a sink still refuses is appended to the dead-letter file and logged
// in full; it is never dropped, and [Replay] sends it again. A group is
// marked delivered in the journal once every sink took it or dead-lettered
// it; after a crash, what was accepted and not marked is sent on the next
// Open (at least once: a crash between sending and marking sends again, with
// the same Alert.ID).
//
// # Webhook signatures
//
// A webhook delivery is a POST of the alert's JSON with three headers:
//
//	X-Baseline-Timestamp: 1717171717                 (Unix seconds, when sent)
//	X-Baseline-Signature: sha256=HEX                 (HMAC-SHA256 over "TIMESTAMP.BODY")
//	X-Baseline-Delivery:  ALERT_ID                   (stable: drop repeats by it)
//
// A receiver recomputes the HMAC with the shared secret over the timestamp,
// a '.' and the raw body, compares in constant time, and rejects timestamps
// more than a few minutes away from its clock, so a captured request cannot
// be replayed later ([Verify] does all three). The URL must be https, except
// on loopback.
//
// # Secrets
//
// Slack webhook URLs and webhook URLs are credentials: sinks are named by
// host and a fingerprint of the URL ("slack:hooks.slack.com/… #1a2b3c4d") in
// logs, errors, metrics and dead letters, and net/http errors, which quote
// the URL, are rewritten. Webhook secrets are only read from the environment.
package alert
