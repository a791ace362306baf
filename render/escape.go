package render

import (
	"strings"
	"unicode/utf8"
)

// A textEscaper writes text for one medium that draws labels (DOT strings,
// Graphviz HTML-like labels, XML attributes, Mermaid labels). Each medium
// names what it writes for the characters it treats specially; every other
// control character (C0 and DEL), and U+FFFD, which also stands for a byte
// that is not UTF-8, is dropped: none of them prints, and XML 1.0, and so
// SVG and draw.io, cannot carry them. Any other rune is written as it is.
type textEscaper struct {
	ascii   [utf8.RuneSelf]string // what an ASCII rune is written as
	special [utf8.RuneSelf]bool   // whether ascii holds it
	other   map[rune]string       // what other special runes are written as
}

// newTextEscaper builds a textEscaper from what a medium writes for each
// of its special runes; "" drops the rune.
func newTextEscaper(special map[rune]string) *textEscaper {
	e := &textEscaper{other: make(map[rune]string)}
	for r, s := range special {
		if r < utf8.RuneSelf {
			e.ascii[r], e.special[r] = s, true
		} else {
			e.other[r] = s
		}
	}
	return e
}

// write writes s to sb, escaped.
func (e *textEscaper) write(sb *strings.Builder, s string) {
	for _, r := range s {
		if r < utf8.RuneSelf {
			switch {
			case e.special[r]:
				sb.WriteString(e.ascii[r])
			case r < 0x20 || r == 0x7f:
			default:
				sb.WriteByte(byte(r))
			}
			continue
		}
		if w, ok := e.other[r]; ok {
			sb.WriteString(w)
		} else if r != utf8.RuneError {
			sb.WriteRune(r)
		}
	}
}

// text returns s escaped.
func (e *textEscaper) text(s string) string {
	var sb strings.Builder
	e.write(&sb, s)
	return sb.String()
}

// quoted returns s escaped, between double quotes.
func (e *textEscaper) quoted(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	e.write(&sb, s)
	sb.WriteByte('"')
	return sb.String()
}

// The media. Each writes "&", "<" and ">" (or Mermaid's "#amp;"...) so
// that no name can open markup, and its own quote so that none can end the
// string or attribute it stands in.
var (
	// dotEscaper writes a DOT string's content: backslashes and quotes are
	// escaped; "&", "<" and ">" are entities, which Graphviz reads back in
	// labels and keeps in SVG attributes; a newline is a DOT line break.
	dotEscaper = newTextEscaper(map[rune]string{
		'\\': `\\`, '"': `\"`, '&': "&amp;", '<': "&lt;", '>': "&gt;", '\n': `\n`,
	})

	// htmlLabelEscaper writes text in a Graphviz HTML-like label; a newline
	// is a left-aligned line break.
	htmlLabelEscaper = newTextEscaper(map[rune]string{
		'&': "&amp;", '<': "&lt;", '>': "&gt;", '"': "&quot;", '\'': "&#39;", '\n': `<BR ALIGN="LEFT"/>`,
	})

	// xmlAttrEscaper writes an XML attribute value; a newline is kept as a
	// character reference (attribute normalisation would turn a raw one
	// into a space), and U+FFFE and U+FFFF, which XML 1.0 cannot carry,
	// are dropped.
	xmlAttrEscaper = newTextEscaper(map[rune]string{
		'&': "&amp;", '<': "&lt;", '>': "&gt;", '"': "&quot;", '\n': "&#10;", '\uFFFE': "", '\uFFFF': "",
	})

	// mermaidEscaper writes a quoted Mermaid label: characters that could
	// end the label or be read as markup are Mermaid entity codes, a
	// newline is a line break. "%" is escaped because "%%{" anywhere starts
	// a Mermaid directive, even in a label.
	mermaidEscaper = newTextEscaper(map[rune]string{
		'"': "#quot;", '<': "#lt;", '>': "#gt;", '&': "#amp;", '#': "#35;", '|': "#124;", '`': "#96;", '%': "#37;", '\n': "<br/>",
	})
)
