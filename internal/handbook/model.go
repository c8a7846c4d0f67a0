package handbook

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// The handbook is built once as a document, pages of blocks of inline spans,
// then rendered twice: as MkDocs Markdown and as one HTML file. Both outputs
// carry the same content, and links are checked once, on the document.

// doc is the whole handbook.
type doc struct {
	pages []*page
	nav   []navItem
}

// page is one Markdown file of the site and one section of the HTML file.
type page struct {
	path  string // "controls/iam.root-mfa": docs/controls/iam.root-mfa.md, and the HTML section id
	title string
	body  []block
}

// navItem is an entry of the navigation: a page, a group of pages, or both.
type navItem struct {
	title    string
	path     string // "" for a group without a page of its own
	children []navItem
}

func (p *page) add(b ...block) { p.body = append(p.body, b...) }

// block is a paragraph-level element of a page.
type block interface{ isBlock() }

type (
	// heading is a section of a page. id, when set, is the anchor links
	// use ("page#id").
	heading struct {
		level int // 2 or 3; the page title is level 1
		id    string
		text  inline
	}
	para struct {
		text inline
		note bool // secondary text
	}
	list  struct{ items []inline }
	table struct {
		head []string
		rows [][]inline
	}
	code struct{ lang, text string }
	// figure is the account structure diagram: Mermaid in Markdown, SVG in HTML.
	figure struct{ d *diagram }
	// tiles are counts shown side by side; ids name them in the HTML so
	// that tests can read them.
	tiles []tile
	tile  struct {
		label string
		value int
		class string // a status class (pass, fail…) or ""
		id    string
	}
)

func (heading) isBlock() {}
func (para) isBlock()    {}
func (list) isBlock()    {}
func (table) isBlock()   {}
func (code) isBlock()    {}
func (figure) isBlock()  {}
func (tiles) isBlock()   {}

// inline is text with code, links, emphasis and status chips.
type inline []span

type spanKind int

const (
	textSpan spanKind = iota
	codeSpan
	linkSpan   // inner, to target
	strongSpan // inner
	statusSpan // a result status, with a count when n > 0: a chip in HTML
)

type span struct {
	kind   spanKind
	text   string
	target string // linkSpan: "page", "page#anchor" or an https URL
	inner  inline
	n      int // statusSpan: how many findings, 0 for none shown
}

func text(s string) inline    { return inline{{kind: textSpan, text: s}} }
func mono(s string) inline    { return inline{{kind: codeSpan, text: s}} }
func strong(in inline) inline { return inline{{kind: strongSpan, inner: in}} }
func link(target string, in inline) inline {
	return inline{{kind: linkSpan, target: target, inner: in}}
}
func status(s catalog.Status) inline { return statusCount(s, 0) }

// statusCount is n findings of status s: "3 FAIL".
func statusCount(s catalog.Status, n int) inline {
	return inline{{kind: statusSpan, text: string(s), n: n}}
}

// cat joins inline parts.
func cat(parts ...inline) inline {
	var out inline
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// textf formats plain text.
func textf(format string, args ...any) inline { return text(fmt.Sprintf(format, args...)) }

// joined separates parts with sep.
func joined(parts []inline, sep string) inline {
	var out inline
	for i, p := range parts {
		if i > 0 {
			out = append(out, text(sep)...)
		}
		out = append(out, p...)
	}
	return out
}

// controlPath is the page of a control.
func controlPath(id string) string { return "controls/" + id }

// controlLink links to a control's page, showing its id.
func controlLink(id string) inline { return link(controlPath(id), mono(id)) }

// md parses the little markup the handbook's own prose is written in:
// `code`, **strong**, [text](target) and [[control.id]], a link to a
// control's page. Text that comes from the catalog or the rules is never
// parsed: it goes through text() and is escaped by each renderer.
func md(s string) inline {
	var out inline
	plain := 0
	flush := func(end int) {
		if end > plain {
			out = append(out, span{kind: textSpan, text: s[plain:end]})
		}
	}
	for i := 0; i < len(s); {
		var sp inline
		n := 0
		switch {
		case s[i] == '`':
			if j := strings.IndexByte(s[i+1:], '`'); j >= 0 {
				sp, n = mono(s[i+1:i+1+j]), j+2
			}
		case strings.HasPrefix(s[i:], "**"):
			if j := strings.Index(s[i+2:], "**"); j >= 0 {
				sp, n = strong(md(s[i+2:i+2+j])), j+4
			}
		case strings.HasPrefix(s[i:], "[["):
			if j := strings.Index(s[i+2:], "]]"); j >= 0 {
				sp, n = controlLink(s[i+2:i+2+j]), j+4
			}
		case s[i] == '[':
			if j := strings.Index(s[i:], "]("); j >= 0 {
				if k := strings.IndexByte(s[i+j:], ')'); k >= 0 {
					sp, n = link(s[i+j+2:i+j+k], md(s[i+1:i+j])), j+k+1
				}
			}
		}
		if n == 0 {
			i++
			continue
		}
		flush(i)
		out = append(out, sp...)
		i += n
		plain = i
	}
	flush(len(s))
	return out
}

// links calls f with the target of every link of the page.
func (p *page) links(f func(target string)) {
	var walk func(inline)
	walk = func(in inline) {
		for _, sp := range in {
			if sp.kind == linkSpan {
				f(sp.target)
			}
			walk(sp.inner)
		}
	}
	for _, b := range p.body {
		switch b := b.(type) {
		case heading:
			walk(b.text)
		case para:
			walk(b.text)
		case list:
			for _, it := range b.items {
				walk(it)
			}
		case table:
			for _, r := range b.rows {
				for _, c := range r {
					walk(c)
				}
			}
		}
	}
}

// check returns the links of d that lead nowhere: to a page that is not in
// the handbook or an anchor that is not on its page.
func (d *doc) check() error {
	anchors := map[string]bool{}
	for _, p := range d.pages {
		anchors[p.path] = true
		for _, b := range p.body {
			if h, ok := b.(heading); ok && h.id != "" {
				anchors[p.path+"#"+h.id] = true
			}
		}
	}
	var broken []string
	for _, p := range d.pages {
		p.links(func(target string) {
			if !isExternal(target) && !anchors[target] {
				broken = append(broken, p.path+" → "+target)
			}
		})
	}
	if len(broken) > 0 {
		return fmt.Errorf("handbook: broken links: %s", strings.Join(broken, ", "))
	}
	return nil
}

func isExternal(target string) bool { return strings.HasPrefix(target, "https://") }
