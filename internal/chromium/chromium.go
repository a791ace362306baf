package chromium

import (
	"os"
	"os/exec"
	"testing"
)

// Path returns the browser's path. Without one the calling test is skipped
// on a user's machine, and fails in CI (CI=true), where it must be there.
func Path(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; .ci/run installs Debian's chromium package")
	}
	t.Skip("chromium is not installed (apt-get install chromium); CI runs this test")
	return ""
}
