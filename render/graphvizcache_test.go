//go:build unix

package render

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/graphvizcache"
)

// cacheHelperEnv makes TestGraphvizCacheHelper act: it is the subprocess
// of TestGraphvizCacheIsPrivate.
const cacheHelperEnv = "NSGSIM_GRAPHVIZ_CACHE_HELPER"

// TestGraphvizCacheHelper lays out a graph and prints what the start-up
// left behind; it does nothing unless TestGraphvizCacheIsPrivate runs it.
func TestGraphvizCacheHelper(t *testing.T) {
	if os.Getenv(cacheHelperEnv) == "" {
		t.Skip("run by TestGraphvizCacheIsPrivate")
	}
	if _, err := layout([]byte("digraph { a -> b }"), "svg"); err != nil {
		fmt.Println("layout failed:", err)
		os.Exit(3)
	}
	dir, why := graphvizcache.Dir()
	tmp, had := os.LookupEnv("TMPDIR")
	fmt.Printf("TMPDIR=%q %v\ncache=%q\nwhy=%q\n", tmp, had, dir, why)
}

// TestGraphvizCacheIsPrivate starts nsgsim's renderer in a subprocess (go-graphviz
// compiles at start-up) with a cache directory planted where go-graphviz
// looks, $TMPDIR/go-graphviz, owned by another user (as root) and open to
// everyone, and checks that nothing is read from it or written to it:
// go-graphviz writes its compiled code into any cache directory it uses,
// so an untouched empty directory was not used. A private cache directory
// that is open to others or owned by someone else is not used either.
func TestGraphvizCacheIsPrivate(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles Graphviz in subprocesses (seconds each)")
	}
	root := os.Geteuid() == 0
	tests := []struct {
		name      string
		root      bool
		private   func(t *testing.T, nsgsimDir string) // plants the private cache directory, or nil
		wantCache bool                                 // whether the private directory holds the compiled code after
	}{
		{name: "fresh", wantCache: true},
		{name: "private directory open to others", private: func(t *testing.T, dir string) {
			mkdirMode(t, dir, 0o777)
		}},
		{name: "private directory readable by others", private: func(t *testing.T, dir string) {
			mkdirMode(t, dir, 0o755)
		}},
		{name: "private directory of another user", root: true, private: func(t *testing.T, dir string) {
			mkdirMode(t, dir, 0o700)
			if err := os.Lchown(dir, 4242, 4242); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.root && !root {
				t.Skip("giving a directory to another user needs root (CI runs as root)")
			}
			tmp := filepath.Join(t.TempDir(), "tmp")
			planted := filepath.Join(tmp, "go-graphviz")
			mkdirMode(t, tmp, 0o1777)
			mkdirMode(t, planted, 0o777)
			if root {
				if err := os.Lchown(planted, 4242, 4242); err != nil {
					t.Fatal(err)
				}
			}
			cache := filepath.Join(t.TempDir(), "cache")
			mkdirMode(t, cache, 0o700)
			nsgsimDir := filepath.Join(cache, "nsgsim")
			if tt.private != nil {
				tt.private(t, nsgsimDir)
			}

			cmd := exec.Command(os.Args[0], "-test.run=^TestGraphvizCacheHelper$", "-test.v")
			cmd.Env = append(os.Environ(), cacheHelperEnv+"=1", "TMPDIR="+tmp, "XDG_CACHE_HOME="+cache, "HOME="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("subprocess: %v\n%s", err, out)
			}
			if want := fmt.Sprintf("TMPDIR=%q true", tmp); !strings.Contains(string(out), want) {
				t.Errorf("TMPDIR after start-up: want %s in\n%s", want, out)
			}
			if entries, _ := os.ReadDir(planted); len(entries) > 0 {
				t.Errorf("go-graphviz used the planted %s: it holds %v", planted, entries)
			}
			var compiled []string
			filepath.WalkDir(nsgsimDir, func(p string, d os.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					compiled = append(compiled, p)
				}
				return nil
			})
			if tt.wantCache {
				if len(compiled) == 0 || !strings.Contains(string(out), fmt.Sprintf("cache=%q", nsgsimDir)) {
					t.Errorf("no compiled code cached in %s\n%s", nsgsimDir, out)
				}
			} else if len(compiled) > 0 || !strings.Contains(string(out), `cache=""`) {
				t.Errorf("go-graphviz cached in the unsafe %s: %v\n%s", nsgsimDir, compiled, out)
			}
		})
	}
}

func mkdirMode(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}
