package cloudtrail

// Byte classes outside strings. Only JSON's structural bytes, whitespace and
// the characters of numbers and literals may appear; anything else is garbage.
const (
	clsBad uint8 = iota
	clsPlain
	clsQuote
	clsOpen
	clsClose
	clsComma // plain, but the splitter notes where records' members end
)

var class = func() (t [256]uint8) {
	for _, c := range []byte(" \t\r\n:-+.0123456789eEtrufalsn") {
		t[c] = clsPlain
	}
	t[','] = clsComma
	t['"'] = clsQuote
	t['{'], t['['] = clsOpen, clsOpen
	t['}'], t[']'] = clsClose, clsClose
	return t
}()
