// Package index keeps CloudTrail events in Parquet files on disk and answers
// questions over them: SQL, who changed a resource, what a principal did.
//
// The layout under the root (default [DefaultRoot]) is the one Athena's
// partition projection reads, so a copy in S3 is queried in place at scale:
//
//	events/account=ID/region=R/date=YYYY-MM-DD/part-HASH.parquet
//	refs/part-HASH.parquet
//	manifest/*.jsonl
//
// events holds one row per event: the fields people filter on, the request
// and response as JSON text, the resources' ARNs, and the raw event, so that
// nothing CloudTrail wrote is lost. refs is the resource reference index: for
// every write management event, each identifier it names (ARNs, and the ids
// and names in its request and response, ARNs also by their names), and for
// data events the S3 objects written, with the event's partition and the
// columns a who-changed answer prints. Files are sorted by
// ref and cut into small row groups, so the min/max statistics of ref let an
// exact lookup read one row group per file: who-changed costs the same over
// ten million events as over ten thousand.
//
// [Ingest] is incremental and idempotent. The manifest lists the source
// files read completely, which later runs skip; events are deduplicated by
// eventID against what each partition already holds. [Writer] buffers events
// in bounded memory and writes them in batches, refs first, each file through
// a temporary name and a rename: a crash leaves no half file under a real
// name and loses nothing stored; the next run reads again what the manifest
// does not list and drops what is already there.
//
// [Local] queries the files with embedded DuckDB; [Athena] runs the same SQL
// on Athena over the tables [AthenaDDL] declares. Both are an [Engine].
package index
