package jsonscan

import (
	"strings"
	"testing"
)

func TestQuoteOrBackslash(t *testing.T) {
	for _, c := range []struct {
		s    string
		from int
		want int
	}{
		{`abc"def`, 0, 3},
		{`abcdefghijkl\"`, 0, 12},
		{`abcdefghijklmnop"`, 0, 16},
		{`"x"`, 1, 2},
		{`no quote here at all`, 0, 20},
		{``, 0, 0},
		{strings.Repeat("a", 31) + `\`, 3, 31},
	} {
		if got := QuoteOrBackslash([]byte(c.s), c.from); got != c.want {
			t.Errorf("QuoteOrBackslash(%q, %d) = %d, want %d", c.s, c.from, got, c.want)
		}
	}
}

func FuzzQuoteOrBackslash(f *testing.F) {
	f.Add([]byte(`{"a":"b\"c"}`), 0)
	f.Fuzz(func(t *testing.T, b []byte, from int) {
		if from < 0 || from > len(b) {
			return
		}
		want := len(b)
		for i := from; i < len(b); i++ {
			if b[i] == '"' || b[i] == '\\' {
				want = i
				break
			}
		}
		if got := QuoteOrBackslash(b, from); got != want {
			t.Fatalf("got %d, want %d", got, want)
		}
	})
}
