// Package detect runs Sigma rules over CloudTrail records: the engine behind
// `trail detect`, meant to be reused by `trail watch` and the Lambda handler.
//
// # Flow
//
// Records come in batches, one per log file (or per delivered message). A
// Batch is filled by one goroutine, and Add matches each record against the
// rule set at once, so batches filled by different goroutines are matched in
// parallel. Matching reads the record through a lazy sigma.Event: the fields
// the record parser extracted (eventName, eventSource, errorCode,
// userIdentity.type...) serve the prefilter and most conditions, and any
// other field is decoded alone out of the raw JSON; the event is never
// decoded whole. A batch keeps only the records that matched a rule that is
// reported or feeds a correlation.
//
// Commit then hands a batch's matches, sorted by event time, to the
// correlations, in one goroutine at a time, and emits the detections:
// matches of rules that generate (sigma.Correlator.Generates) and whose level
// is at least Options.MinLevel, and correlation alerts. Flush closes the
// windows still open at the end of the input.
//
// [Engine.Detect] does all of this over cloudtrail Sources: a pool of
// workers reads and matches one file each, and the batches are committed in
// the order the files were listed, whatever order the workers finish in.
//
// # Ordering guarantee
//
// Correlations are kept per partition, the events of one account. Within a
// partition, correlations see
//
//   - each batch's events sorted by event time, and
//   - batches in commit order (for Detect, the listing order of the files),
//     with events up to Options.Lateness (default 5 minutes) older than the
//     partition's newest still counted exactly, which absorbs CloudTrail's
//     delivery delays between consecutive files.
//
// CloudTrail's layout stores an account's files as one series per region,
// named in time order, so Detect sees each account region after region,
// each in event-time order, and its output does not depend on the number of
// workers. A batch wholly older than its partition's watermark (the next
// region of the layout, or files of several periods given out of order)
// flushes the partition and starts it afresh rather than counting its events
// late. So a batch run correlates within an account and region, while a
// live stream, which delivers all regions at once, correlates across the
// regions of an account.
//
// # Memory
//
// Nothing accumulates with the size of the input: Detect holds at most four
// batches per worker (only their matching records), and each partition holds
// what its correlation windows need (timespan plus lateness worth of
// matches) and the opening event of each open window.
package detect
