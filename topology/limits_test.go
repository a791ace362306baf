package topology

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBudget(t *testing.T) {
	if got, want := DefaultBudget.Limits(), (Limits{TopologySize: 128 << 20, FileSize: 256 << 20, JSONValues: 8 << 20, Nodes: 1 << 20}); got != want {
		t.Errorf("DefaultBudget.Limits() = %+v, want %+v", got, want)
	}
	for in, want := range map[string]Budget{"4GiB": 4 << 30, "512M": 512 << 20, "3221225472": 3 << 30, "1 TiB": 1 << 40, "2G": 2 << 30} {
		if got, err := ParseBudget(in); err != nil || got != want {
			t.Errorf("ParseBudget(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1GiB", "4XB", "99999999999TiB"} {
		if _, err := ParseBudget(in); err == nil {
			t.Errorf("ParseBudget(%q) = nil error, want one", in)
		}
	}
	if err := SetBudget(MinBudget - 1); err == nil {
		t.Errorf("SetBudget(%v) = nil error, want one", MinBudget-1)
	}
	if got := fmt.Sprint(Budget(3 << 30)); got != "3 GiB" {
		t.Errorf("Budget(3 GiB).String() = %q", got)
	}
}

// TestBudgetRaisesTheFileLimit checks that a larger budget reads a file
// that the default refuses, and that the message names the flag.
func TestBudgetRaisesTheFileLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "topo.yaml")
	data := []byte("name: big\n" + strings.Repeat("# padding to pass the file limit of the smallest budget\n", int(MinBudget.Limits().TopologySize)/56+1))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	defer SetBudget(DefaultBudget)
	if err := SetBudget(MinBudget); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(ErrorText(err), "with its memory budget of 256 MiB (raise it with --memory-budget)") {
		t.Errorf("Load with budget %v = %v, want the file size refused", MinBudget, err)
	}
	if err := SetBudget(DefaultBudget); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Errorf("Load with budget %v = %v, want the file read", DefaultBudget, err)
	}
}
