package cloudtrail

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/secure-baseline/baseline/internal/jsonscan"
)

const (
	defaultBufSize = 256 << 10
	// MaxRecordSize bounds the memory one record may take. CloudTrail caps an
	// event at 256 KB; anything far larger is corruption, not data.
	MaxRecordSize = 16 << 20
)

// Splitter streams the raw JSON of each CloudTrail record out of one log file.
// It accepts {"Records":[...]} (what CloudTrail writes), a bare array of
// records, and bare record objects, one after another, in any mix; gzip input
// is recognised by its magic bytes. Memory stays bounded by the largest record.
//
// The splitter checks structure (balanced brackets, terminated strings, only
// objects as records) but not full JSON grammar inside a record: [ParseRecord]
// and [Record.Fields] catch what is left.
//
// Use it like bufio.Scanner: the bytes returned by Next are valid only until
// the next call. A Splitter is reusable through Reset, which keeps its
// buffers; the zero Splitter is ready for Reset.
type Splitter struct {
	name string
	src  io.Reader
	br   *bufio.Reader
	gz   *gzip.Reader

	buf        []byte
	start      int   // first byte still needed (the record being scanned)
	pos        int   // scan position
	end        int   // end of valid data in buf
	base       int64 // stream offset of buf[0]
	readErr    error // sticky error from src, io.EOF included
	maxRecord  int
	stack      []byte  // open brackets of the record being scanned
	members    []int32 // offsets in the record of its top-level ',' and final '}'
	state      splitState
	wrapped    bool  // the current array is the value of "Records"
	lastRecord int64 // offset of the last record returned
	err        error // sticky result once the file is done or broken
}

type splitState uint8

const (
	stTop   splitState = iota // between top-level values
	stFirst                   // after '[': first element or ']'
	stNext                    // after an element: ',' or ']'
	stTail                    // after the Records array: '}'
)

// NewSplitter returns a Splitter reading r; name only labels errors.
func NewSplitter(r io.Reader, name string) *Splitter {
	s := new(Splitter)
	s.Reset(r, name)
	return s
}

// Reset makes s read r from the start, keeping its buffers.
func (s *Splitter) Reset(r io.Reader, name string) {
	if s.buf == nil {
		s.buf = make([]byte, defaultBufSize)
	}
	if s.maxRecord == 0 {
		s.maxRecord = MaxRecordSize
	}
	if s.br == nil {
		s.br = bufio.NewReaderSize(r, 64<<10)
	} else {
		s.br.Reset(r)
	}
	s.name = name
	s.src = s.br
	s.start, s.pos, s.end, s.base = 0, 0, 0, 0
	s.readErr, s.err = nil, nil
	s.state, s.wrapped, s.lastRecord = stTop, false, 0

	magic, err := s.br.Peek(2)
	if err != nil && err != io.EOF {
		s.err = s.errorf(0, "%w", err)
		return
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if s.gz == nil {
			s.gz, err = gzip.NewReader(s.br)
		} else {
			err = s.gz.Reset(s.br)
		}
		if err != nil {
			s.err = s.errorf(0, "gzip: %w", err)
			return
		}
		s.src = s.gz
	}
}

// Next returns the raw bytes of the next record, io.EOF after the last one, or
// a *FileError naming the file and the offset where the input went wrong.
func (s *Splitter) Next() ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	for {
		s.start = s.pos // nothing before pos is needed: the previous record is released
		c, err := s.peekNonSpace()
		if err == io.EOF && s.state == stTop {
			s.err = io.EOF
			return nil, io.EOF
		}
		if err != nil {
			return nil, s.fail(err)
		}
		switch s.state {
		case stTop:
			switch c {
			case '[':
				s.pos++
				s.state, s.wrapped = stFirst, false
			case '{':
				wrapper, err := s.recordsKey()
				if err != nil {
					return nil, s.fail(err)
				}
				if wrapper {
					s.state, s.wrapped = stFirst, true
					continue
				}
				return s.record()
			default:
				return nil, s.fail(fmt.Errorf("expected '{' or '[', found %q", c))
			}
		case stFirst:
			if c == ']' {
				s.pos++
				s.closeArray()
				continue
			}
			s.state = stNext
			return s.record()
		case stNext:
			switch c {
			case ',':
				s.pos++
				if _, err := s.peekNonSpace(); err != nil {
					return nil, s.fail(err)
				}
				return s.record()
			case ']':
				s.pos++
				s.closeArray()
			default:
				return nil, s.fail(fmt.Errorf("expected ',' or ']' after a record, found %q", c))
			}
		case stTail:
			if c != '}' {
				return nil, s.fail(fmt.Errorf("expected '}' after the Records array, found %q", c))
			}
			s.pos++
			s.state = stTop
		}
	}
}

// NextRecord returns the next record parsed, with Raw copied out of the
// splitter's buffer. It is faster than Next and ParseRecord: it reuses what the
// split learnt about the record's layout to jump over the values it does not
// need. A record that does not parse ends the file like corrupt input does.
func (s *Splitter) NextRecord() (*Record, error) {
	raw, err := s.Next()
	if err != nil {
		return nil, err
	}
	r, err := parseRecord(raw, s.members)
	if err != nil {
		s.err = &FileError{Name: s.name, Offset: s.lastRecord, Err: err}
		return nil, s.err
	}
	r.Raw = bytes.Clone(raw)
	return r, nil
}

// Offset returns how many bytes of (decompressed) JSON have been consumed.
func (s *Splitter) Offset() int64 { return s.base + int64(s.pos) }

// RecordOffset returns the offset of the record last returned by Next.
func (s *Splitter) RecordOffset() int64 { return s.lastRecord }

func (s *Splitter) closeArray() {
	if s.wrapped {
		s.state = stTail
	} else {
		s.state = stTop
	}
}

// recordsKey looks past the '{' at pos: if the object's first key is
// "Records" holding an array, it consumes up to and including the '[' and
// reports true; otherwise it leaves pos on the '{', which starts a record.
func (s *Splitter) recordsKey() (bool, error) {
	s.start = s.pos
	s.pos++
	want := []byte(`"Records"`)
	c, err := s.peekNonSpace()
	if err != nil || c != '"' {
		s.pos = s.start
		return false, nil // let record() report the problem with full context
	}
	if err := s.need(len(want)); err != nil {
		s.pos = s.start
		return false, nil
	}
	if !bytes.Equal(s.buf[s.pos:s.pos+len(want)], want) {
		s.pos = s.start
		return false, nil
	}
	s.pos += len(want)
	if c, err = s.peekNonSpace(); err != nil {
		return false, err
	}
	if c != ':' {
		return false, fmt.Errorf("expected ':' after \"Records\", found %q", c)
	}
	s.pos++
	if c, err = s.peekNonSpace(); err != nil {
		return false, err
	}
	if c != '[' {
		return false, fmt.Errorf("\"Records\" is not an array (found %q)", c)
	}
	s.pos++
	return true, nil
}

// record scans the object starting at pos and returns its bytes.
func (s *Splitter) record() ([]byte, error) {
	if s.buf[s.pos] != '{' {
		return nil, s.fail(fmt.Errorf("expected a record object, found %q", s.buf[s.pos]))
	}
	s.start = s.pos
	s.lastRecord = s.Offset()
	s.stack = s.stack[:0]
	s.members = s.members[:0]
	inString := false
	i := s.pos
	for {
		buf := s.buf[:s.end]
		for i < len(buf) {
			if inString {
				i = jsonscan.QuoteOrBackslash(buf, i)
				if i == len(buf) {
					break
				}
				if buf[i] == '\\' {
					if i+1 == len(buf) {
						break // the escaped byte is not read yet
					}
					i += 2
					continue
				}
				i++
				inString = false
				continue
			}
			switch class[buf[i]] {
			case clsPlain:
				i++
				for i < len(buf) && class[buf[i]] == clsPlain {
					i++
				}
			case clsQuote:
				inString = true
				i++
			case clsComma:
				if len(s.stack) == 1 {
					s.members = append(s.members, int32(i-s.start))
				}
				i++
			case clsOpen:
				s.stack = append(s.stack, buf[i])
				i++
			case clsClose:
				top := len(s.stack) - 1
				if top < 0 || s.stack[top] != openerOf(buf[i]) {
					s.pos = i
					return nil, s.fail(fmt.Errorf("mismatched %q in record starting at offset %d", buf[i], s.lastRecord))
				}
				s.stack = s.stack[:top]
				i++
				if top == 0 {
					s.members = append(s.members, int32(i-1-s.start))
					s.pos = i
					return buf[s.start:i], nil
				}
			default:
				s.pos = i
				return nil, s.fail(fmt.Errorf("invalid byte %q in record starting at offset %d", buf[i], s.lastRecord))
			}
		}
		s.pos = i
		if err := s.fill(); err != nil {
			if err == io.EOF {
				err = fmt.Errorf("unexpected end of data in record starting at offset %d", s.lastRecord)
			}
			return nil, s.fail(err)
		}
		i = s.pos
	}
}

func openerOf(c byte) byte {
	if c == '}' {
		return '{'
	}
	return '['
}

// peekNonSpace skips whitespace and returns the byte at pos without consuming it.
func (s *Splitter) peekNonSpace() (byte, error) {
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
				return c, nil
			}
			s.pos++
		}
		if err := s.fill(); err != nil {
			return 0, err
		}
	}
}

// need makes sure n bytes are buffered at pos.
func (s *Splitter) need(n int) error {
	for s.end-s.pos < n {
		if err := s.fill(); err != nil {
			return err
		}
	}
	return nil
}

// fill reads more input, first sliding the bytes still needed to the front
// of the buffer and growing it only when one record does not fit.
func (s *Splitter) fill() error {
	if s.readErr != nil {
		return s.readErr
	}
	if s.start > 0 {
		n := copy(s.buf, s.buf[s.start:s.end])
		s.base += int64(s.start)
		s.pos -= s.start
		s.end = n
		s.start = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.maxRecord {
			return fmt.Errorf("record starting at offset %d is larger than %d bytes", s.lastRecord, s.maxRecord)
		}
		grown := make([]byte, min(2*len(s.buf), s.maxRecord))
		copy(grown, s.buf[:s.end])
		s.buf = grown
	}
	for range 100 { // io.Reader may return 0, nil; do not spin forever
		n, err := s.src.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.readErr = err
			if n > 0 {
				return nil
			}
			return err
		}
		if n > 0 {
			return nil
		}
	}
	s.readErr = io.ErrNoProgress
	return s.readErr
}

func (s *Splitter) fail(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	s.err = s.errorf(s.Offset(), "%w", err)
	return s.err
}

func (s *Splitter) errorf(off int64, format string, args ...any) error {
	return &FileError{Name: s.name, Offset: off, Err: fmt.Errorf(format, args...)}
}

// FileError reports a file that could not be read completely. Records before
// Offset were delivered.
type FileError struct {
	Name string
	// Offset is the byte offset in the decompressed JSON where reading
	// stopped, or -1 when the file could not be opened or listed.
	Offset int64
	Err    error
}

func (e *FileError) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("%s: %v", e.Name, e.Err)
	}
	return fmt.Sprintf("%s: offset %d: %v", e.Name, e.Offset, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }
