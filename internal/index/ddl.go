package index

import (
	"fmt"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// AthenaDatabase is the database AthenaDDL creates and Athena queries use by
// default.
const AthenaDatabase = "baseline_trail"

// Regions is the default partition projection of the region column: every
// public, GovCloud and China region, and "unknown", where events without a
// region go.
var Regions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
	"ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
	"ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1", "eu-central-1",
	"eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1",
	"me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1",
	"us-gov-west-1", "us-west-1", "us-west-2", "unknown",
}

// AthenaDDL returns the statements that declare an index copied to location
// (s3://bucket/prefix, holding events/ and refs/) as Athena tables, one
// statement per paragraph: Athena runs them one at a time.
//
// Partition projection spares crawlers and MSCK REPAIR: date is projected
// from 2013 (CloudTrail's start) to now, region over regions (default
// Regions), account over accounts when given; otherwise account is
// "injected", and a query of events must then name its accounts (account =
// '…' or account IN (…)). who-changed reads refs, which is not
// partitioned, and names them itself.
func AthenaDDL(location string, accounts, regions []string) string {
	location = strings.TrimSuffix(location, "/")
	if len(regions) == 0 {
		regions = Regions
	}
	account := "'projection.account.type' = 'injected'"
	if len(accounts) > 0 {
		account = "'projection.account.type' = 'enum',\n  'projection.account.values' = " + quote(strings.Join(accounts, ","))
	}
	var b strings.Builder
	b.WriteString("-- The baseline CloudTrail index on Athena. Copy the local index (trail ingest --index INDEX_DIR) first:\n")
	fmt.Fprintf(&b, "--   aws s3 sync INDEX_DIR %s/ --exclude 'manifest/*' --exclude '*.tmp'\n", location)
	b.WriteString("-- Run each statement on its own.\n\n")
	fmt.Fprintf(&b, "CREATE DATABASE IF NOT EXISTS %s;\n\n", AthenaDatabase)
	fmt.Fprintf(&b, "CREATE EXTERNAL TABLE IF NOT EXISTS %s.events (\n%s\n)\n", AthenaDatabase, athenaColumns(eventRow{}))
	b.WriteString("PARTITIONED BY (account string, region string, `date` string)\n")
	b.WriteString("STORED AS PARQUET\n")
	fmt.Fprintf(&b, "LOCATION %s\n", quote(location+"/"+eventsDir+"/"))
	b.WriteString("TBLPROPERTIES (\n")
	b.WriteString("  'projection.enabled' = 'true',\n")
	fmt.Fprintf(&b, "  %s,\n", account)
	b.WriteString("  'projection.region.type' = 'enum',\n")
	fmt.Fprintf(&b, "  'projection.region.values' = %s,\n", quote(strings.Join(regions, ",")))
	b.WriteString("  'projection.date.type' = 'date',\n")
	b.WriteString("  'projection.date.format' = 'yyyy-MM-dd',\n")
	b.WriteString("  'projection.date.range' = '2013-11-01,NOW',\n")
	b.WriteString("  'projection.date.interval' = '1',\n")
	b.WriteString("  'projection.date.interval.unit' = 'DAYS',\n")
	fmt.Fprintf(&b, "  'storage.location.template' = %s\n", quote(location+"/"+eventsDir+"/account=${account}/region=${region}/date=${date}/"))
	b.WriteString(");\n\n")
	fmt.Fprintf(&b, "CREATE EXTERNAL TABLE IF NOT EXISTS %s.refs (\n%s\n)\n", AthenaDatabase, athenaColumns(refRow{}))
	b.WriteString("STORED AS PARQUET\n")
	fmt.Fprintf(&b, "LOCATION %s;\n", quote(location+"/"+refsDir+"/"))
	return b.String()
}

// athenaColumns declares the columns of a row type as its parquet schema
// has them, so that the tables cannot drift from the files.
func athenaColumns(row any) string {
	var cols []string
	for _, f := range parquet.SchemaOf(row).Fields() {
		name := f.Name()
		if name == "date" {
			name = "`date`" // reserved in Athena's DDL
		}
		cols = append(cols, "  "+name+" "+athenaType(f))
	}
	return strings.Join(cols, ",\n")
}

func athenaType(n parquet.Node) string {
	if lt := n.Type().LogicalType(); lt != nil {
		switch lt.Value.(type) {
		case *format.TimestampType:
			return "timestamp"
		case *format.ListType:
			return "array<" + athenaType(n.Fields()[0].Fields()[0]) + ">"
		}
	}
	if n.Leaf() && n.Type().Kind() == parquet.Boolean {
		return "boolean"
	}
	return "string"
}
