package installcheck

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestInstallFromClone checks the README's install instructions from a
// clean clone of this repository's last commit: go.mod has no replace
// directive (which would break `go install ...@version`), `go install
// ./cmd/nsgsim` builds a binary that runs, and `make build VERSION=v`
// stamps the version it prints. The modules come from the module cache
// (GOPROXY=off, GOFLAGS=-mod=readonly): nothing is fetched.
//
// It needs git and the go command, and compiles nsgsim twice: it is
// skipped with -short.
func TestInstallFromClone(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles nsgsim from a clone; skipped with -short")
	}
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	goPath := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goPath); err != nil {
		if goPath, err = exec.LookPath("go"); err != nil {
			t.Skip("the go command is not installed")
		}
	}
	root, err := filepath.Abs("../../../..")
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command(gitPath, "-C", root, "rev-parse", "HEAD").Run(); err != nil {
		t.Skipf("%s is not a git checkout: %v", root, err)
	}
	tmp := t.TempDir()
	clone := filepath.Join(tmp, "nsgsim")
	run(t, "", gitPath, "clone", "--quiet", root, clone)

	gomod, err := os.ReadFile(filepath.Join(clone, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(gomod), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "replace") {
			t.Errorf("go.mod:%d: %s: a replace directive breaks go install ...@version", i+1, line)
		}
	}

	bin := filepath.Join(tmp, "bin")
	env := append(os.Environ(), "GOBIN="+bin, "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOWORK=off")
	goRun(t, clone, env, goPath, "install", "./cmd/nsgsim")
	nsgsim := filepath.Join(bin, "nsgsim")
	if runtime.GOOS == "windows" {
		nsgsim += ".exe"
	}
	if out := run(t, clone, nsgsim, "--version"); !strings.HasPrefix(out, "nsgsim ") {
		t.Errorf("nsgsim --version = %q, want nsgsim VERSION", out)
	}
	if out := run(t, clone, nsgsim, "scenarios"); !strings.Contains(out, "reference") {
		t.Errorf("nsgsim scenarios = %q, want the built-in scenarios", out)
	}

	makePath, err := exec.LookPath("make")
	if err != nil {
		t.Log("make is not installed: make build not tried")
		return
	}
	goRun(t, clone, append(env, "PATH="+filepath.Dir(goPath)+string(os.PathListSeparator)+os.Getenv("PATH")), makePath, "build", "VERSION=v9.9.9-test")
	if out := run(t, clone, filepath.Join(clone, "nsgsim"), "--version"); out != "nsgsim v9.9.9-test\n" {
		t.Errorf("make build VERSION=v9.9.9-test; nsgsim --version = %q, want %q", out, "nsgsim v9.9.9-test\n")
	}
}

// run runs a command in dir and returns its standard output, failing the
// test when it fails.
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	return goRun(t, dir, nil, name, args...)
}

// goRun is run with the environment env (nil: this process's).
func goRun(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}
