//go:build linux

package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// Outputs are never devices (hostile-input issue, item 3): an existing
// character device or FIFO is written in place and stays what it was; a
// block device, a socket and a directory are refused; nothing is created in
// the device directory. The device nodes are made inside the test's own
// directory (CI runs as root: the real /dev is never touched).

func init() {
	// An output that is a block device, or a socket: refused, left as it was.
	generators["block-device-output"] = func(t testing.TB, dir string) {
		mknod(t, filepath.Join(dir, "disk.svg"), syscall.S_IFBLK, 7, 200) // a loop device number; never opened
	}
	// A Service Tags file that is a FIFO: it could be endless, so it is
	// refused before it is opened.
	generators["servicetags-fifo"] = func(t testing.TB, dir string) {
		if err := syscall.Mkfifo(filepath.Join(dir, "tags.json"), 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	generators["socket-output"] = func(t testing.TB, dir string) {
		l, err := net.Listen("unix", filepath.Join(dir, "out.svg"))
		if err != nil {
			t.Skipf("unix socket: %v", err)
		}
		t.Cleanup(func() { l.Close() })
	}
}

// mknod makes a device node, or skips the test where that is not allowed.
func mknod(t testing.TB, path string, mode uint32, major, minor int) {
	t.Helper()
	if err := syscall.Mknod(path, mode|0o666, major<<8|minor); err != nil {
		t.Skipf("mknod %s: %v (needs root)", path, err)
	}
}

// fileType is path's type bits, the link itself not followed.
func fileType(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Type()
}

// azVNet is `az network vnet list` output.
const azVNet = `[{"type": "Microsoft.Network/virtualNetworks", "name": "hub", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}]`

func TestOutputCharDevice(t *testing.T) {
	for _, args := range [][]string{
		{"render", "topo.yaml", "-o", "null.svg"},
		{"simulate", "topo.yaml", "-o", "null.svg"},
		{"fix", "topo.yaml", "-o", "null.svg"},
		{"gen", "--vms", "10", "-o", "null.svg"},
		{"import", "az", "vnet.json", "-o", "null.svg"},
		{"diff", "topo.yaml", "topo.yaml", "-o", "null.svg"},
	} {
		t.Run(args[0], func(t *testing.T) {
			dir := workdir(t, map[string]string{"topo.yaml": goodTopology, "vnet.json": azVNet})
			mknod(t, filepath.Join(dir, "null.svg"), syscall.S_IFCHR, 1, 3) // a null device, as /dev/null
			code, _, stderr := runCLI(t, args...)
			if code != exitOK {
				t.Fatalf("nsgsim %s = exit %d, want 0; stderr:\n%s", strings.Join(args, " "), code, stderr)
			}
			if got := fileType(t, "null.svg"); got != os.ModeDevice|os.ModeCharDevice {
				t.Errorf("nsgsim %s: null.svg is now %v, want the character device it was", strings.Join(args, " "), got)
			}
			if got := names(t, dir); !slices.Equal(got, []string{"null.svg", "topo.yaml", "vnet.json"}) {
				t.Errorf("directory holds %v, want what it held", got)
			}
		})
	}
}

func TestOutputFIFO(t *testing.T) {
	dir := workdir(t, map[string]string{"topo.yaml": goodTopology})
	if err := syscall.Mkfifo(filepath.Join(dir, "out.dot"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	read := make(chan string)
	go func() {
		f, err := os.Open(filepath.Join(dir, "out.dot"))
		if err != nil {
			read <- err.Error()
			return
		}
		data, _ := io.ReadAll(f)
		f.Close()
		read <- string(data)
	}()
	code, _, stderr := runCLI(t, "render", "topo.yaml", "-o", "out.dot")
	if code != exitOK {
		t.Fatalf("nsgsim render -o FIFO = exit %d, want 0; stderr:\n%s", code, stderr)
	}
	if got := <-read; !strings.Contains(got, "\ndigraph ") {
		t.Errorf("the FIFO's reader got %.100q, want the DOT diagram", got)
	}
	if got := fileType(t, "out.dot"); got != os.ModeNamedPipe {
		t.Errorf("out.dot is now %v, want the FIFO it was", got)
	}
	checkNoTemp(t, dir)
}

func TestOutputRefused(t *testing.T) {
	cases := []struct {
		name, want string
		make       func(t *testing.T, path string)
		typ        os.FileMode
	}{
		{"block-device", "it is a block device", func(t *testing.T, path string) {
			mknod(t, path, syscall.S_IFBLK, 7, 200) // a loop device number; never opened
		}, os.ModeDevice},
		{"socket", "it is a socket", func(t *testing.T, path string) {
			l, err := net.Listen("unix", path)
			if err != nil {
				t.Skipf("unix socket: %v", err)
			}
			t.Cleanup(func() { l.Close() })
		}, os.ModeSocket},
		{"directory", "it is a directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, os.ModeDir},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := workdir(t, map[string]string{"topo.yaml": goodTopology})
			c.make(t, filepath.Join(dir, "out.svg"))
			code, stdout, stderr := runCLI(t, "render", "topo.yaml", "-o", "out.svg")
			if code != exitUsage || !strings.Contains(stderr, c.want) {
				t.Errorf("nsgsim render -o %s = exit %d, stderr %q; want exit 2 and %q", c.name, code, stderr, c.want)
			}
			if stdout != "" {
				t.Errorf("wrote to standard output: %q", stdout)
			}
			if got := fileType(t, "out.svg"); got != c.typ {
				t.Errorf("out.svg is now %v, want %v", got, c.typ)
			}
			checkNoTemp(t, dir)
		})
	}
}

// TestOutputDeviceDir checks that nothing is created in the device
// directory (here a directory of the test's standing in for /dev) and that
// its character devices are written in place.
func TestOutputDeviceDir(t *testing.T) {
	dir := workdir(t, map[string]string{"topo.yaml": goodTopology})
	dev := filepath.Join(dir, "dev")
	if err := os.MkdirAll(filepath.Join(dev, "shm"), 0o755); err != nil {
		t.Fatal(err)
	}
	defer func(d string) { deviceDir = d }(deviceDir)
	deviceDir = dev
	if err := os.WriteFile(filepath.Join(dev, "shm", "old.svg"), []byte(precious), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("shm/old.svg", filepath.Join(dev, "link.svg")); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{"dev/new.svg", "dev/shm/new.svg", "dev/shm/old.svg", "dev/link.svg", filepath.Join(dev, "new.svg")} {
		code, _, stderr := runCLI(t, "render", "topo.yaml", "-o", out)
		if code != exitUsage || !strings.Contains(stderr, "holds devices") {
			t.Errorf("nsgsim render -o %s = exit %d, stderr %q; want exit 2, refused", out, code, stderr)
		}
	}
	if got := names(t, dev); !slices.Equal(got, []string{"link.svg", "shm"}) {
		t.Errorf("dev holds %v, want only what was there", got)
	}
	if got := names(t, filepath.Join(dev, "shm")); !slices.Equal(got, []string{"old.svg"}) {
		t.Errorf("dev/shm holds %v, want only old.svg", got)
	}
	if got := readString(t, filepath.Join(dev, "shm", "old.svg")); got != precious {
		t.Errorf("dev/shm/old.svg = %q, want it unchanged", got)
	}
	mknod(t, filepath.Join(dev, "null"), syscall.S_IFCHR, 1, 3)
	if code, _, stderr := runCLI(t, "fix", "topo.yaml", "-o", "dev/null"); code != exitOK {
		t.Errorf("nsgsim fix -o dev/null = exit %d, want 0; stderr:\n%s", code, stderr)
	}
	if got := fileType(t, filepath.Join(dev, "null")); got != os.ModeDevice|os.ModeCharDevice {
		t.Errorf("dev/null is now %v, want a character device", got)
	}
}

// TestOutputDescriptorAlias writes through /proc/self/fd/N, as -o
// /dev/stdout does when the shell redirected standard output to a file: the
// file is appended to in place, not replaced (the shell's descriptor must
// keep reaching it).
func TestOutputDescriptorAlias(t *testing.T) {
	dir := workdir(t, map[string]string{"topo.yaml": goodTopology})
	f, err := os.OpenFile(filepath.Join(dir, "out.yaml"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	alias := fmt.Sprintf("/proc/self/fd/%d", f.Fd())
	if _, err := os.Stat(alias); err != nil {
		t.Skipf("no /proc: %v", err)
	}
	code, _, stderr := runCLI(t, "fix", "topo.yaml", "-o", alias)
	if code != exitOK {
		t.Fatalf("nsgsim fix -o %s = exit %d, want 0; stderr:\n%s", alias, code, stderr)
	}
	_, want, _ := runCLI(t, "fix", "topo.yaml")
	if got := readString(t, filepath.Join(dir, "out.yaml")); got != want {
		t.Errorf("out.yaml = %.200q, want the fix", got)
	}
	after, err := os.Stat(filepath.Join(dir, "out.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Error("out.yaml was replaced; the open descriptor no longer reaches it")
	}
	checkNoTemp(t, dir)
}

// TestOutputMode checks that a replaced output keeps its mode and a new one
// gets 0666 less the umask.
func TestOutputMode(t *testing.T) {
	dir := workdir(t, map[string]string{"topo.yaml": goodTopology})
	for _, mode := range []os.FileMode{0o600, 0o640, 0o755} {
		out := filepath.Join(dir, fmt.Sprintf("out-%o.yaml", mode))
		if err := os.WriteFile(out, []byte(precious), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(out, mode); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := runCLI(t, "fix", "topo.yaml", "-o", out); code != exitOK {
			t.Fatalf("nsgsim fix -o %s = exit %d; stderr:\n%s", out, code, stderr)
		}
		if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("replaced %s: mode %v, %v; want %v", out, fi.Mode().Perm(), err, mode)
		}
	}
	for _, umask := range []int{0o077, 0o002, 0o022} {
		old := syscall.Umask(umask)
		out := filepath.Join(dir, fmt.Sprintf("new-%o.yaml", umask))
		code, _, stderr := runCLI(t, "fix", "topo.yaml", "-o", out)
		syscall.Umask(old)
		if code != exitOK {
			t.Fatalf("nsgsim fix -o %s = exit %d; stderr:\n%s", out, code, stderr)
		}
		want := os.FileMode(0o666 &^ umask)
		if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != want {
			t.Errorf("new %s under umask %03o: mode %v, %v; want %v", out, umask, fi.Mode().Perm(), err, want)
		}
	}
	checkNoTemp(t, dir)
}
