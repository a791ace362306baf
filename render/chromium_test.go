package render

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	chromiumpkg "github.com/nsgsim/nsgsim/internal/chromium"
	"github.com/nsgsim/nsgsim/internal/simtest"
)

// chromium finds the headless browser (internal/chromium).
func chromium(t *testing.T) string { return chromiumpkg.Path(t) }

// runChromium loads the file at path in headless Chromium, with flags
// beside the ones every run takes, and returns what it printed: the DOM it
// built (--dump-dom) and its log.
func runChromium(t *testing.T, bin, path string, flags ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(),
	}
	args = append(append(args, flags...), "--dump-dom", "file://"+path)
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &log
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s --dump-dom %s: %v\n%s", bin, path, err, log.String())
	}
	return out.String(), log.String()
}

// loadInChromium opens a file in headless Chromium and returns the DOM it
// built and the console messages it logged.
func loadInChromium(t *testing.T, bin, path string) (dom string, console []string) {
	t.Helper()
	dom, log := runChromium(t, bin, path, "--enable-logging=stderr", "--v=0")
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") {
			console = append(console, line)
		}
	}
	return dom, console
}

// TestHTMLInChromium loads HTML reports in headless Chromium: each must
// render with no console message at all (no script error, nothing the
// Content-Security-Policy had to block). A control page first proves that
// console messages are seen.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()

	control := filepath.Join(dir, "control.html")
	if err := os.WriteFile(control, []byte(`<!DOCTYPE html><html><body><script>console.error("nsgsim-control")</script></body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, console := loadInChromium(t, bin, control); !strings.Contains(strings.Join(console, "\n"), "nsgsim-control") {
		t.Fatalf("the control page's console.error was not seen; console: %q", console)
	}

	pages := map[string][]byte{
		"reference": render(t, HTML, simtest.Scenario(t, "reference"), defaults),
		"largest":   render(t, HTML, simtest.Scenario(t, largest(t)), defaults),
		"hostile":   render(t, HTML, hostileReport(t), defaults),
	}
	for _, name := range []string{"reference", "largest", "hostile"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // Chromium mostly waits
			path := filepath.Join(dir, name+".html")
			if err := os.WriteFile(path, pages[name], 0o644); err != nil {
				t.Fatal(err)
			}
			dom, console := loadInChromium(t, bin, path)
			for _, line := range console {
				t.Errorf("console: %s", line)
			}
			for _, want := range []string{"<svg", `id="flows"`, `id="traces"`, `id="findings"`, "flow verdict-"} {
				if !strings.Contains(dom, want) {
					t.Errorf("the page Chromium built lacks %q", want)
				}
			}
			if strings.Contains(strings.ToLower(dom), "<script") {
				t.Errorf("the page Chromium built has a <script> element")
			}
		})
	}
}
