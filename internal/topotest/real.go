package topotest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// RealDir returns the directory of the real third-party inputs (templates,
// az output, Terraform plans), which live outside the repository:
// ../shared/fixtures/real from the module root. It does not check that the
// directory exists; ReadReal does.
func RealDir() string { return realDir() }

var realDir = sync.OnceValue(func() string {
	rel := filepath.Join("..", "shared", "fixtures", "real")
	dir, err := os.Getwd()
	if err != nil {
		return rel
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, rel)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return rel
		}
		dir = parent
	}
})

// ReadReal reads the file rel of RealDir. When the real inputs are not
// available it skips t, saying why.
func ReadReal(t testing.TB, rel string) []byte {
	t.Helper()
	dir := RealDir()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real fixtures not available (%s): %v", dir, err)
	}
	data, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
