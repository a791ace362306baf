package azure

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

// readDir reads every *.json file of dir, keyed by file name.
func readDir(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no JSON files in %s: %v", dir, err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.ToSlash(p)] = data
	}
	return files
}
