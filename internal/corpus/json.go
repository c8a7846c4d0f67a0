package corpus

import "strconv"

// The generator writes JSON by appending bytes: encoding a map per event
// would make the corpus slower to build than to detect. Every member is
// written with a trailing comma, which end removes.

func key(b []byte, k string) []byte {
	b = append(b, '"')
	b = append(b, k...)
	return append(b, '"', ':')
}

// str writes "k":"v". Values are printable ASCII: only quotes and
// backslashes need escaping.
func str(b []byte, k, v string) []byte {
	b = key(b, k)
	b = append(b, '"')
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '"' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, v[i])
	}
	return append(b, '"', ',')
}

func boolean(b []byte, k string, v bool) []byte {
	b = key(b, k)
	b = strconv.AppendBool(b, v)
	return append(b, ',')
}

func num(b []byte, k string, v int) []byte {
	b = key(b, k)
	b = strconv.AppendInt(b, int64(v), 10)
	return append(b, ',')
}

func null(b []byte, k string) []byte {
	b = key(b, k)
	return append(b, "null,"...)
}

func open(b []byte, k string) []byte {
	b = key(b, k)
	return append(b, '{')
}

// end closes the object or array opened last, and adds the comma that
// follows it as a member.
func end(b []byte, c byte) []byte {
	if b[len(b)-1] == ',' {
		b[len(b)-1] = c
	} else {
		b = append(b, c)
	}
	return append(b, ',')
}
