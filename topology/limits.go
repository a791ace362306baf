package topology

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Limits that make a hostile topology file fail fast instead of exhausting
// memory or time. A real topology is far below each of them.
const (
	// MaxFileSize is the largest topology file Load and Parse read: 32 MiB.
	MaxFileSize = 32 << 20
	// MaxNodes is the most YAML nodes a topology may have, counting the
	// nodes an alias stands for each time the alias is used, so that a
	// "billion laughs" document stops early.
	MaxNodes = 1_000_000
	// MaxDepth is the deepest nesting of mappings and lists read.
	MaxDepth = 100
)

// checkLimits walks the whole tree, following aliases, and stops at the
// first node past MaxNodes or MaxDepth. It runs before decoding so that the
// decoder never meets a cycle (an alias to its own ancestor) or an
// exponential expansion.
func checkLimits(file string, root *yaml.Node) *Error {
	l := limiter{file: file}
	l.walk(root, 1, nil)
	return l.err
}

type limiter struct {
	file  string
	nodes int
	err   *Error
}

// walk counts n and what it contains. via is the outermost alias on the
// path to n: a limit crossed inside an alias expansion is reported where the
// alias was used.
func (l *limiter) walk(n *yaml.Node, depth int, via *yaml.Node) bool {
	if n == nil {
		return true
	}
	at := n
	if via != nil {
		at = via
	}
	l.nodes++
	switch {
	case l.nodes > MaxNodes:
		l.err = &Error{Pos: Pos{File: l.file, Line: at.Line, Col: at.Column}, Msg: fmt.Sprintf(
			"more than %d YAML nodes once aliases are expanded; nsgsim reads topologies up to %d nodes", MaxNodes, MaxNodes)}
		return false
	case depth > MaxDepth:
		l.err = &Error{Pos: Pos{File: l.file, Line: at.Line, Col: at.Column}, Msg: fmt.Sprintf(
			"nested more than %d levels deep; nsgsim reads topologies up to %d levels", MaxDepth, MaxDepth)}
		return false
	}
	if n.Kind == yaml.AliasNode {
		if via == nil {
			via = n
		}
		return l.walk(n.Alias, depth+1, via)
	}
	for _, c := range n.Content {
		if !l.walk(c, depth+1, via) {
			return false
		}
	}
	return true
}
