package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// TestMemoryBudgetFlag: --memory-budget sets the budget the input limits
// follow, on every command that reads input; a bad size is a usage error.
func TestMemoryBudgetFlag(t *testing.T) {
	t.Cleanup(func() { _ = topology.SetBudget(topology.DefaultBudget) })
	path := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// 20 MiB, sparse: refused from its size under a 256 MiB budget (whose
	// file limit is 16 MiB), before a byte is read.
	if err := f.Truncate(20 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, args := range [][]string{
		{"simulate", path, "--memory-budget", "256MiB"},
		{"import", "az", path, "--memory-budget", "256MiB"},
	} {
		var stdout, stderr bytes.Buffer
		if code := Main(args, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "with its memory budget of 256 MiB") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"simulate", "--scenario", "reference", "--memory-budget", "lots"}, &stdout, &stderr); code != exitUsage ||
		!strings.Contains(stderr.String(), `memory budget "lots": expected a size such as 4GiB`) {
		t.Errorf("bad size: exit %d, stderr %q", code, stderr.String())
	}
}
