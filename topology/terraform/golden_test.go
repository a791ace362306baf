package terraform

import (
	"os"
	"path/filepath"
	"testing"
)

// checkGolden compares got with testdata/golden/NAME; NSGSIM_UPDATE=1
// rewrites the file.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if os.Getenv("NSGSIM_UPDATE") != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with NSGSIM_UPDATE=1 to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (NSGSIM_UPDATE=1 updates it)\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}
