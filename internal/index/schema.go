package index

import (
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// eventRow is one row of the events dataset. account, region and date are
// not columns: they are the hive partition of the file (events/account=…/
// region=…/date=…/), which DuckDB and Athena add to every row; Athena refuses
// a column that repeats a partition key. account_id is kept because it is the
// contract's name for the account.
//
// Strings that may be absent are optional, so that they read as NULL, not "".
// Dictionary encoding is kept for short, repetitive columns: hashing long or
// nearly unique strings into a dictionary cost more than zstd gains from it.
// raw is the whole event, so nothing CloudTrail wrote is lost; the column is
// zstd-compressed with its neighbours, which shrinks it ten times more than
// compressing each event alone.
type eventRow struct {
	EventID           string    `parquet:"event_id"`
	EventTime         time.Time `parquet:"event_time,timestamp(millisecond:utc)"`
	EventName         string    `parquet:"event_name,dict"`
	EventSource       string    `parquet:"event_source,dict"`
	EventType         string    `parquet:"event_type,optional,dict"`
	AccountID         string    `parquet:"account_id,optional,dict"`
	PrincipalARN      string    `parquet:"principal_arn,optional"`
	PrincipalType     string    `parquet:"principal_type,optional,dict"`
	PrincipalName     string    `parquet:"principal_name,optional,dict"`
	RoleARN           string    `parquet:"role_arn,optional,dict"`
	AccessKeyID       string    `parquet:"access_key_id,optional"`
	SourceIP          string    `parquet:"source_ip,optional"`
	UserAgent         string    `parquet:"user_agent,optional"`
	ErrorCode         string    `parquet:"error_code,optional,dict"`
	ReadOnly          bool      `parquet:"read_only"`
	RequestParameters string    `parquet:"request_parameters,optional"`
	ResponseElements  string    `parquet:"response_elements,optional"`
	Resources         []string  `parquet:"resources,list"`
	Raw               string    `parquet:"raw"`

	// refs are the resource references of a write event and what its
	// summary, for the refs dataset; size approximates the row's memory,
	// for the flush budget.
	refs []string `parquet:"-"`
	what string   `parquet:"-"`
	size int      `parquet:"-"`
}

// refRow is one row of the refs dataset: a resource reference, where the
// event that carries it is stored (account_id, region and date are its
// partition), and the columns who-changed prints. Those make refs a covering
// index: an answer reads the few matching rows of refs and never the events
// files, so its cost does not grow with the partitions a resource spans.
type refRow struct {
	Ref           string    `parquet:"ref"`
	EventTime     time.Time `parquet:"event_time,timestamp(millisecond:utc)"`
	EventID       string    `parquet:"event_id"`
	AccountID     string    `parquet:"account_id,dict"`
	Region        string    `parquet:"region,dict"`
	Date          string    `parquet:"date,dict"`
	EventName     string    `parquet:"event_name,dict"`
	EventSource   string    `parquet:"event_source,dict"`
	PrincipalARN  string    `parquet:"principal_arn,optional"`
	PrincipalType string    `parquet:"principal_type,optional,dict"`
	SourceIP      string    `parquet:"source_ip,optional"`
	UserAgent     string    `parquet:"user_agent,optional"`
	ErrorCode     string    `parquet:"error_code,optional,dict"`
	What          string    `parquet:"what"`
}

// Row groups: events files are read by whole partitions, so large groups
// compress best; refs files are probed for one ref, so small groups let the
// min/max statistics of the sorted ref column skip all but one. Merged refs
// files use larger groups to keep their footers small (see compact.go).
const (
	eventsRowGroupRows = 128 << 10
	refsRowGroupRows   = 4 << 10
	mergedRowGroupRows = 16 << 10
)

// Pages: a merge of refs files holds one page per column of every input in
// memory, so refs pages are small; events pages keep the default size.
const (
	eventsPageSize = 256 << 10
	refsPageSize   = 32 << 10
)

var zstdCodec = &zstd.Codec{Level: zstd.SpeedFastest}

// writerOptions are shared by both datasets. Version 1 data pages are the
// ones every reader (Athena's included) has always understood.
func writerOptions(rowGroupRows int64, pageSize int) []parquet.WriterOption {
	return []parquet.WriterOption{
		parquet.Compression(zstdCodec),
		parquet.MaxRowsPerRowGroup(rowGroupRows),
		parquet.PageBufferSize(pageSize),
		parquet.DataPageVersion(1),
		parquet.CreatedBy("baseline", "1", ""),
		parquet.KeyValueMetadata("baseline.schema", schemaVersion),
	}
}

// schemaVersion is recorded in every file so that a future layout can tell
// old files apart.
const schemaVersion = "1"
