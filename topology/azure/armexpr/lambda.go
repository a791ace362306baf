package armexpr

import (
	"fmt"
	"sort"
	"strings"
)

// Lambda functions
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/template-functions-lambda):
// lambda('x', 'i', BODY) makes a function of its named parameters, which
// BODY reads with lambdaVariables('x'). filter, map, reduce, sort,
// toObject, groupBy and mapValues call it; map, filter and reduce pass the
// element's index as an optional last argument. Bicep compiles its lambdas
// (x => ...) to these.

// lambdaValue is what lambda() evaluates to: its body with the context it
// was written in.
type lambdaValue struct {
	params []string // lower case
	body   exprNode
	ctx    *Context
}

// maxLambdaParams is the most parameters a lambda takes (reduce's current,
// next and index).
const maxLambdaParams = 3

// evalLambda evaluates lambda('a', 'b', BODY) without evaluating BODY.
func (c *Context) evalLambda(e callNode) (any, error) {
	if len(e.args) < 2 || len(e.args) > maxLambdaParams+1 {
		return nil, fmt.Errorf("lambda() expects 1 to %d parameter names and a body, got %d arguments", maxLambdaParams, len(e.args))
	}
	l := lambdaValue{body: e.args[len(e.args)-1], ctx: c}
	for _, a := range e.args[:len(e.args)-1] {
		lit, ok := a.(litNode)
		name, isStr := lit.v.(string)
		if !ok || !isStr || name == "" {
			return nil, fmt.Errorf("lambda(): parameter names must be string literals")
		}
		l.params = append(l.params, strings.ToLower(name))
	}
	return l, nil
}

// call applies the lambda to args; extra arguments (an index the lambda
// does not name) are ignored.
func (l lambdaValue) call(args ...any) (any, error) {
	if len(args) < len(l.params) {
		return nil, fmt.Errorf("the lambda takes %d parameters, and is given %d", len(l.params), len(args))
	}
	c := *l.ctx
	c.lvars = make(map[string]any, len(l.ctx.lvars)+len(l.params))
	for k, v := range l.ctx.lvars {
		c.lvars[k] = v
	}
	for i, p := range l.params {
		c.lvars[p] = args[i]
	}
	v, err := c.eval(l.body)
	if err != nil {
		return nil, err
	}
	return Unwrap(v), nil
}

func fnLambdaVariables(c *Context, a []any) (any, error) {
	s, err := oneString(a)
	if err != nil {
		return nil, err
	}
	v, ok := c.lvars[strings.ToLower(s)]
	if !ok {
		return nil, fmt.Errorf("no enclosing lambda has a parameter %q", s)
	}
	return v, nil
}

// lambdaArgs checks the arguments of a lambda function: a collection
// (array or object, per wantObject) first and lambdas at the positions in
// lambdas.
func lambdaArg(a []any, i int) (lambdaValue, error) {
	l, ok := a[i].(lambdaValue)
	if !ok {
		return lambdaValue{}, fmt.Errorf("argument %d is %s; expected a lambda", i+1, TypeName(a[i]))
	}
	return l, nil
}

func arrayArg(a []any, i int) ([]any, error) {
	switch v := a[i].(type) {
	case []any:
		return v, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("argument %d is %s; expected an array", i+1, TypeName(a[i]))
}

// arrayAndLambda checks the arguments of a lambda function over an array:
// n arguments, the array first and the lambda at position li.
func arrayAndLambda(a []any, n, li int) ([]any, lambdaValue, error) {
	if err := arity(a, n, n); err != nil {
		return nil, lambdaValue{}, err
	}
	arr, err := arrayArg(a, 0)
	if err != nil {
		return nil, lambdaValue{}, err
	}
	l, err := lambdaArg(a, li)
	return arr, l, err
}

func fnMap(c *Context, a []any) (any, error) {
	arr, l, err := arrayAndLambda(a, 2, 1)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(arr))
	for i, x := range arr {
		if out[i], err = l.call(x, int64(i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func fnFilter(c *Context, a []any) (any, error) {
	arr, l, err := arrayAndLambda(a, 2, 1)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for i, x := range arr {
		keep, err := l.call(x, int64(i))
		if err != nil {
			return nil, err
		}
		b, ok := keep.(bool)
		if !ok {
			return nil, fmt.Errorf("the lambda returns %s for element %d; expected true or false", TypeName(keep), i)
		}
		if b {
			out = append(out, x)
		}
	}
	return out, nil
}

func fnReduce(c *Context, a []any) (any, error) {
	arr, l, err := arrayAndLambda(a, 3, 2)
	if err != nil {
		return nil, err
	}
	acc := a[1]
	for i, x := range arr {
		if acc, err = l.call(acc, x, int64(i)); err != nil {
			return nil, err
		}
		if err := c.charge(shallowSize(acc)); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

// shallowSize is the number of elements or members of v.
func shallowSize(v any) int {
	switch v := v.(type) {
	case []any:
		return len(v)
	case map[string]any:
		return len(v)
	}
	return 0
}

func fnSort(c *Context, a []any) (any, error) {
	arr, l, err := arrayAndLambda(a, 2, 1)
	if err != nil {
		return nil, err
	}
	out := append([]any{}, arr...)
	var first error
	sort.SliceStable(out, func(i, j int) bool {
		if first != nil {
			return false
		}
		v, err := l.call(out[i], out[j])
		if err != nil {
			first = err
			return false
		}
		b, ok := v.(bool)
		if !ok {
			first = fmt.Errorf("the lambda returns %s; expected true when its first argument sorts first", TypeName(v))
		}
		return b
	})
	return out, first
}

// keyOf applies a key lambda of toObject or groupBy to x; the key must be
// a string (or a scalar, printed).
func (l lambdaValue) keyOf(x any) (string, error) {
	k, err := l.call(x)
	if err != nil {
		return "", err
	}
	if s, ok := ScalarString(k); ok {
		return s, nil
	}
	return "", fmt.Errorf("the key lambda returns %s; expected a string", TypeName(k))
}

func fnToObject(c *Context, a []any) (any, error) {
	if err := arity(a, 2, 3); err != nil {
		return nil, err
	}
	arr, key, err := arrayAndLambda(a[:2], 2, 1)
	if err != nil {
		return nil, err
	}
	var val *lambdaValue
	if len(a) == 3 {
		l, err := lambdaArg(a, 2)
		if err != nil {
			return nil, err
		}
		val = &l
	}
	out := make(map[string]any, len(arr))
	for _, x := range arr {
		ks, err := key.keyOf(x)
		if err != nil {
			return nil, err
		}
		v := x
		if val != nil {
			if v, err = val.call(x); err != nil {
				return nil, err
			}
		}
		out[ks] = v
	}
	return out, nil
}

func fnGroupBy(c *Context, a []any) (any, error) {
	arr, key, err := arrayAndLambda(a, 2, 1)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, x := range arr {
		ks, err := key.keyOf(x)
		if err != nil {
			return nil, err
		}
		g, _ := out[ks].([]any)
		out[ks] = append(g, x)
	}
	return out, nil
}

func fnMapValues(c *Context, a []any) (any, error) {
	if err := arity(a, 2, 2); err != nil {
		return nil, err
	}
	m, ok := a[0].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("argument 1 is %s; expected an object", TypeName(a[0]))
	}
	l, err := lambdaArg(a, 1)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(m))
	for _, k := range SortedKeys(m) {
		if out[k], err = l.call(m[k]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
