package cloudtrail

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// splitAll runs a splitter to the end and returns copies of its records and
// the error that stopped it (nil at a clean end).
func splitAll(s *Splitter) ([][]byte, error) {
	var out [][]byte
	for {
		rec, err := s.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, bytes.Clone(rec))
	}
}

// tinySplitter has a buffer of a few bytes, so every code path that refills
// mid-token runs.
func tinySplitter(data []byte, bufSize int) *Splitter {
	s := &Splitter{maxRecord: MaxRecordSize, buf: make([]byte, bufSize)}
	s.Reset(bytes.NewReader(data), "tiny")
	return s
}

// oracleRecords is what encoding/json says the records of a file are.
func oracleRecords(t testing.TB, data []byte) []any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	var out []any
	for {
		var v any
		if err := dec.Decode(&v); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatalf("oracle: %v", err)
		}
		switch v := v.(type) {
		case []any:
			out = append(out, v...)
		case map[string]any:
			if recs, ok := v["Records"].([]any); ok {
				out = append(out, recs...)
			} else {
				out = append(out, v)
			}
		default:
			t.Fatalf("oracle: unexpected top-level %T", v)
		}
	}
}

func gzipBytes(data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		panic(err)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// checkSplit asserts that the splitter yields exactly the oracle's records.
func checkSplit(t *testing.T, name string, s *Splitter, want []any) {
	t.Helper()
	got, err := splitAll(s)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: got %d records, want %d", name, len(got), len(want))
	}
	for i, raw := range got {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: record %d is not JSON: %v", name, i, err)
		}
		if !reflect.DeepEqual(v, want[i]) {
			t.Fatalf("%s: record %d differs from encoding/json:\n got %s", name, i, raw)
		}
	}
}

func eventIDs(recs []any) []string {
	var ids []string
	for _, r := range recs {
		id, _ := r.(map[string]any)["eventID"].(string)
		ids = append(ids, id)
	}
	return ids
}

// TestSplitSamples: every real sample splits into the records encoding/json
// sees, plain and gzip, as stored and rewrapped as {"Records":[...]}, with
// big and tiny buffers.
func TestSplitSamples(t *testing.T) {
	total := 0
	for _, path := range sampleFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := oracleRecords(t, data)
		total += len(want)
		ids := eventIDs(want)
		name := filepath.Base(path)

		checkSplit(t, name, NewSplitter(bytes.NewReader(data), name), want)
		checkSplit(t, name+" gzip", NewSplitter(bytes.NewReader(gzipBytes(data)), name), want)

		recs, err := json.Marshal(append([]any{}, want...))
		if err != nil {
			t.Fatal(err)
		}
		wrapped := append(append([]byte(`{"Records":`), recs...), '}')
		checkSplit(t, name+" wrapped", NewSplitter(bytes.NewReader(wrapped), name), want)
		checkSplit(t, name+" wrapped tiny", tinySplitter(wrapped, 5), want)

		got, _ := splitAll(NewSplitter(bytes.NewReader(data), name))
		for i, raw := range got {
			var v struct{ EventID string }
			_ = json.Unmarshal(raw, &v)
			if v.EventID != ids[i] {
				t.Fatalf("%s: record %d eventID %q, want %q", name, i, v.EventID, ids[i])
			}
		}
	}
	if total < 850 {
		t.Fatalf("only %d records in the samples", total)
	}
}

const trickyRecords = `{"Records":[
 {"eventID":"a","s":"}{][","q":"say \"hi\" {","b":"ends with backslash \\","bq":"\\\"}","u":"\u007d\u005d","n":[1,-2.5e3,true,false,null,{"x":[]}]},
 {"eventID":"b","requestParameters":{"policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"}]}"}},
 {"eventID":"c","empty":{},"arr":[[],[[]],{}],"k\"}":"v"}
]}`

func TestSplitTrickyStrings(t *testing.T) {
	want := oracleRecords(t, []byte(trickyRecords))
	if len(want) != 3 {
		t.Fatalf("oracle found %d records", len(want))
	}
	checkSplit(t, "tricky", NewSplitter(strings.NewReader(trickyRecords), "tricky"), want)
	for size := 1; size <= 40; size++ {
		checkSplit(t, fmt.Sprintf("tricky buf=%d", size), tinySplitter([]byte(trickyRecords), size), want)
	}
}

func TestSplitForms(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ids      []string
	}{
		{"records", `{"Records":[{"eventID":"1"},{"eventID":"2"}]}`, []string{"1", "2"}},
		{"records spaced", " \n{ \"Records\" :\t[ {\"eventID\":\"1\"} ,\n{\"eventID\":\"2\"} ] }\n", []string{"1", "2"}},
		{"array", `[{"eventID":"1"},{"eventID":"2"}]`, []string{"1", "2"}},
		{"single object", `{"eventVersion":"1.08","eventID":"1"}`, []string{"1"}},
		{"concatenated", "{\"eventID\":\"1\"}\n{\"eventID\":\"2\"}\n[{\"eventID\":\"3\"}]", []string{"1", "2", "3"}},
		{"record whose first key is not Records", `{"eventID":"1","Records":[]}`, []string{"1"}},
		{"empty records", `{"Records":[]}`, nil},
		{"empty array", `[]`, nil},
		{"empty file", ``, nil},
		{"whitespace only", " \n\t ", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, data := range [][]byte{[]byte(tc.in), gzipBytes([]byte(tc.in))} {
				got, err := splitAll(NewSplitter(bytes.NewReader(data), tc.name))
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, raw := range got {
					var v struct{ EventID string }
					if err := json.Unmarshal(raw, &v); err != nil {
						t.Fatal(err)
					}
					ids = append(ids, v.EventID)
				}
				if !reflect.DeepEqual(ids, tc.ids) {
					t.Fatalf("ids %v, want %v", ids, tc.ids)
				}
			}
		})
	}
}

func TestSplitCorrupt(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		records  int    // delivered before the error
		offset   int64  // where the error is reported
		contains string // in the message
	}{
		{"non-object element", `[{"eventID":"1"}, 5]`, 1, 18, "expected a record object"},
		{"mismatched bracket", `{"Records":[{"a":[1}]}`, 0, 19, "mismatched"},
		{"garbage byte", "[{\"a\":1},{\"a\":\x01}]", 1, 14, "invalid byte"},
		{"records not an array", `{"Records":5}`, 0, 11, "not an array"},
		{"trailing garbage", `{"Records":[{"a":1}]} xyz`, 1, 22, "expected '{' or '['"},
		{"missing comma", `[{"a":1} {"a":2}]`, 1, 9, "expected ',' or ']'"},
		{"unterminated string", `[{"a":"abc`, 0, 10, "unexpected end of data"},
		{"unclosed records", `{"Records":[{"a":1}`, 1, 19, "unexpected EOF"},
		{"unclosed wrapper", `{"Records":[{"a":1}]`, 1, 20, "unexpected EOF"},
		{"stuff after records", `{"Records":[],"x":1}`, 0, 13, "expected '}' after the Records array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := splitAll(NewSplitter(strings.NewReader(tc.in), "bad.json"))
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want a *FileError", err)
			}
			if fe.Name != "bad.json" || fe.Offset != tc.offset || !strings.Contains(err.Error(), tc.contains) {
				t.Fatalf("error %q (offset %d), want offset %d and %q", err, fe.Offset, tc.offset, tc.contains)
			}
			if !strings.HasPrefix(err.Error(), fmt.Sprintf("bad.json: offset %d: ", tc.offset)) {
				t.Fatalf("error %q does not name the file and offset", err)
			}
			if len(got) != tc.records {
				t.Fatalf("%d records before the error, want %d", len(got), tc.records)
			}
		})
	}
}

// TestSplitTruncated cuts a real multi-record file at every few bytes: the
// records wholly before the cut are delivered, then an error with the offset.
func TestSplitTruncated(t *testing.T) {
	data := []byte(trickyRecords)
	s := NewSplitter(bytes.NewReader(data), "full")
	var ends []int64
	for {
		if _, err := s.Next(); err != nil {
			break
		}
		ends = append(ends, s.Offset())
	}
	for cut := 1; cut < len(data)-1; cut++ {
		got, err := splitAll(NewSplitter(bytes.NewReader(data[:cut]), "cut.json"))
		want := 0
		for _, e := range ends {
			if e <= int64(cut) {
				want++
			}
		}
		var fe *FileError
		if !errors.As(err, &fe) || fe.Name != "cut.json" || fe.Offset > int64(cut) {
			t.Fatalf("cut %d: error %v, want a *FileError at or before %d", cut, err, cut)
		}
		if len(got) != want {
			t.Fatalf("cut %d: %d records, want %d", cut, len(got), want)
		}
	}
}

func TestSplitTruncatedGzip(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	for i := range 5000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"eventID":"id-%d","pad":"%s"}`, i, strings.Repeat("x", i%97))
	}
	b.WriteString(`]}`)
	gz := gzipBytes([]byte(b.String()))
	got, err := splitAll(NewSplitter(bytes.NewReader(gz[:len(gz)/2]), "half.json.gz"))
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, io.ErrUnexpectedEOF) || fe.Offset <= 0 {
		t.Fatalf("error %v, want an unexpected EOF with an offset", err)
	}
	if len(got) == 0 || len(got) >= 5000 {
		t.Fatalf("%d records before the cut", len(got))
	}
	var last struct{ EventID string }
	if err := json.Unmarshal(got[len(got)-1], &last); err != nil || last.EventID != fmt.Sprintf("id-%d", len(got)-1) {
		t.Fatalf("last record %s is not the one expected", got[len(got)-1])
	}

	// A corrupt gzip header is reported at offset 0.
	_, err = splitAll(NewSplitter(bytes.NewReader([]byte{0x1f, 0x8b, 0, 0}), "hdr.json.gz"))
	if !errors.As(err, &fe) || fe.Offset != 0 {
		t.Fatalf("bad header: %v", err)
	}
}

func TestSplitRecordTooLarge(t *testing.T) {
	in := `[{"eventID":"1"},{"big":"` + strings.Repeat("x", 5000) + `"}]`
	s := &Splitter{maxRecord: 1024, buf: make([]byte, 256)}
	s.Reset(strings.NewReader(in), "big.json")
	got, err := splitAll(s)
	if len(got) != 1 || err == nil || !strings.Contains(err.Error(), "larger than 1024 bytes") {
		t.Fatalf("got %d records, error %v", len(got), err)
	}
	if len(s.buf) > 1024 {
		t.Fatalf("buffer grew to %d bytes past the limit", len(s.buf))
	}
}

// TestSplitBoundedMemory streams a file much larger than the buffer: the
// buffer must stay at its initial size.
func TestSplitBoundedMemory(t *testing.T) {
	const n = 200_000
	r := io.MultiReader(
		strings.NewReader(`{"Records":[`),
		&repeatReader{rec: []byte(`{"eventID":"x","requestParameters":{"a":"}]"}},`), n: n},
		strings.NewReader(`{"eventID":"last"}]}`),
	)
	s := NewSplitter(r, "huge")
	count := 0
	for {
		_, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	if count != n+1 {
		t.Fatalf("%d records, want %d", count, n+1)
	}
	if len(s.buf) != defaultBufSize {
		t.Fatalf("buffer grew to %d bytes", len(s.buf))
	}
}

type repeatReader struct {
	rec []byte
	n   int
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	written := 0
	for written < len(p) && r.n > 0 {
		c := copy(p[written:], r.rec[r.off:])
		written += c
		r.off += c
		if r.off == len(r.rec) {
			r.off = 0
			r.n--
		}
	}
	if written == 0 {
		return 0, io.EOF
	}
	return written, nil
}

func TestSplitterReuse(t *testing.T) {
	s := NewSplitter(strings.NewReader(`[{"eventID":"1"}`), "a")
	if _, err := splitAll(s); err == nil {
		t.Fatal("want an error for the truncated file")
	}
	s.Reset(bytes.NewReader(gzipBytes([]byte(`{"Records":[{"eventID":"2"}]}`))), "b")
	got, err := splitAll(s)
	if err != nil || len(got) != 1 || string(got[0]) != `{"eventID":"2"}` || s.RecordOffset() != 12 || s.Offset() != 29 {
		t.Fatalf("after Reset: %q, %v, record at %d, end at %d", got, err, s.RecordOffset(), s.Offset())
	}
	s.Reset(strings.NewReader(`{"eventID":"3"}`), "c")
	if got, err := splitAll(s); err != nil || len(got) != 1 {
		t.Fatalf("plain after gzip: %q, %v", got, err)
	}
}

// FuzzSplit: on valid JSON of an accepted shape the splitter agrees with
// encoding/json; on anything else it returns a *FileError, never panics.
func FuzzSplit(f *testing.F) {
	f.Add([]byte(trickyRecords))
	f.Add([]byte(`[{"a":"\\\""}]`))
	f.Add([]byte(`{"eventID":"1"} {"eventID":"2"}`))
	f.Add([]byte(`{"Records":[{"a":[{"b":"]"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := splitAll(tinySplitter(data, 3))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FileError", err)
			}
		}
		if err == nil && !validShape(data) {
			// The splitter does not check grammar inside records, but every
			// record it returns must at least be balanced.
			for _, r := range got {
				if r[0] != '{' || r[len(r)-1] != '}' {
					t.Fatalf("record %q", r)
				}
			}
			return
		}
		if validShape(data) {
			want := oracleRecords(t, data)
			if err != nil || len(got) != len(want) {
				t.Fatalf("got %d records (err %v), want %d", len(got), err, len(want))
			}
			for i := range got {
				var v any
				if json.Unmarshal(got[i], &v) != nil || !reflect.DeepEqual(v, want[i]) {
					t.Fatalf("record %d: %q", i, got[i])
				}
			}
		}
	})
}

// validShape reports whether data is a sequence of JSON values the splitter
// must accept: arrays of objects, {"Records":[objects]} with Records first
// and alone, or other objects.
func validShape(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var v json.RawMessage
		if err := dec.Decode(&v); err == io.EOF {
			return true
		} else if err != nil {
			return false
		}
		trimmed := bytes.TrimLeft(v, " \t\r\n")
		var elems []json.RawMessage
		switch {
		case len(trimmed) > 0 && trimmed[0] == '[':
			if json.Unmarshal(v, &elems) != nil {
				return false
			}
		case len(trimmed) > 0 && trimmed[0] == '{':
			var wrapper struct{ Records json.RawMessage }
			var keys map[string]json.RawMessage
			if json.Unmarshal(v, &keys) != nil {
				return false
			}
			first := bytes.TrimLeft(trimmed[1:], " \t\r\n")
			if !bytes.HasPrefix(first, []byte(`"Records"`)) {
				continue
			}
			if len(keys) != 1 || json.Unmarshal(v, &wrapper) != nil || !bytes.HasPrefix(wrapper.Records, []byte("[")) ||
				json.Unmarshal(wrapper.Records, &elems) != nil {
				return false
			}
		default:
			return false
		}
		for _, e := range elems {
			if bytes.TrimLeft(e, " \t\r\n")[0] != '{' {
				return false
			}
		}
	}
}
