package render

// This is the only file that uses go-graphviz: Graphviz compiled to
// WebAssembly and run by wazero, so nsgsim needs no Graphviz installed and no
// cgo.
//
// go-graphviz v0.2.10 compiles its WebAssembly to native code in a package
// init, so every nsgsim command pays for it at start-up, rendering or not:
// 0.4 to 1.6 s on a busy 2-core machine without a cache, 30 to 150 ms with
// one. It caches that native code in os.TempDir()/go-graphviz and reuses the
// directory whoever made it: on a shared machine another user could plant code there
// that nsgsim would run, and a directory root made first would make every
// other user's run panic. We keep the cache, because a second on every command
// is too much, but make it private: package internal/graphvizcache, whose
// init Go runs before go-graphviz's, points TMPDIR for go-graphviz's init at
// $XDG_CACHE_HOME/nsgsim, a directory made 0700 and checked to be the
// user's own, with nothing in it that anyone else owns or can write; when
// that cannot be had, at a path where no directory can exist, so that
// go-graphviz runs without a cache. This file's init then restores TMPDIR.
// A replace directive patching go-graphviz would be simpler but breaks
// `go install ...@version`; the end-to-end check is
// TestGraphvizCacheIsPrivate, which runs nsgsim's start-up in a subprocess.

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/goccy/go-graphviz"

	"github.com/nsgsim/nsgsim/internal/graphvizcache"
)

// go-graphviz has compiled Graphviz by now (its init ran before this
// package's): give TMPDIR back.
func init() { graphvizcache.Restore() }

var gv struct {
	once sync.Once
	g    *graphviz.Graphviz
	err  error
	mu   sync.Mutex // one WebAssembly instance: one layout at a time
}

// layout lays DOT text out with Graphviz's dot engine and renders it in a
// Graphviz output format: "svg", or "json" (every object with its xdot
// drawing operations, which readLayout reads, in layout_json.go).
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
