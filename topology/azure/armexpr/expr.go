package armexpr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nsgsim/nsgsim/internal/jsonpos"
)

// Error is a value an expression could not give. It stands in the
// evaluated JSON where the value would be, and is reported only when the
// importer reads that value; its message names the JSON path and the
// expression.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// isExpression reports whether a JSON string is an ARM expression, and
// returns the text between the brackets. A string that starts with "[[" is
// the literal without its first bracket.
func isExpression(s string) (expr string, literal string, ok bool) {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		if s[1] == '[' {
			return "", s[1:], false
		}
		return s[1 : len(s)-1], "", true
	}
	return "", s, false
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tLParen
	tRParen
	tComma
	tDot
	tLBrack
	tRBrack
)

type token struct {
	kind tokKind
	text string
	num  int64
	pos  int
}

// punctuation are the one-byte tokens; tEOF for any other byte.
var punctuation = [256]tokKind{'(': tLParen, ')': tRParen, ',': tComma, '.': tDot, '[': tLBrack, ']': tRBrack}

// lexExpr splits an expression into tokens; positions count from base, so
// that messages give offsets into the JSON string as written.
func lexExpr(s string, base int) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case punctuation[c] != tEOF:
			toks = append(toks, token{kind: punctuation[c], pos: base + i})
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, fmt.Errorf("string starting at offset %d is not closed with '", base+i)
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			toks = append(toks, token{kind: tString, text: b.String(), pos: base + i})
			i = j + 1
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			n, err := strconv.ParseInt(s[i:j], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("number %q at offset %d is out of range", s[i:j], base+i)
			}
			toks = append(toks, token{kind: tNumber, num: n, text: s[i:j], pos: base + i})
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentPart(s[j]) {
				j++
			}
			toks = append(toks, token{kind: tIdent, text: s[i:j], pos: base + i})
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q at offset %d", c, base+i)
		}
	}
	toks = append(toks, token{kind: tEOF, pos: base + len(s)})
	return toks, nil
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '-' }

// The syntax tree of an expression.
type (
	exprNode interface{}
	callNode struct {
		name string // lower case; "namespace.member" for user-defined functions
		text string // as written
		args []exprNode
	}
	litNode    struct{ v any }
	memberNode struct {
		x    exprNode
		name string
	}
	indexNode struct{ x, idx exprNode }
)

type exprParser struct {
	toks  []token
	i     int
	depth int
}

// parseExpr parses the text of an expression (without its brackets);
// offsets in messages count from the opening bracket.
func parseExpr(s string) (exprNode, error) {
	toks, err := lexExpr(s, 1)
	if err != nil {
		return nil, err
	}
	p := &exprParser{toks: toks}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, fmt.Errorf("unexpected %s at offset %d after the end of the expression", p.describe(t), t.pos)
	}
	return e, nil
}

func (p *exprParser) peek() token { return p.toks[p.i] }

func (p *exprParser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *exprParser) describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tIdent:
		return fmt.Sprintf("%q", t.text)
	case tString:
		return fmt.Sprintf("string '%s'", t.text)
	case tNumber:
		return "number " + t.text
	}
	return `"` + map[tokKind]string{tLParen: "(", tRParen: ")", tComma: ",", tDot: ".", tLBrack: "[", tRBrack: "]"}[t.kind] + `"`
}

func (p *exprParser) expect(k tokKind, what string) (token, error) {
	t := p.next()
	if t.kind != k {
		return t, fmt.Errorf("expected %s at offset %d, found %s", what, t.pos, p.describe(t))
	}
	return t, nil
}

func (p *exprParser) expr() (exprNode, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 200 {
		return nil, fmt.Errorf("expression nested too deeply")
	}
	var x exprNode
	t := p.next()
	switch t.kind {
	case tString:
		x = litNode{t.text}
	case tNumber:
		x = litNode{t.num}
	case tIdent:
		name := t.text
		if p.peek().kind == tDot && p.i+2 < len(p.toks) && p.toks[p.i+1].kind == tIdent && p.toks[p.i+2].kind == tLParen {
			p.next()
			name += "." + p.next().text
		}
		if _, err := p.expect(tLParen, "( after function name "+name); err != nil {
			return nil, err
		}
		call := callNode{name: strings.ToLower(name), text: name}
		if p.peek().kind == tRParen {
			p.next()
		} else {
			for {
				arg, err := p.expr()
				if err != nil {
					return nil, err
				}
				call.args = append(call.args, arg)
				t := p.next()
				if t.kind == tRParen {
					break
				}
				if t.kind != tComma {
					return nil, fmt.Errorf("expected , or ) in the arguments of %s() at offset %d, found %s", name, t.pos, p.describe(t))
				}
			}
		}
		x = call
	default:
		return nil, fmt.Errorf("expected a function call, a string or a number at offset %d, found %s", t.pos, p.describe(t))
	}
	for {
		switch p.peek().kind {
		case tDot:
			p.next()
			t, err := p.expect(tIdent, "a property name after .")
			if err != nil {
				return nil, err
			}
			x = memberNode{x: x, name: t.text}
		case tLBrack:
			p.next()
			idx, err := p.expr()
			if err != nil {
				return nil, err
			}
			if _, err := p.expect(tRBrack, "]"); err != nil {
				return nil, err
			}
			x = indexNode{x: x, idx: idx}
		default:
			return x, nil
		}
	}
}

// Deployed is (part of) what reference() returns: the properties a
// template declares for a resource. Properties Azure sets at deployment are
// missing, and asking for one says so.
type Deployed struct {
	v    any    // map[string]any or []any
	what string // "reference('vnet1')" and the path read so far
}

// Unwrap returns the value a Deployed holds; any other value as it is.
func Unwrap(v any) any {
	if d, ok := v.(Deployed); ok {
		return d.v
	}
	return v
}

// Env is what an expression reads from the template it is written in: the
// deployment functions that depend on the template, its parameters,
// variables, user-defined functions and resources. package azure's
// template implements it.
type Env interface {
	// Parameter returns the value of parameters('name').
	Parameter(name string) (any, error)
	// Variable returns the value of variables('name').
	Variable(name string) (any, error)
	// CallUser calls a user-defined function, "namespace.member" in lower
	// case (text as written, for messages), with its arguments evaluated.
	CallUser(name, text string, args []any) (any, error)
	// Reference returns what reference() gives for its evaluated
	// arguments: a resource's properties, wrapped with WrapDeployed.
	Reference(args []any) (any, error)
	// Scope is the deployment the template is evaluated in.
	Scope() Scope
}

// Scope is where a template is deployed, as resourceGroup(),
// subscription() and deployment() return it.
type Scope struct {
	SubscriptionID, ResourceGroup, Location, TenantID string
	// TemplateURI is deployment().properties.templateLink.uri.
	TemplateURI string
}

// Evaluator holds what one import shares across all its expressions: the
// parsed expressions and the budgets. The zero value is not ready: use
// NewEvaluator.
type Evaluator struct {
	steps      int
	cells      int    // value budget spent (maxCells)
	overBudget *Error // the first evaluation that exceeded maxCells
	parsed     map[string]exprNode
}

// NewEvaluator returns an evaluator with fresh budgets.
func NewEvaluator() *Evaluator { return &Evaluator{parsed: map[string]exprNode{}} }

// Exhausted reports whether the step budget (MaxSteps) is spent.
func (ev *Evaluator) Exhausted() bool { return ev.steps > MaxSteps }

// OverBudget returns the first evaluation that exceeded the value budget,
// or nil.
func (ev *Evaluator) OverBudget() *Error { return ev.overBudget }

// Context returns a context that evaluates expressions in env.
func (ev *Evaluator) Context(env Env) *Context { return &Context{env: env, ev: ev} }

// Context is where an expression is evaluated: a template (its Env) and the
// copy loops, function arguments and lambda parameters around the
// expression.
type Context struct {
	env     Env
	ev      *Evaluator
	loops   map[string]int // copy loop name (lower case) to index
	resLoop int            // index of the enclosing resource copy loop
	inRes   bool
	fn      map[string]any // arguments of a user-defined function being evaluated
	lvars   map[string]any // parameters of the lambdas being evaluated
}

// Env is the template the context evaluates in.
func (c *Context) Env() Env { return c.env }

// WithArgs returns a context for the body of a user-defined function, where
// parameters('name') reads args (lower-case names).
func (c *Context) WithArgs(args map[string]any) *Context {
	n := *c
	n.fn = args
	return &n
}

// WithLoop returns a context inside copy loop name at index i; resource
// says whether it is a resource copy loop (copyIndex() without a name).
func (c *Context) WithLoop(name string, i int, resource bool) *Context {
	n := *c
	n.loops = make(map[string]int, len(c.loops)+1)
	for k, v := range c.loops {
		n.loops[k] = v
	}
	if name != "" {
		n.loops[strings.ToLower(name)] = i
	}
	if resource {
		n.resLoop, n.inRes = i, true
	}
	return &n
}

// MaxSteps bounds the work one import may spend on expressions.
const MaxSteps = 100_000

// walksArgs are the functions whose cost follows the whole size of their
// arguments (they print, compare or hash them); eval charges that size to
// the value budget before calling them.
var walksArgs = map[string]bool{
	"string": true, "equals": true, "contains": true, "union": true, "intersection": true,
	"indexof": true, "lastindexof": true, "uniquestring": true, "guid": true,
}

func (c *Context) eval(e exprNode) (any, error) {
	root := c.ev
	root.steps++
	if root.steps > MaxSteps {
		return nil, fmt.Errorf("evaluation takes too many steps; is there a loop?")
	}
	switch e := e.(type) {
	case litNode:
		return e.v, nil
	case memberNode:
		x, err := c.eval(e.x)
		if err != nil {
			return nil, err
		}
		return member(x, e.name)
	case indexNode:
		x, err := c.eval(e.x)
		if err != nil {
			return nil, err
		}
		idx, err := c.eval(e.idx)
		if err != nil {
			return nil, err
		}
		return index(x, Unwrap(idx))
	case callNode:
		switch e.name {
		case "if":
			return c.evalIf(e)
		case "and", "or":
			return c.evalAndOr(e)
		case "lambda":
			return c.evalLambda(e)
		}
		args := make([]any, len(e.args))
		for i, a := range e.args {
			v, err := c.eval(a)
			if err != nil {
				return nil, err
			}
			if ee, ok := v.(*Error); ok {
				return nil, ee
			}
			if e.name != "reference" {
				v = Unwrap(v)
			}
			args[i] = v
		}
		if strings.Contains(e.name, ".") {
			return c.env.CallUser(e.name, e.text, args)
		}
		f, ok := armFuncs[e.name]
		if !ok {
			if strings.HasPrefix(e.name, "list") {
				return nil, fmt.Errorf("%s() reads a deployed resource; its result is known only in Azure", e.text)
			}
			return nil, fmt.Errorf("unknown function %s()", e.text)
		}
		if walksArgs[e.name] {
			for _, a := range args {
				if err := c.chargeWalk(a); err != nil {
					return nil, err
				}
			}
		}
		v, err := f(c, args)
		switch r := v.(type) {
		case string:
			root.steps += len(r) / 256 // long strings cost more
		case []any:
			if err == nil {
				err = c.charge(len(r))
			}
		case map[string]any:
			if err == nil {
				err = c.charge(len(r))
			}
		}
		if err == nil && e.name == "json" {
			err = c.chargeWalk(v)
		}
		if err != nil {
			if _, ok := err.(*Error); ok {
				return nil, err
			}
			if strings.HasPrefix(strings.ToLower(err.Error()), e.name+"(") {
				return nil, err
			}
			return nil, fmt.Errorf("%s(): %v", e.text, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("bad expression")
}

func (c *Context) evalIf(e callNode) (any, error) {
	if len(e.args) != 3 {
		return nil, fmt.Errorf("if() expects 3 arguments, got %d", len(e.args))
	}
	cond, err := c.eval(e.args[0])
	if err != nil {
		return nil, err
	}
	b, ok := cond.(bool)
	if !ok {
		return nil, fmt.Errorf("if(): the condition is %s, expected a boolean", TypeName(cond))
	}
	// Only the branch taken is evaluated (template-functions-logical#if).
	if b {
		return c.eval(e.args[1])
	}
	return c.eval(e.args[2])
}

func (c *Context) evalAndOr(e callNode) (any, error) {
	if len(e.args) < 2 {
		return nil, fmt.Errorf("%s() expects at least 2 arguments, got %d", e.text, len(e.args))
	}
	isAnd := e.name == "and"
	for _, a := range e.args {
		v, err := c.eval(a)
		if err != nil {
			return nil, err
		}
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("%s(): argument is %s, expected a boolean", e.text, TypeName(v))
		}
		if b != isAnd {
			return b, nil
		}
	}
	return isAnd, nil
}

// member reads x.name; ARM property names are case-insensitive.
func member(x any, name string) (any, error) {
	switch x := x.(type) {
	case Deployed:
		v, ok := LookupKey(x.v, name)
		what := x.what + "." + name
		if !ok {
			return nil, fmt.Errorf("%s is not set in the template; Azure sets it when the resource is deployed, so nsgsim cannot know it", what)
		}
		return WrapDeployed(v, what)
	case map[string]any:
		v, ok := LookupKey(x, name)
		if !ok {
			return nil, fmt.Errorf("the object has no property %q", name)
		}
		if ee, ok := v.(*Error); ok {
			return nil, ee
		}
		return v, nil
	case *Error:
		return nil, x
	}
	return nil, fmt.Errorf("cannot read property %q of %s", name, TypeName(x))
}

// WrapDeployed wraps an object or array that reference() returns, read so
// far as what, so that a property it lacks is reported as known only in
// Azure.
func WrapDeployed(v any, what string) (any, error) {
	switch v := v.(type) {
	case *Error:
		return nil, v
	case map[string]any, []any:
		return Deployed{v: v, what: what}, nil
	}
	return v, nil
}

// LookupKey reads member name of an object, matched exactly or else
// case-insensitively (ARM property names are case-insensitive).
func LookupKey(x any, name string) (any, bool) {
	m, ok := x.(map[string]any)
	if !ok {
		return nil, false
	}
	if v, ok := m[name]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// index reads x[idx]: an array element or an object property.
func index(x any, idx any) (any, error) {
	if d, ok := x.(Deployed); ok {
		if s, ok := idx.(string); ok {
			return member(d, s)
		}
		v, err := index(d.v, idx)
		if err != nil {
			return nil, err
		}
		return WrapDeployed(v, fmt.Sprintf("%s[%v]", d.what, idx))
	}
	switch x := x.(type) {
	case []any:
		i, ok := idx.(int64)
		if !ok {
			return nil, fmt.Errorf("an array index must be a number, got %s", TypeName(idx))
		}
		if i < 0 || i >= int64(len(x)) {
			return nil, fmt.Errorf("index %d is out of range for an array of length %d", i, len(x))
		}
		if ee, ok := x[i].(*Error); ok {
			return nil, ee
		}
		return x[i], nil
	case map[string]any:
		s, ok := idx.(string)
		if !ok {
			return nil, fmt.Errorf("an object index must be a string, got %s", TypeName(idx))
		}
		return member(x, s)
	case *Error:
		return nil, x
	}
	return nil, fmt.Errorf("cannot index %s", TypeName(x))
}

// evalString evaluates a JSON string of a template: an expression, an
// escaped literal, or a plain string. A failure becomes an *Error value
// naming path and the expression.
func (c *Context) evalString(s, path string) any {
	text, lit, ok := isExpression(s)
	if !ok {
		return lit
	}
	root := c.ev
	fail := func(err error) any {
		ee, ok := err.(*Error)
		if !ok {
			ee = &Error{Msg: fmt.Sprintf("%s: cannot evaluate %q: %v", path, s, err)}
		}
		if root.cells > maxCells && root.overBudget == nil {
			root.overBudget = ee
		}
		return ee
	}
	e, ok := root.parsed[text]
	if !ok {
		var err error
		if e, err = parseExpr(text); err != nil {
			return fail(fmt.Errorf("syntax error: %v", err))
		}
		root.parsed[text] = e
	}
	v, err := c.eval(e)
	if err != nil {
		return fail(err)
	}
	return Unwrap(v)
}

// EvalTree evaluates every expression in a JSON value and expands property
// copy loops ("copy": [{"name", "count", "input"}],
// https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/copy-properties).
func (c *Context) EvalTree(v any, path string) any {
	root := c.ev
	root.steps++
	if root.steps > MaxSteps {
		return TooLong(path)
	}
	switch v := v.(type) {
	case string:
		return c.evalString(v, path)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			if root.steps > MaxSteps {
				return TooLong(path)
			}
			out[i] = c.EvalTree(x, fmt.Sprintf("%s[%d]", path, i))
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		var loops []any
		for k, x := range v {
			if root.steps > MaxSteps {
				return TooLong(path)
			}
			if strings.EqualFold(k, "copy") {
				if arr, ok := x.([]any); ok && IsPropertyCopy(arr) {
					loops = arr
					continue
				}
			}
			out[k] = c.EvalTree(x, JoinPath(path, k))
		}
		for i, l := range loops {
			lp := fmt.Sprintf("%s[%d]", JoinPath(path, "copy"), i)
			lm := l.(map[string]any)
			name, _ := lm["name"].(string)
			out[name] = c.CopyArray(lm, lp)
		}
		return out
	}
	return v
}

// IsPropertyCopy reports whether arr is a list of property copy loops
// ({"name", "count", "input"}).
func IsPropertyCopy(arr []any) bool {
	if len(arr) == 0 {
		return false
	}
	for _, l := range arr {
		m, ok := l.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := m["name"].(string); !ok {
			return false
		}
		if _, ok := m["input"]; !ok {
			return false
		}
	}
	return true
}

// maxCopy is ARM's limit on the count of a copy loop
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/copy-resources).
const maxCopy = 800

// CopyArray expands one property or variable copy loop into an array.
func (c *Context) CopyArray(loop map[string]any, path string) any {
	name, _ := loop["name"].(string)
	n, err := c.CopyCount(loop["count"], JoinPath(path, "count"))
	if err != nil {
		return err
	}
	out := make([]any, n)
	for i := range n {
		if c.ev.steps > MaxSteps {
			return TooLong(path)
		}
		out[i] = c.WithLoop(name, i, false).EvalTree(loop["input"], fmt.Sprintf("%s.input", path))
	}
	return out
}

// TooLong is the error of an import whose step budget is spent, at path.
func TooLong(path string) *Error {
	return &Error{Msg: path + ": evaluation takes too many steps; is there a loop, or are copy loops nested too deeply?"}
}

// CopyCount evaluates the count of a copy loop.
func (c *Context) CopyCount(raw any, path string) (int, *Error) {
	v := c.EvalTree(raw, path)
	if ee, ok := v.(*Error); ok {
		return 0, ee
	}
	n, ok := v.(int64)
	_, big := v.(jsonpos.BigInt)
	switch {
	case big || ok && (n < 0 || n > maxCopy):
		return 0, &Error{Msg: fmt.Sprintf("%s: copy count %s is out of range; expected a number from 0 to %d", path, Describe(v), maxCopy)}
	case !ok:
		return 0, &Error{Msg: fmt.Sprintf("%s: copy count is %s; expected a number from 0 to %d", path, Describe(v), maxCopy)}
	}
	return int(n), nil
}
