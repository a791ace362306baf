package terraform

import (
	"fmt"
	"strconv"
	"strings"
)

// addrStep is one "module.NAME[INDEX]" step of a module instance address.
type addrStep struct {
	name  string
	index any // nil, int64 or string
}

// resourceAddr is a parsed resource instance address,
// module.a["x"].azurerm_subnet.this[0]
// (https://developer.hashicorp.com/terraform/cli/state/resource-addressing).
type resourceAddr struct {
	modules []addrStep
	mode    string // "managed" or "data"
	typ     string
	name    string
	index   any
	hasIdx  bool
	rest    string // what follows in a reference: ".id"
}

// parseIndex reads the inside of [...]: a number or a quoted string.
func parseIndex(s string) (any, error) {
	if strings.HasPrefix(s, `"`) {
		v, err := strconv.Unquote(s)
		if err != nil {
			return nil, fmt.Errorf("bad index %s", s)
		}
		return v, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("bad index [%s]", s)
	}
	return n, nil
}

// cutIdent reads an identifier at the start of s.
func cutIdent(s string) (ident, rest string) {
	i := 0
	for i < len(s) {
		c := s[i]
		if c == '.' || c == '[' || c == ' ' {
			break
		}
		i++
	}
	return s[:i], s[i:]
}

// cutIndex reads "[...]" at the start of s, honouring quotes.
func cutIndex(s string) (inner, rest string, ok bool) {
	if !strings.HasPrefix(s, "[") {
		return "", s, false
	}
	inQuote := false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case c == ']' && !inQuote:
			return s[1:i], s[i+1:], true
		}
	}
	return "", s, false
}

// parseModuleSteps reads leading "module.NAME[IDX]." steps.
func parseModuleSteps(s string) ([]addrStep, string, error) {
	var steps []addrStep
	for strings.HasPrefix(s, "module.") {
		name, rest := cutIdent(s[len("module."):])
		if name == "" {
			return nil, s, fmt.Errorf("module name missing")
		}
		step := addrStep{name: name}
		if inner, r, ok := cutIndex(rest); ok {
			idx, err := parseIndex(inner)
			if err != nil {
				return nil, s, err
			}
			step.index, rest = idx, r
		}
		steps = append(steps, step)
		s = strings.TrimPrefix(rest, ".")
		if rest == "" {
			s = ""
		}
	}
	return steps, s, nil
}

// parseResourceAddr reads a resource address or a reference to a resource
// attribute ("azurerm_subnet.bastion.id").
func parseResourceAddr(s string) (resourceAddr, error) {
	var a resourceAddr
	mods, rest, err := parseModuleSteps(s)
	if err != nil {
		return a, err
	}
	a.modules = mods
	a.mode = "managed"
	if strings.HasPrefix(rest, "data.") {
		a.mode, rest = "data", rest[len("data."):]
	}
	typ, rest := cutIdent(rest)
	if typ == "" || !strings.HasPrefix(rest, ".") {
		return a, fmt.Errorf("%q is not a resource address TYPE.NAME", s)
	}
	name, rest := cutIdent(rest[1:])
	if name == "" {
		return a, fmt.Errorf("%q is not a resource address TYPE.NAME", s)
	}
	a.typ, a.name = typ, name
	if inner, r, ok := cutIndex(rest); ok {
		idx, err := parseIndex(inner)
		if err != nil {
			return a, err
		}
		a.index, a.hasIdx, rest = idx, true, r
	}
	a.rest = rest
	return a, nil
}

// moduleKey is a module instance address: "module.a[\"x\"].module.b".
func moduleKey(steps []addrStep) string {
	var b strings.Builder
	for i, s := range steps {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString("module.")
		b.WriteString(s.name)
		if s.index != nil {
			b.WriteString(indexString(s.index))
		}
	}
	return b.String()
}

func indexString(idx any) string {
	switch v := idx.(type) {
	case string:
		return "[" + strconv.Quote(v) + "]"
	case int64:
		return fmt.Sprintf("[%d]", v)
	}
	return ""
}

// sameIndex compares two instance keys.
func sameIndex(x, y any) bool {
	switch xv := x.(type) {
	case int64:
		yv, ok := y.(int64)
		return ok && xv == yv
	case string:
		yv, ok := y.(string)
		return ok && xv == yv
	case nil:
		return y == nil
	}
	return false
}
