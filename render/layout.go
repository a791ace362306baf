package render

// This is the only file that uses go-graphviz: Graphviz compiled to
// WebAssembly and run by wazero, so nsgsim needs no Graphviz installed and no
// cgo. The Graphviz instance is made on first use, never at start-up.

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/goccy/go-graphviz"
)

var gv struct {
	once sync.Once
	g    *graphviz.Graphviz
	err  error
	mu   sync.Mutex // one WebAssembly instance: one layout at a time
}

// layout lays DOT text out with Graphviz's dot engine and renders it in a
// Graphviz output format: "svg", or "json" (every object with its xdot
// drawing operations, which png.go paints).
func layout(dot []byte, format string) ([]byte, error) {
	gv.once.Do(func() {
		gv.g, gv.err = graphviz.New(context.Background())
	})
	if gv.err != nil {
		return nil, fmt.Errorf("starting Graphviz: %w", gv.err)
	}
	gv.mu.Lock()
	defer gv.mu.Unlock()
	g, err := graphviz.ParseBytes(dot)
	if err != nil {
		return nil, fmt.Errorf("graphviz: reading the DOT text: %w", err)
	}
	defer g.Close()
	var buf bytes.Buffer
	if err := gv.g.Render(context.Background(), g, graphviz.Format(format), &buf); err != nil {
		return nil, fmt.Errorf("graphviz: %s: %w", format, err)
	}
	return buf.Bytes(), nil
}
