package topotest

import (
	"os"
	"path/filepath"
	"testing"
)

// Golden compares got with the file at path; with NSGSIM_UPDATE set (as in
// NSGSIM_UPDATE=1 go test ./...) it writes got to path instead.
func Golden(t *testing.T, path, got string) {
	t.Helper()
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
		t.Errorf("%s differs from the golden file (NSGSIM_UPDATE=1 updates it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
