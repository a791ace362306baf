package armexpr

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/nsgsim/nsgsim/internal/jsonpos"
)

// Budgets bound the work and memory a template can ask for, so that a small
// hostile file fails fast with a positioned error instead of exhausting the
// machine:
//
//   - MaxSteps (expression evaluations and JSON nodes visited; long strings
//     count one step per 256 bytes) stops loops and deep copy nesting;
//   - maxString bounds each string a function builds;
//   - maxCells bounds the array elements and object members that functions
//     build or walk in one import (an array doubled in a loop of variables
//     reaches it after about twenty doublings; a value that shares itself,
//     createArray(v, v), is counted as large as it prints), so that no
//     function's cost can grow faster than what it is charged.
const maxCells = 1 << 21

// cellsExceeded is the message of an exhausted value budget.
const cellsExceeded = "ARM values grow beyond %d array elements and object members; is an array or object doubled in a loop of variables?"

// charge spends n cells of the value budget; it fails once the budget is
// spent, and the first failure is remembered with its JSON path.
func (c *Context) charge(n int) error {
	root := c.ev
	root.cells += n
	if root.cells > maxCells {
		return fmt.Errorf(cellsExceeded, maxCells)
	}
	return nil
}

// chargeWalk charges the nodes of v (every array element and object member,
// shared values counted each time they are reached), stopping as soon as the
// budget is spent: a function that walks v deeply (string(), equals(),
// union()) costs what it is charged.
func (c *Context) chargeWalk(v any) error {
	root := c.ev
	left := maxCells - root.cells
	n, ok := countCells(v, left)
	root.cells += n
	if !ok {
		root.cells = maxCells + 1
		return fmt.Errorf(cellsExceeded, maxCells)
	}
	return nil
}

// countCells counts the array elements and object members of v, up to
// limit; ok is false when v has more.
func countCells(v any, limit int) (n int, ok bool) {
	var walk func(v any) bool
	walk = func(v any) bool {
		var members []any
		switch v := Unwrap(v).(type) {
		case []any:
			members = v
		case map[string]any:
			n += len(v)
			if n > limit {
				return false
			}
			for _, x := range v {
				if !walk(x) {
					return false
				}
			}
			return true
		}
		n += len(members)
		if n > limit {
			return false
		}
		for _, x := range members {
			if !walk(x) {
				return false
			}
		}
		return true
	}
	ok = walk(v)
	return n, ok
}

// canonKey writes a key for v such that two values have the same key if, and
// only if, DeepEqual says they are equal: numbers by value, object members
// by lower-case name in order. union() and intersection() use it to find
// duplicates in linear time.
func canonKey(b *strings.Builder, v any) {
	switch v := Unwrap(v).(type) {
	case nil:
		b.WriteString("n")
	case bool:
		if v {
			b.WriteString("t")
		} else {
			b.WriteString("f")
		}
	case string:
		b.WriteString("s")
		b.WriteString(strconv.Quote(v))
	case int64:
		b.WriteString("#")
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		b.WriteString("#")
		if v == math.Trunc(v) && math.Abs(v) < 1<<63 {
			b.WriteString(strconv.FormatInt(int64(v), 10))
		} else {
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
	case jsonpos.BigInt:
		b.WriteString("b")
		b.WriteString(string(v))
	case []any:
		b.WriteString("[")
		for _, x := range v {
			canonKey(b, x)
			b.WriteString(",")
		}
		b.WriteString("]")
	case map[string]any:
		keys := make([]string, 0, len(v))
		lower := make(map[string]string, len(v))
		for k := range v {
			lk := strings.ToLower(k)
			keys = append(keys, lk)
			lower[lk] = k
		}
		sort.Strings(keys)
		b.WriteString("{")
		for _, k := range keys {
			b.WriteString(strconv.Quote(k))
			b.WriteString(":")
			canonKey(b, v[lower[k]])
			b.WriteString(",")
		}
		b.WriteString("}")
	default:
		fmt.Fprintf(b, "?%v", v)
	}
}

func keyOf(v any) string {
	var b strings.Builder
	canonKey(&b, v)
	return b.String()
}
