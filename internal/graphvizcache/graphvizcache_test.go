//go:build unix

package graphvizcache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// asRoot skips a test that needs to give a file to another user.
func asRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root (CI runs as root)")
	}
}

// otherUser is a user ID that owns nothing on the machine.
const otherUser = 4242

func TestPrivateDir(t *testing.T) {
	tests := []struct {
		name  string
		root  bool
		plant func(t *testing.T, base string)
		want  string // part of the error, "" for a usable directory
	}{
		{"fresh", false, func(*testing.T, string) {}, ""},
		{"already ours", false, func(t *testing.T, base string) {
			mkdir(t, filepath.Join(base, "nsgsim", "go-graphviz", "wazero-v1"), 0o700)
			write(t, filepath.Join(base, "nsgsim", "go-graphviz", "wazero-v1", "abc"), 0o600)
		}, ""},
		{"readable by others", false, func(t *testing.T, base string) {
			mkdir(t, filepath.Join(base, "nsgsim"), 0o755)
		}, "can be used by other users"},
		{"writable by others", false, func(t *testing.T, base string) {
			mkdir(t, filepath.Join(base, "nsgsim"), 0o777)
		}, "can be used by other users"},
		{"a link", false, func(t *testing.T, base string) {
			target := filepath.Join(t.TempDir(), "elsewhere")
			mkdir(t, target, 0o700)
			if err := os.Symlink(target, filepath.Join(base, "nsgsim")); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		{"a file writable by others", false, func(t *testing.T, base string) {
			mkdir(t, filepath.Join(base, "nsgsim", "go-graphviz", "wazero-v1"), 0o700)
			write(t, filepath.Join(base, "nsgsim", "go-graphviz", "wazero-v1", "abc"), 0o666)
		}, "can be used by other users"},
		{"parent writable by others", false, func(t *testing.T, base string) {
			if err := os.Chmod(base, 0o777); err != nil {
				t.Fatal(err)
			}
		}, "can be written by other users"},
		{"another user's directory", true, func(t *testing.T, base string) {
			mkdir(t, filepath.Join(base, "nsgsim"), 0o700)
			chown(t, filepath.Join(base, "nsgsim"))
		}, "belongs to another user"},
		{"another user's cache file", true, func(t *testing.T, base string) {
			dir := filepath.Join(base, "nsgsim", "go-graphviz", "wazero-v1")
			mkdir(t, dir, 0o700)
			write(t, filepath.Join(dir, "abc"), 0o600)
			chown(t, filepath.Join(dir, "abc"))
		}, "belongs to another user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.root {
				asRoot(t)
			}
			base := filepath.Join(t.TempDir(), "cache")
			mkdir(t, base, 0o700)
			tt.plant(t, base)
			t.Setenv("XDG_CACHE_HOME", base)
			t.Setenv("HOME", t.TempDir())
			dir, err := privateDir()
			if tt.want == "" {
				if err != nil || dir != filepath.Join(base, "nsgsim") {
					t.Fatalf("privateDir() = %q, %v, want %q", dir, err, filepath.Join(base, "nsgsim"))
				}
				fi, err := os.Stat(filepath.Join(dir, "go-graphviz"))
				if err != nil || fi.Mode().Perm() != 0o700 {
					t.Fatalf("go-graphviz directory: %v, %v; want mode 0700", fi, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("privateDir() = %q, %v; want an error saying %q", dir, err, tt.want)
			}
		})
	}
}

func mkdir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, file string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(file, []byte("planted"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(file, mode); err != nil {
		t.Fatal(err)
	}
}

func chown(t *testing.T, path string) {
	t.Helper()
	if err := os.Lchown(path, otherUser, otherUser); err != nil {
		t.Fatal(err)
	}
}
