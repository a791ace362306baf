package fix

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/nsgsim/nsgsim/topology"
)

// Every form that fix writes is meant to be read by a person and then run
// (a shell), deployed (Bicep, Terraform) or loaded (YAML). Names come from
// the user's topology, which a colleague or a pull request may have
// written: nothing in a name may end a comment, close a string or start an
// expansion. The loader refuses names with control characters (SPEC 1.1),
// but a topology built by an importer or by a program reaches fix too, so
// each form escapes what it prints, comments included.

// commentText makes s safe inside a line comment of any of the forms: the
// characters that could end the comment or hide text, and bytes that are
// not UTF-8, are written as visible escapes (topology.EscapeUnsafe).
func commentText(s string) string { return topology.EscapeUnsafe(s) }

// needsEscape reports whether s holds an unsafe rune or a byte that is not
// UTF-8.
func needsEscape(s string) bool { return topology.HasUnsafe(s) }

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9._/:,=@+-]+$`)

// shq quotes a word for a shell: bare when it is plainly safe; in single
// quotes, where nothing is special but the quote itself, otherwise; and,
// when it holds a control character or another unsafe rune, in bash's
// ANSI-C quotes ($'...') with those bytes written as \xHH, so that the
// script shows no raw control character and means exactly the word in any
// locale.
func shq(s string) string {
	switch {
	case shellSafe.MatchString(s):
		return s
	case !needsEscape(s):
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == utf8.RuneError && size == 1 || topology.UnsafeRune(r):
			for j := range size {
				fmt.Fprintf(&b, `\x%02x`, s[i+j])
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteString("'")
	return b.String()
}

func shqAll(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = shq(s)
	}
	return strings.Join(out, " ")
}

// bicepStr is a Bicep string literal. Bicep escapes \\, \', \n, \r, \t, \$
// (before "{", which would start an interpolation) and \u{X} for any code
// point (https://learn.microsoft.com/en-us/azure/azure-resource-manager/bicep/data-types#strings);
// every other unsafe rune is written as \u{X}.
func bicepStr(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\'':
			b.WriteString(`\'`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '$' && strings.HasPrefix(s[i+1:], "{"):
			b.WriteString(`\$`)
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\u{FFFD}`) // Bicep strings are Unicode: an invalid byte has no code point
		case topology.UnsafeRune(r):
			fmt.Fprintf(&b, `\u{%X}`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('\'')
	return b.String()
}

// tfStr is an HCL quoted template that evaluates to s: \\, \", \n, \r, \t
// and \uNNNN/\UNNNNNNNN escapes, and "$${" and "%%{" for the literal
// sequences that would start an interpolation or a directive
// (https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md#template-expressions).
func tfStr(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case (r == '$' || r == '%') && strings.HasPrefix(s[i+1:], "{"):
			b.WriteRune(r)
			b.WriteRune(r)
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\uFFFD`)
		case topology.UnsafeRune(r) && r > 0xffff:
			fmt.Fprintf(&b, `\U%08X`, r)
		case topology.UnsafeRune(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}
