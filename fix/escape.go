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
	escapeRunes(&b, s, func(r rune, raw, _ string) string {
		switch {
		case r == '\\':
			return `\\`
		case r == '\'':
			return `\'`
		case notUTF8(r, raw) || topology.UnsafeRune(r):
			var hex strings.Builder
			for _, c := range []byte(raw) {
				fmt.Fprintf(&hex, `\x%02x`, c)
			}
			return hex.String()
		}
		return raw
	})
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

// escapeRunes writes s to b rune by rune, each as escape returns it.
// escape is given the rune, the bytes it was read from, and the text that
// follows it; a byte that is not UTF-8 comes alone, as utf8.RuneError (see
// notUTF8). Every quoted form that fix writes is this loop over its own
// escape grammar.
func escapeRunes(b *strings.Builder, s string, escape func(r rune, raw, rest string) string) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteString(escape(r, s[i:i+size], s[i+size:]))
		i += size
	}
}

// notUTF8 reports whether escapeRunes read r from a byte that is not UTF-8
// rather than from an encoded U+FFFD.
func notUTF8(r rune, raw string) bool { return r == utf8.RuneError && len(raw) == 1 }

// backslashQuoted is s between quote characters, in the escapes that Bicep
// and HCL share: \\, the quote, \n, \r and \t. Every other rune is as
// other returns it (see escapeRunes).
func backslashQuoted(s string, quote byte, other func(r rune, raw, rest string) string) string {
	var b strings.Builder
	b.WriteByte(quote)
	escapeRunes(&b, s, func(r rune, raw, rest string) string {
		switch r {
		case '\\':
			return `\\`
		case rune(quote):
			return `\` + raw
		case '\n':
			return `\n`
		case '\r':
			return `\r`
		case '\t':
			return `\t`
		}
		return other(r, raw, rest)
	})
	b.WriteByte(quote)
	return b.String()
}

// bicepStr is a Bicep string literal. Bicep escapes \\, \', \n, \r, \t, \$
// (before "{", which would start an interpolation) and \u{X} for any code
// point (https://learn.microsoft.com/en-us/azure/azure-resource-manager/bicep/data-types#strings);
// every other unsafe rune is written as \u{X}.
func bicepStr(s string) string {
	return backslashQuoted(s, '\'', func(r rune, raw, rest string) string {
		switch {
		case r == '$' && strings.HasPrefix(rest, "{"):
			return `\$`
		case notUTF8(r, raw):
			return `\u{FFFD}` // Bicep strings are Unicode: an invalid byte has no code point
		case topology.UnsafeRune(r):
			return fmt.Sprintf(`\u{%X}`, r)
		}
		return raw
	})
}

// tfStr is an HCL quoted template that evaluates to s: \\, \", \n, \r, \t
// and \uNNNN/\UNNNNNNNN escapes, and "$${" and "%%{" for the literal
// sequences that would start an interpolation or a directive
// (https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md#template-expressions).
func tfStr(s string) string {
	return backslashQuoted(s, '"', func(r rune, raw, rest string) string {
		switch {
		case (r == '$' || r == '%') && strings.HasPrefix(rest, "{"):
			return raw + raw
		case notUTF8(r, raw):
			return `\uFFFD`
		case topology.UnsafeRune(r) && r > 0xffff:
			return fmt.Sprintf(`\U%08X`, r)
		case topology.UnsafeRune(r):
			return fmt.Sprintf(`\u%04X`, r)
		}
		return raw
	})
}

// plainSafe is a scalar that YAML reads back as the same string with no
// quotes: a word that starts with a letter and holds only characters that
// mean nothing to YAML (and is no boolean or null, checked apart), or an
// IPv4 address or prefix, which no YAML number looks like.
var plainSafe = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9._/-]*|[0-9]+(\.[0-9]+){3}(/[0-9]+)?)$`)

// yamlStr writes s as a YAML scalar that reads back as the string s: plain
// when that is safe, else double-quoted with YAML's escapes (\\, \", and
// \xXX or \uXXXX for every unsafe rune; U+FFFD, written as such or standing
// for a byte that is not UTF-8, as \uFFFD).
func yamlStr(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n":
	default:
		if plainSafe.MatchString(s) {
			return s
		}
	}
	var b strings.Builder
	b.WriteByte('"')
	escapeRunes(&b, s, func(r rune, raw, _ string) string {
		switch {
		case r == '\\':
			return `\\`
		case r == '"':
			return `\"`
		case r == utf8.RuneError:
			return `\uFFFD`
		case topology.UnsafeRune(r) && r < 0x100:
			return fmt.Sprintf(`\x%02X`, r)
		case topology.UnsafeRune(r):
			return fmt.Sprintf(`\u%04X`, r)
		}
		return raw
	})
	b.WriteByte('"')
	return b.String()
}
