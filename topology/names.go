package topology

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLength is the longest name, in characters, that nsgsim loads
// (SPEC 1.1). Azure's own limits are far lower (80 characters for most
// network resources); those are lint findings, because imports may lengthen
// names. This bound only keeps a hostile file from making every output
// carry a megabyte-long name.
const MaxNameLength = 1024

// UnsafeRune reports whether r must never reach an output raw: a control
// character (C0, DEL, C1), a line or paragraph separator (U+2028, U+2029),
// or a bidirectional-text control (U+061C, U+200E, U+200F, U+202A–U+202E,
// U+2066–U+2069). Each of these can end a comment or a code span, or make a
// terminal or an editor show text other than what is there
// (https://www.unicode.org/reports/tr9/#Directional_Formatting_Characters).
// The outputs escape such runes; a name that holds one is a load error.
func UnsafeRune(r rune) bool {
	switch {
	case unicode.IsControl(r), r == '\u2028', r == '\u2029':
		return true
	case r == '\u061c', r == '\u200e', r == '\u200f':
		return true
	case '\u202a' <= r && r <= '\u202e', '\u2066' <= r && r <= '\u2069':
		return true
	}
	return false
}

// EscapeUnsafe returns s with every unsafe rune (see UnsafeRune) and every
// byte that is not UTF-8 written as a visible escape: \x1b, \x0a,
// \u202e, \u2028. Text so escaped cannot end a line, a comment or a code
// span, repaint a terminal or reorder what a reader sees; the escape shows
// what was there. s comes back unchanged when it has nothing to escape.
func EscapeUnsafe(s string) string {
	if !HasUnsafe(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case UnsafeRune(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case UnsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// HasUnsafe reports whether s holds an unsafe rune or a byte that is not
// UTF-8.
func HasUnsafe(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || UnsafeRune(r) {
			return true
		}
		i += size
	}
	return false
}

// NameProblem says what makes s unusable as a name in a topology (SPEC
// 1.1), or returns "" when s is fine: an unsafe character (see UnsafeRune),
// invalid UTF-8, or more than MaxNameLength characters.
func NameProblem(s string) string {
	n := 0
	for i, r := range s {
		n++
		switch {
		case r == utf8.RuneError && !validAt(s, i):
			return fmt.Sprintf("holds a byte that is not UTF-8 at byte %d", i)
		case UnsafeRune(r):
			return fmt.Sprintf("holds %U (%s) at character %d; names may not hold control characters, line or paragraph separators or bidirectional-text controls", r, runeKind(r), n)
		}
	}
	if n > MaxNameLength {
		return fmt.Sprintf("is %d characters long; names are at most %d characters", n, MaxNameLength)
	}
	return ""
}

// validAt reports whether the U+FFFD decoded at s[i] was written as such,
// rather than standing for an invalid byte.
func validAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size == 3
}

func runeKind(r rune) string {
	switch {
	case r == '\u2028':
		return "line separator"
	case r == '\u2029':
		return "paragraph separator"
	case unicode.IsControl(r):
		return "a control character"
	}
	return "a bidirectional-text control"
}

// checkNames reports every name that NameProblem rejects: the topology's
// and those of every object, clients and flows included (SPEC 1.1), in the
// order of the file.
func (v *validator) checkNames() {
	t := v.t
	v.checkName(&t.Origin, textCtx("topology"), t.Name)
	for i, vn := range eachNamed(t.VirtualNetworks) {
		checkObjectName(v, vn, "virtual network", "virtualNetworks", i)
		checkNamesOf(v, vn.Subnets, "subnet", fmt.Sprintf("virtualNetworks[%d].subnets", i))
	}
	for i, g := range eachNamed(t.NetworkSecurityGroups) {
		checkObjectName(v, g, "network security group", "networkSecurityGroups", i)
		checkNamesOf(v, g.SecurityRules, "security rule", fmt.Sprintf("networkSecurityGroups[%d].securityRules", i))
	}
	checkNamesOf(v, t.ApplicationSecurityGroups, "application security group", "applicationSecurityGroups")
	checkNamesOf(v, t.VirtualMachines, "virtual machine", "virtualMachines")
	checkNamesOf(v, t.BastionHosts, "bastion host", "bastionHosts")
	checkNamesOf(v, t.Clients, "client", "clients")
	checkNamesOf(v, t.Flows, "flow", "flows")
}

// checkNamesOf checks the name of every object of xs, the list at key
// list in the file, whose objects messages call kind.
func checkNamesOf[E any, P namedObject[E]](v *validator, xs []P, kind, list string) {
	for i, x := range eachNamed(xs) {
		checkObjectName(v, x, kind, list, i)
	}
}

// checkObjectName checks the name of x, object i of list.
func checkObjectName[E any, P namedObject[E]](v *validator, x P, kind, list string, i int) {
	v.checkName(x.origin(), objCtx(kind, x.objectName(), list, i), x.objectName())
}

// checkName reports name, at o, when NameProblem rejects it.
func (v *validator) checkName(o *Origin, ctx msgCtx, name string) {
	if msg := NameProblem(name); msg != "" {
		v.errorf(v.at(o, "name"), ctx, "name %s", msg)
	}
}
