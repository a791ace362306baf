package hostile

import (
	"strings"
	"unicode/utf8"
)

// MarkdownSkeleton reduces Markdown to its structure: escaped characters,
// plain text and code spans become "a" (runs collapsed), and the
// characters that Markdown reads as markup stay. An output whose hostile
// names are escaped has the skeleton of the same output with plain names;
// a code span left open shows as "?unclosed code span?".
func MarkdownSkeleton(md string) string {
	const markup = "|*[]()<>&:@!_~#$\\`"
	var b strings.Builder
	plain := func() {
		if !strings.HasSuffix(b.String(), "a") {
			b.WriteByte('a')
		}
	}
	for i := 0; i < len(md); {
		c := md[i]
		switch {
		case c == '\n':
			b.WriteByte('\n')
			i++
		case c == '\\' && i+1 < len(md):
			plain()
			i += 2
		case c == '`':
			n := 0
			for i+n < len(md) && md[i+n] == '`' {
				n++
			}
			fence := md[i : i+n]
			end := strings.Index(md[i+n:], fence)
			if end < 0 || strings.Contains(md[i+n:i+n+end], "\n") {
				b.WriteString("?unclosed code span?")
				i += n
				continue
			}
			plain() // inert text, like an escaped character
			i += n + end + n
		case strings.IndexByte(markup, c) >= 0:
			b.WriteByte(c)
			i++
		default:
			plain()
			_, size := utf8.DecodeRuneInString(md[i:])
			i += size
		}
	}
	return b.String()
}
