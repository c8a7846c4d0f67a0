// Package cloudtrail reads CloudTrail log files quickly, in bounded memory, and
// without letting one bad file stop a run.
//
// The pieces, from the bytes up:
//
//   - [Splitter] streams the raw JSON of each record out of one log file
//     ({"Records":[...]}, a bare array, or bare record objects; gzip is
//     detected by its magic bytes). It never builds a DOM: a byte scanner
//     tracks strings, escapes and bracket nesting, so memory is bounded by the
//     largest record, not by the file.
//   - [ParseRecord] extracts the fields every consumer needs into a [Record]
//     ([Splitter.NextRecord] splits and parses in one go, faster);
//     [Record.Fields] decodes the full event lazily, once.
//   - [Dedup] drops repeated eventIDs (organization and account trails, or
//     overlapping sources, deliver the same event twice) in bounded memory.
//   - [Open] lists a local file, a directory or an s3://bucket/prefix as a
//     [Source]; [ParseLocation] understands the AWSLogs/ key layout so that
//     digest and insight files are routed by key and a time range lists only
//     the day folders it needs.
//   - [Read] runs a file-level worker pool over a Source and hands records to
//     a callback; a corrupt or unreadable file is reported and counted, never
//     fatal.
package cloudtrail
