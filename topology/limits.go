package topology

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
)

// MaxDepth is the deepest nesting of mappings and lists read.
const MaxDepth = 100

// Budget is the memory, in bytes, that loading one input may use; the input
// limits follow from it (Limits), so that a real estate of a hundred
// megabytes loads while a hostile file fails fast with a positioned error
// instead of exhausting memory or time. DefaultBudget is 2 GiB; a command
// takes a larger one with its --memory-budget flag (SetBudget).
type Budget int64

// DefaultBudget is the memory budget of a load unless SetBudget changes it.
const DefaultBudget Budget = 2 << 30

// MinBudget is the smallest budget SetBudget accepts: 256 MiB.
const MinBudget Budget = 256 << 20

// Limits are the input limits that a Budget allows.
//
//   - TopologySize: a YAML topology is read whole, then parsed; the
//     topology built from it takes up to about thirteen times its size (a
//     rule of 200 bytes of YAML is a SecurityRule of some 1,200 bytes with
//     its positions, and evaluation needs as much again), so a YAML file may
//     be a sixteenth of the budget: 128 MiB of 2 GiB.
//   - FileSize: any other input (az, Resource Graph, ARM, Terraform JSON)
//     may be twice that, an eighth of the budget: 256 MiB of 2 GiB. JSON
//     says less per byte than YAML (an az export repeats every resource's
//     full ID), so the same estate is about 1.8 times the size: the
//     2,000-NSG, 400,000-rule, 50,000-VM estate is 104 MB of YAML and 188
//     MB of az JSON, and both load within the default budget. What a JSON
//     file costs once decoded follows its values, not its bytes (an empty
//     object is 3 bytes and a map of 48), so JSONValues bounds that.
//   - JSONValues: the values a JSON input may hold (every object, array,
//     string, number, true, false and null; keys are not values). Decoded,
//     a value costs about 90 bytes in an az export and at most about 100
//     anywhere (an empty object or array), so the decoded document takes at
//     most about a third of the budget at one value per 256 bytes:
//     8,388,608 values of 2 GiB, where the estate above has 6.3 million.
//     The values are counted before anything is decoded, so a hostile file
//     fails in the time of one pass over its bytes.
//   - Nodes: the YAML nodes of a file that the topology scanner does not
//     read (anchors and aliases, tags, block scalars) and that yaml.v3
//     parses whole into a tree first. yaml.v3 allocates about 500 bytes per
//     node, parser buffers included, and holds the whole tree, so the tree
//     may have a quarter of the budget at 512 bytes a node: 1,048,576 nodes
//     of 2 GiB. Aliases count each time they are used (a "billion laughs"
//     document stops early). The scanner needs no node limit: it decodes a
//     list item at a time and drops its nodes.
type Limits struct {
	TopologySize int64
	FileSize     int64
	JSONValues   int
	Nodes        int
}

// Limits returns the input limits of budget b.
func (b Budget) Limits() Limits {
	return Limits{
		TopologySize: int64(b) / 16,
		FileSize:     int64(b) / 8,
		JSONValues:   int(int64(b) / 256),
		Nodes:        int(int64(b) / 2048),
	}
}

// String formats b in MiB or GiB, as the messages print it.
func (b Budget) String() string { return byteSize(int64(b)) }

// byteSize formats n bytes as "128 MiB" or "2 GiB" when it is a whole
// number of those, and as bytes otherwise.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

var budget atomic.Int64

func init() { budget.Store(int64(DefaultBudget)) }

// SetBudget sets the memory budget of every later load, for a command's
// --memory-budget flag, and makes seven eighths of it the Go runtime's soft
// memory limit (debug.SetMemoryLimit; the rest is for what the runtime does
// not count, such as the program itself and thread stacks), so that the
// collector keeps the whole run within the budget rather than letting
// garbage grow to twice the live heap; a GOMEMLIMIT in the environment
// takes precedence. A budget under MinBudget is an error.
func SetBudget(b Budget) error {
	if b < MinBudget {
		return fmt.Errorf("memory budget %s is too small; expected at least %s", b, MinBudget)
	}
	budget.Store(int64(b))
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(b) / 8 * 7)
	}
	return nil
}

// Loading sets the collector for loading an input and returns what puts it
// back. A load keeps nearly everything it allocates (the topology, and the
// file its strings share) or drops it all at once at the end (a decoded
// JSON tree), so a collection while it grows finds little to free and
// only slows it. So the collector waits for the soft memory limit that
// SetBudget set, seven eighths of the budget: the whole simulate of the
// 2,000-NSG estate then takes 0.85 times as long from its az JSON and 0.88
// times from its YAML (medians of 5, paired, on 2 cores), for a higher
// peak where a load makes garbage (the 50,000-VM YAML estate peaks at 220
// MiB instead of 188 MiB, within the budget). Loading does so only when a limit is in
// force (a GOMEMLIMIT of "off" leaves the collector as it is) and GOGC is
// not set in the environment: either is the user's choice to keep.
func Loading() (restore func()) {
	limit := debug.SetMemoryLimit(-1)
	if limit == math.MaxInt64 || os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(-1)
	return func() { debug.SetGCPercent(old) }
}

// CurrentBudget is the memory budget of a load now: DefaultBudget unless
// SetBudget changed it.
func CurrentBudget() Budget { return Budget(budget.Load()) }

// ParseBudget reads a budget as a command line gives it: a number of bytes
// with an optional unit, KiB, MiB, GiB or TiB (or K, M, G, T, all powers of
// 1024): "4GiB", "512M", "3221225472".
func ParseBudget(s string) (Budget, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("memory budget %q: expected a size such as 4GiB, 512MiB or a number of bytes", s)
	}
	return Budget(n * mult), nil
}

// sizeMessage is the message for an input of size bytes ("123", "more than
// 123") over limit, the budget's size for what the input is ("YAML
// topologies", "JSON inputs").
func sizeMessage(size, what string, limit int64, b Budget) string {
	return fmt.Sprintf("file is %s bytes; nsgsim reads %s up to %s with its memory budget of %s (raise it with --memory-budget)",
		size, what, byteSize(limit), b)
}

// ValuesMessage is the message for a JSON input with more than max values,
// max being the budget's JSONValues.
func ValuesMessage(max int, b Budget) string {
	return fmt.Sprintf("more than %d JSON values; nsgsim reads JSON inputs of up to %d values (objects, arrays, strings, numbers and literals) with its memory budget of %s (raise it with --memory-budget)",
		max, max, b)
}

// checkLimits walks the whole tree, following aliases, and stops at the
// first node past the budget's node limit or MaxDepth. It runs before decoding so that the
// decoder never meets a cycle (an alias to its own ancestor) or an
// exponential expansion.
func checkLimits(file string, root *yaml.Node, maxNodes int) *Error {
	l := limiter{file: file, maxNodes: maxNodes}
	l.walk(root, 1, nil)
	return l.err
}

type limiter struct {
	file     string
	maxNodes int
	nodes    int
	err      *Error
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
	case l.nodes > l.maxNodes:
		l.err = &Error{Pos: Pos{File: l.file, Line: at.Line, Col: at.Column}, Msg: fmt.Sprintf(
			"more than %d YAML nodes once aliases are expanded; nsgsim reads topologies up to %d nodes", l.maxNodes, l.maxNodes)}
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
