package cloudtrail

import (
	"bytes"
	"io"
	"sync"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"
)

// benchCorpus is 24 generated log files of 1,000 records each, plain and gzip.
var benchCorpus = sync.OnceValue(func() (c struct {
	plain, gz [][]byte
	records   int
	bytes     int64
	raws      [][]byte
}) {
	g := newCorpusGen(1)
	for range 24 {
		f := g.file(1000)
		c.plain = append(c.plain, f)
		c.gz = append(c.gz, gzipBytes(f))
		c.records += 1000
		c.bytes += int64(len(f))
	}
	s := NewSplitter(bytes.NewReader(c.plain[0]), "corpus")
	c.raws, _ = splitAll(s)
	return c
})

func reportRecords(b *testing.B, records int) {
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkSplit measures splitting alone, from memory.
func BenchmarkSplit(b *testing.B) {
	c := benchCorpus()
	for _, form := range []struct {
		name  string
		files [][]byte
	}{{"plain", c.plain}, {"gzip", c.gz}} {
		b.Run(form.name, func(b *testing.B) {
			s := NewSplitter(bytes.NewReader(nil), "")
			b.SetBytes(c.bytes)
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for _, f := range form.files {
					s.Reset(bytes.NewReader(f), "bench")
					for {
						if _, err := s.Next(); err == io.EOF {
							break
						} else if err != nil {
							b.Fatal(err)
						}
						n++
					}
				}
				if n != c.records {
					b.Fatalf("%d records", n)
				}
			}
			reportRecords(b, c.records)
		})
	}
}

// goccyRecord is the alternative to the hand parser: goccy/go-json into a
// struct of the same fields.
type goccyRecord struct {
	EventID      string `json:"eventID"`
	EventTime    string `json:"eventTime"`
	EventName    string `json:"eventName"`
	EventSource  string `json:"eventSource"`
	EventType    string `json:"eventType"`
	AWSRegion    string `json:"awsRegion"`
	Recipient    string `json:"recipientAccountId"`
	SourceIP     string `json:"sourceIPAddress"`
	UserAgent    string `json:"userAgent"`
	ErrorCode    string `json:"errorCode"`
	ReadOnly     bool   `json:"readOnly"`
	UserIdentity struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		AccountID      string `json:"accountId"`
		AccessKeyID    string `json:"accessKeyId"`
		SessionContext struct {
			SessionIssuer struct {
				Type string `json:"type"`
				ARN  string `json:"arn"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
}

// BenchmarkParseRecord compares the hand parser with goccy/go-json.
func BenchmarkParseRecord(b *testing.B) {
	raws := benchCorpus().raws
	var size int64
	for _, r := range raws {
		size += int64(len(r))
	}
	b.Run("hand", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, raw := range raws {
				if _, err := ParseRecord(raw); err != nil {
					b.Fatal(err)
				}
			}
		}
		reportRecords(b, len(raws))
	})
	b.Run("goccy", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, raw := range raws {
				var r goccyRecord
				if err := gojson.Unmarshal(raw, &r); err != nil {
					b.Fatal(err)
				}
				if _, err := time.Parse(time.RFC3339, r.EventTime); err != nil {
					b.Fatal(err)
				}
			}
		}
		reportRecords(b, len(raws))
	})
}

// BenchmarkSplitParse is the per-core work of Read on one file: gunzip,
// split, parse, and copy Raw out of the splitter's buffer (NextRecord). The
// goccy variant does the same with goccy/go-json in place of the hand parser.
func BenchmarkSplitParse(b *testing.B) {
	c := benchCorpus()
	hand := func(s *Splitter) error {
		_, err := s.NextRecord()
		return err
	}
	goccy := func(s *Splitter) error {
		raw, err := s.Next()
		if err != nil {
			return err
		}
		var r goccyRecord
		if err := gojson.Unmarshal(raw, &r); err != nil {
			return err
		}
		t, err := time.Parse(time.RFC3339, r.EventTime)
		_ = &Record{EventID: r.EventID, EventTime: t, Raw: bytes.Clone(raw)}
		return err
	}
	for _, form := range []struct {
		name  string
		files [][]byte
		next  func(*Splitter) error
	}{{"plain", c.plain, hand}, {"gzip", c.gz, hand}, {"plain-goccy", c.plain, goccy}} {
		b.Run(form.name, func(b *testing.B) {
			s := NewSplitter(bytes.NewReader(nil), "")
			b.SetBytes(c.bytes)
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range form.files {
					s.Reset(bytes.NewReader(f), "bench")
					for {
						if err := form.next(s); err == io.EOF {
							break
						} else if err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			reportRecords(b, c.records)
		})
	}
}
