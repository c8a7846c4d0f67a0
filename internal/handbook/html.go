package handbook

import (
	"bytes"
	_ "embed"
	"fmt"
	"html"
	"html/template"
	"strings"

	"github.com/secure-baseline/baseline/internal/report"
)

var (
	//go:embed assets/handbook.html.tmpl
	pageTemplate string
	//go:embed assets/handbook.js
	script string

	htmlPage = template.Must(template.New("handbook").Parse(pageTemplate))
)

// htmlData is what the page template fills in; Nav and Body are escaped
// as they are rendered.
type htmlData struct {
	Title, Meta string
	CSS         template.CSS
	JS          template.JS
	Nav, Body   template.HTML
}

// HTML renders the handbook as one self-contained page: the report's
// stylesheet, a navigation, every page as a section, and a search that runs
// in the browser. It fetches nothing.
func HTML(in Input) ([]byte, error) {
	d, err := build(in)
	if err != nil {
		return nil, err
	}
	var nav, body strings.Builder
	htmlNav(&nav, d.nav)
	for _, p := range d.pages {
		htmlSection(&body, p)
	}
	var buf bytes.Buffer
	err = htmlPage.Execute(&buf, htmlData{Title: handbookTitle, Meta: metaLine(in),
		CSS: template.CSS(report.Stylesheet()), JS: template.JS(script),
		Nav: template.HTML(nav.String()), Body: template.HTML(body.String())})
	return buf.Bytes(), err
}

func htmlNav(b *strings.Builder, items []navItem) {
	b.WriteString("<ul>")
	for _, it := range items {
		b.WriteString("<li>")
		label := html.EscapeString(it.title)
		if it.path != "" {
			label = `<a href="#` + html.EscapeString(it.path) + `">` + label + `</a>`
		}
		switch {
		case len(it.children) == 0:
			b.WriteString(label)
		case it.path == "":
			b.WriteString(label)
			htmlNav(b, it.children)
		default:
			// A page with many under it (the controls of a kind) folds them away.
			b.WriteString("<details><summary>" + label + "</summary>")
			htmlNav(b, it.children)
			b.WriteString("</details>")
		}
		b.WriteString("</li>")
	}
	b.WriteString("</ul>")
}

// htmlID is the element id of a link target: the page's path, or
// "path/anchor" for an anchor within it.
func htmlID(target string) string { return strings.Replace(target, "#", "/", 1) }

func htmlSection(b *strings.Builder, p *page) {
	fmt.Fprintf(b, "<section class=\"page\" id=\"%s\" data-title=\"%s\">\n<h2>%s</h2>\n",
		html.EscapeString(p.path), html.EscapeString(p.title), html.EscapeString(p.title))
	for _, bl := range p.body {
		switch bl := bl.(type) {
		case heading:
			// The page title is the section's h2: page headings move one level down.
			tag := fmt.Sprintf("h%d", bl.level+1)
			id := ""
			if bl.id != "" {
				id = ` id="` + html.EscapeString(htmlID(p.path+"#"+bl.id)) + `"`
			}
			fmt.Fprintf(b, "<%s%s>%s</%s>\n", tag, id, htmlInline(bl.text), tag)
		case para:
			class := ""
			if bl.note {
				class = ` class="note"`
			}
			fmt.Fprintf(b, "<p%s>%s</p>\n", class, htmlInline(bl.text))
		case list:
			b.WriteString("<ul>")
			for _, it := range bl.items {
				b.WriteString("<li>" + htmlInline(it) + "</li>")
			}
			b.WriteString("</ul>\n")
		case table:
			b.WriteString("<table><thead><tr>")
			for _, h := range bl.head {
				b.WriteString(`<th scope="col">` + html.EscapeString(h) + "</th>")
			}
			b.WriteString("</tr></thead><tbody>")
			for _, row := range bl.rows {
				b.WriteString("<tr>")
				for _, c := range row {
					b.WriteString("<td>" + htmlInline(c) + "</td>")
				}
				b.WriteString("</tr>")
			}
			b.WriteString("</tbody></table>\n")
		case code:
			b.WriteString("<pre><code>" + html.EscapeString(strings.TrimRight(bl.text, "\n")) + "</code></pre>\n")
		case figure:
			b.WriteString(`<figure class="diagram">` + bl.d.svg() + "</figure>\n")
		case tiles:
			b.WriteString(`<dl class="tiles">`)
			for _, t := range bl {
				fmt.Fprintf(b, `<div class="tile %s"><dt>%s</dt><dd id="%s">%d</dd></div>`,
					t.class, html.EscapeString(t.label), html.EscapeString(t.id), t.value)
			}
			b.WriteString("</dl>\n")
		default:
			panic(fmt.Sprintf("handbook: no HTML for %T", bl))
		}
	}
	b.WriteString("</section>\n")
}

func htmlInline(in inline) string {
	var b strings.Builder
	for _, sp := range in {
		switch sp.kind {
		case textSpan:
			b.WriteString(html.EscapeString(sp.text))
		case codeSpan:
			b.WriteString("<code>" + html.EscapeString(sp.text) + "</code>")
		case strongSpan:
			b.WriteString("<strong>" + htmlInline(sp.inner) + "</strong>")
		case statusSpan:
			b.WriteString(`<span class="chip ` + strings.ToLower(sp.text) + `">` + count(sp.n) + html.EscapeString(sp.text) + "</span>")
		case linkSpan:
			if isExternal(sp.target) {
				b.WriteString(`<a href="` + html.EscapeString(sp.target) + `" rel="noreferrer">` + htmlInline(sp.inner) + "</a>")
			} else {
				b.WriteString(`<a href="#` + html.EscapeString(htmlID(sp.target)) + `">` + htmlInline(sp.inner) + "</a>")
			}
		}
	}
	return b.String()
}

// count is "3 " before a status, or nothing.
func count(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d ", n)
}
