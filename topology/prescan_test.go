package topology

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// yamlNodes is the slow, obvious count that countNodes bounds: the nodes
// yaml.v3 builds from data, in every document, aliases not expanded and
// document nodes not counted. ok is false when yaml.v3 does not read data.
func yamlNodes(data []byte) (n int, ok bool) {
	defer func() {
		if recover() != nil {
			n, ok = 0, false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return n, true
		}
		if err != nil {
			return 0, false
		}
		for _, c := range doc.Content {
			n += treeNodes(c)
		}
	}
}

func treeNodes(n *yaml.Node) int {
	c := 1
	for _, k := range n.Content {
		c += treeNodes(k)
	}
	return c
}

// checkBound checks countNodes(data) against yamlNodes(data).
func checkBound(t *testing.T, name string, data []byte) {
	t.Helper()
	got, past := countNodes(data, DefaultBudget.Limits().Nodes)
	want, ok := yamlNodes(data)
	if !ok {
		t.Fatalf("%s: yaml.v3 does not read it", name)
	}
	if got > want || past.IsValid() {
		t.Errorf("%s: countNodes = %d (past %v), more than the %d nodes yaml.v3 makes", name, got, past, want)
	}
}

func TestCountNodes(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want int // countNodes; yaml.v3 makes at least as many
	}{
		{"empty", "", 0},
		{"comment", "# a: [b, c]\n", 0},
		{"scalar", "hello\n", 1},
		{"pair", "a: b\n", 2},
		{"pairs", "a: b\nc: d\n", 4},
		{"null-value", "a:\nb:\n", 3},
		{"block-list", "- a\n- b\n", 2},
		{"empty-entries", "-\n-\n-\n", 3},
		{"flow-list", "[a, b, c]\n", 4},
		{"flow-empties", "x: [[], [], []]\n", 5},
		{"flow-mapping", "{a: 1, b: 2}\n", 5},
		{"entry-flow", "- {}\n- {}\n", 2},
		{"nested-entries", "- - a\n", 2},
		{"plain-with-indicators", "a: b - c, [d] {e} 'f' #g\n", 2},
		{"plain-url", "a: http://x:80/y\n", 2},
		{"plain-hash", "a: b#c\n", 2},
		{"continued-plain", "a: b\n  - c\n  - d\n", 2},
		{"continued-root", "a\n- b\n", 1},
		{"continued-entry", "- a\n  - b\n- c\n", 2},
		{"single-quoted", "a: 'b: [c, d] # e'''\n", 2},
		{"double-quoted", "a: \"b\\\" [c, d]\\\n  - e\"\n", 2},
		{"quoted-lines", "- 'a\n  - b'\n", 1},
		{"literal", "a: |\n  - b\n  - [c, d]\nc: d\n", 4},
		{"folded-keep", "a: >+\n  b: c\n\n  d\ne: f\n", 4},
		{"literal-indent", "- |2\n   - a\n  - b\n- c\n", 2},
		{"literal-more-indented", "a:\n  |\n  - b\n", 2},
		{"literal-empty", "a: |\nb: [c]\n", 5},
		{"anchor-alias", "a: &x [b]\nc: *x\n", 5},
		{"tag", "a: !!str [b]\nc: !<tag:yaml.org,2002:seq> [d, e]\n", 7},
		{"tag-in-flow", "[!!str a, b]\n", 3},
		{"explicit-key", "? a\n: b\n", 2},
		{"flow-key", "[a, b]: c\n", 4},
		{"json", `{"a": [1, 2], "b": {"c": null}}`, 9},
		{"json-compact", `{"a":[1,2],"b":{"c":null}}`, 9},
		{"documents", "a\n---\nb\n...\n", 2},
		{"directive", "%YAML 1.2\n---\n[a, b]\n", 3},
		{"crlf", "a: b\r\nc:\r\n  - d\r\n", 5},
		{"multibyte", "ä: [ö, ü]\n", 4},
		{"tab-in-flow", "[a,\tb]\n", 3},
		{"byte-order-mark", "\ufeffa: b\n", 2},
		{"byte-order-mark-later", "a: b\n\ufeffc: d\n", 2},
		{"byte-order-mark-in-scalar", "a: 'x\ufeff'\nb: c\n", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, past := countNodes([]byte(tt.src), DefaultBudget.Limits().Nodes)
			if got != tt.want || past.IsValid() {
				t.Errorf("countNodes(%q) = %d, %v, want %d", tt.src, got, past, tt.want)
			}
			if n, ok := yamlNodes([]byte(tt.src)); ok && got > n {
				t.Errorf("countNodes(%q) = %d, more than the %d nodes yaml.v3 makes", tt.src, got, n)
			}
		})
	}
}

// TestCountNodesStops checks where the count passes its limit.
func TestCountNodesStops(t *testing.T) {
	tests := []struct {
		src   string
		limit int
		want  Pos
	}{
		{"a: [b, c, d]\n", 3, Pos{Line: 1, Col: 8}},
		{"- x\n- y\n- z\n", 2, Pos{Line: 3, Col: 1}},
		{"a:\n  b: [c, 'd', \"e\"]\n", 4, Pos{Line: 2, Col: 10}},
	}
	for _, tt := range tests {
		got, past := countNodes([]byte(tt.src), tt.limit)
		if got != tt.limit+1 || past != tt.want {
			t.Errorf("countNodes(%q, %d) = %d, %v, want %d, %v", tt.src, tt.limit, got, past, tt.limit+1, tt.want)
		}
	}
}

// TestCountNodesHostile checks that the inputs that took a minute to parse
// are counted past DefaultBudget.Limits().Nodes, quickly.
func TestCountNodesHostile(t *testing.T) {
	tests := []struct {
		name       string
		head, item string
	}{
		{"flow-lists", "x: [", "[],"},
		{"flow-mappings", "x: [", "{},"},
		{"flow-scalars", "x: [", "a,"},
		{"block-mappings", "", "- {}\n"},
		{"block-empties", "", "-\n"},
		{"block-pairs", "", "a: b\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.head + strings.Repeat(tt.item, (int(DefaultBudget.Limits().FileSize)-len(tt.head))/len(tt.item)))
			start := time.Now()
			n, past := countNodes(data, DefaultBudget.Limits().Nodes)
			if elapsed := time.Since(start); n != DefaultBudget.Limits().Nodes+1 || !past.IsValid() {
				t.Errorf("countNodes(%d bytes of %q) = %d, %v, want %d and a position", len(data), tt.item, n, past, DefaultBudget.Limits().Nodes+1)
			} else {
				t.Logf("stopped at %v in %v", past, elapsed)
			}
		})
	}
}

// TestCountNodesBelowParse checks the bound on the files nsgsim reads:
// the test topologies, and random topologies written by Marshal.
func TestCountNodesBelowParse(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkBound(t, f, data)
	}
	base, err := Load("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 200 {
		topo := randomVariant(r, base)
		data, err := Marshal(topo)
		if err != nil {
			t.Fatalf("Marshal(variant %d): %v", i, err)
		}
		checkBound(t, "variant", data)
	}
}

// randomVariant copies some of the objects of base, under new names, in a
// random order, so that Marshal writes lists of every length and mixes of
// flow and block styles.
func randomVariant(r *rand.Rand, base *Topology) *Topology {
	t := *base
	t.NetworkSecurityGroups = nil
	for range r.IntN(4) {
		for _, g := range base.NetworkSecurityGroups {
			g := *g
			g.SecurityRules = nil
			for _, rule := range base.NetworkSecurityGroups[0].SecurityRules {
				if r.IntN(2) == 0 {
					g.SecurityRules = append(g.SecurityRules, rule)
				}
			}
			t.NetworkSecurityGroups = append(t.NetworkSecurityGroups, &g)
		}
	}
	t.VirtualMachines = nil
	for _, vm := range base.VirtualMachines {
		if r.IntN(3) > 0 {
			t.VirtualMachines = append(t.VirtualMachines, vm)
		}
	}
	t.Flows = nil
	for _, f := range base.Flows {
		if r.IntN(2) == 0 {
			t.Flows = append(t.Flows, f)
		}
	}
	r.Shuffle(len(t.Flows), func(i, j int) { t.Flows[i], t.Flows[j] = t.Flows[j], t.Flows[i] })
	return &t
}

// FuzzCountNodes checks that countNodes never counts more nodes than
// yaml.v3 makes, whatever UTF-8 input.
func FuzzCountNodes(f *testing.F) {
	for _, s := range []string{
		"a: b\n", "- [a, {b: c}]\n", "a: |\n  - b\n", "a: 'b\n  - c'\n", "a: b\n  - c\n",
		"? [a]\n: &x b\nc: *x\n", "a: !t [b]\n", "- >-\n  b\n\n- c\n", "{\"a\":[1,2]}",
		"%YAML 1.2\n---\na\n...\n", "a:\r\n  - \"b\\\r\n  c\"\r\n", "- - - a\n  - b\n-\n",
	} {
		f.Add([]byte(s))
	}
	if data, err := os.ReadFile("testdata/valid.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("\xfe\xff")) // UTF-16, which checkEncoding refuses first
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) {
			return // refused by checkEncoding before countNodes
		}
		got, _ := countNodes(data, DefaultBudget.Limits().Nodes)
		if want, ok := yamlNodes(data); ok && got > want {
			t.Errorf("countNodes(%q) = %d, more than the %d nodes yaml.v3 makes", data, got, want)
		}
	})
}
