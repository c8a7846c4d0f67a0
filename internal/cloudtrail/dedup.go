package cloudtrail

import (
	"container/list"
	"hash/maphash"
	"math/bits"
	"sync"
	"time"
)

// DefaultDedupLimit is the number of eventIDs a Dedup remembers by default:
// about 300 MB at worst, 200–300 MB typically.
const DefaultDedupLimit = 10_000_000

const dedupStripes = 64

// Dedup drops repeated eventIDs. The same event reaches a run twice when an
// organization trail and an account trail both log it, when sources overlap,
// or when CloudTrail redelivers a file.
//
// It is exact: an eventID in canonical UUID form (all CloudTrail eventIDs) is
// stored as its 128 bits, any other as two independent 64-bit hashes (a false
// match needs a 128-bit collision). Each ID costs 16 bytes in an
// open-addressing table kept 53–80% full, so 20–30 bytes in all.
//
// Memory is bounded by a limit on the number of IDs. IDs are grouped by the
// hour of their eventTime (a duplicate has the same eventTime, so it meets
// its twin in the same group), and past the limit the least recently used
// hours are forgotten: a duplicate whose twin was forgotten goes through. Set
// the limit above the events of the time range read and dedup is exact; in a
// long-running stream the forgotten hours are the old ones. A Bloom filter in
// front would not save memory, since an exact answer still needs every ID.
//
// Dedup is safe for concurrent use: IDs are spread over 64 independently
// locked stripes.
type Dedup struct {
	perStripe int // 0: unbounded
	seeds     [2]maphash.Seed
	stripes   [dedupStripes]dedupStripe
}

type dedupStripe struct {
	mu    sync.Mutex
	hours map[int64]*list.Element // of *hourIDs
	lru   list.List               // front: most recently used
	n     int
}

type hourIDs struct {
	hour int64
	ids  idSet
}

// NewDedup returns a Dedup remembering at most limit IDs (0 or less: no
// limit).
func NewDedup(limit int) *Dedup {
	d := &Dedup{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
	if limit > 0 {
		d.perStripe = max(1, limit/dedupStripes)
	}
	for i := range d.stripes {
		d.stripes[i].hours = map[int64]*list.Element{}
	}
	return d
}

// Seen records id and reports whether it had been recorded already. t is the
// event's time. An empty id is never a duplicate.
func (d *Dedup) Seen(id string, t time.Time) bool {
	if id == "" {
		return false
	}
	k, ok := parseUUID(id)
	if !ok {
		k = id128{maphash.String(d.seeds[0], id), maphash.String(d.seeds[1], id)}
	}
	st := &d.stripes[k.lo%dedupStripes]
	hour := t.Unix() / 3600

	st.mu.Lock()
	defer st.mu.Unlock()
	e := st.hours[hour]
	if e == nil {
		e = st.lru.PushFront(&hourIDs{hour: hour})
		st.hours[hour] = e
	} else {
		st.lru.MoveToFront(e)
	}
	h := e.Value.(*hourIDs)
	if !h.ids.insert(k) {
		return true
	}
	st.n++
	for d.perStripe > 0 && st.n > d.perStripe {
		oldest := st.lru.Back()
		if oldest == e { // one hour alone is over the limit: start it afresh
			st.n -= h.ids.n - 1
			h.ids = idSet{}
			h.ids.insert(k)
			break
		}
		old := oldest.Value.(*hourIDs)
		st.n -= old.ids.n
		delete(st.hours, old.hour)
		st.lru.Remove(oldest)
	}
	return false
}

// Len returns the number of IDs remembered.
func (d *Dedup) Len() int {
	n := 0
	for i := range d.stripes {
		st := &d.stripes[i]
		st.mu.Lock()
		n += st.n
		st.mu.Unlock()
	}
	return n
}

type id128 struct{ hi, lo uint64 }

// parseUUID reads a canonical 8-4-4-4-12 hex UUID, in either case.
func parseUUID(s string) (id128, bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id128{}, false
	}
	hi, ok1 := hexBits(s[0:8])
	mid, ok2 := hexBits(s[9:13])
	ver, ok3 := hexBits(s[14:18])
	seq, ok4 := hexBits(s[19:23])
	node, ok5 := hexBits(s[24:36])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return id128{}, false
	}
	return id128{hi<<32 | mid<<16 | ver, seq<<48 | node}, true
}

// hexBits decodes up to 16 hex digits through a table: random hex digits
// make a branchy decoder mispredict on nearly every byte.
func hexBits(s string) (uint64, bool) {
	var v uint64
	var bad byte
	for i := 0; i < len(s); i++ {
		d := unhex[s[i]]
		bad |= d
		v = v<<4 | uint64(d&0xf)
	}
	return v, bad&0xf0 == 0
}

var unhex = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
		t[c-'a'+'A'] = byte(c - 'a' + 10)
	}
	return t
}()

// idSet is an open-addressing (linear probing) set of 128-bit keys. It grows
// by half when 80% full, so it stays 53–80% full; a Go map of [16]byte keys
// would use about twice the memory.
type idSet struct {
	slots   []id128 // the zero key marks an empty slot
	n       int
	hasZero bool
}

// insert adds k and reports whether it was absent.
func (s *idSet) insert(k id128) bool {
	if k == (id128{}) {
		if s.hasZero {
			return false
		}
		s.hasZero = true
		s.n++
		return true
	}
	if s.n >= len(s.slots)*4/5 {
		s.grow()
	}
	for i := s.home(k); ; {
		switch s.slots[i] {
		case id128{}:
			s.slots[i] = k
			s.n++
			return true
		case k:
			return false
		}
		if i++; i == len(s.slots) {
			i = 0
		}
	}
}

// home maps k onto the table with a multiply-shift, which works for any
// table size, so the table can grow by less than double.
func (s *idSet) home(k id128) int {
	i, _ := bits.Mul64((k.hi^k.lo)*0x9e3779b97f4a7c15, uint64(len(s.slots)))
	return int(i)
}

func (s *idSet) grow() {
	old := s.slots
	s.slots = make([]id128, max(8, len(old)*3/2))
	for _, k := range old {
		if k == (id128{}) {
			continue
		}
		i := s.home(k)
		for s.slots[i] != (id128{}) {
			if i++; i == len(s.slots) {
				i = 0
			}
		}
		s.slots[i] = k
	}
}
