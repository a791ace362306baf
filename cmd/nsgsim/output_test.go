package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Output safety (SPEC 5: "nothing is written" on exit 2): an output is
// written to a temporary file beside it and renamed into place, an output
// that is one of the inputs is refused, and a failed run leaves an existing
// output as it was.

// goodTopology passes every required flow: simulate exits 0.
const goodTopology = `virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    subnets:
      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26}
      - {name: workload, addressPrefix: 10.0.1.0/24}
virtualMachines:
  - {name: vm1, subnet: hub/workload, privateIpAddress: 10.0.1.4, os: Linux}
bastionHosts: [{name: b, virtualNetwork: hub}]
`

// blockedTopology denies SSH to vm1: simulate exits 1.
var blockedTopology = strings.Replace(goodTopology, "{name: workload, addressPrefix: 10.0.1.0/24}",
	"{name: workload, addressPrefix: 10.0.1.0/24, networkSecurityGroup: nsg}", 1) + `networkSecurityGroups:
  - name: nsg
    securityRules:
      - {name: DenySsh, priority: 100, direction: Inbound, access: Deny, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22"}
`

// badTopology does not load: exit 2.
var badTopology = strings.Replace(goodTopology, "10.0.1.4", "10.0.1.300", 1)

// azInput is `az network asg list` output.
const azInput = `[{"type": "Microsoft.Network/applicationSecurityGroups", "name": "asg1"}]
`

// armTemplate and armParameters are an ARM deployment and its parameters.
const armTemplate = `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
 "contentVersion": "1.0.0.0", "parameters": {"n": {"type": "string", "defaultValue": "asg1"}},
 "resources": [{"type": "Microsoft.Network/applicationSecurityGroups", "apiVersion": "2023-04-01", "name": "[parameters('n')]"}]}
`

const armParameters = `{"parameters": {"n": {"value": "asg2"}}}
`

const precious = "precious: an output from an earlier run\n"

// runCLI runs Main in the current directory.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

// workdir makes a temporary directory with files, and makes it the
// current directory for the rest of the test.
func workdir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return dir
}

func readString(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// checkNoTemp fails when a temporary file of writeFile is left in dir.
func checkNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteFile(t *testing.T) {
	t.Run("new", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "out.svg")
		err := writeFile(out, nil, func(w io.Writer) error { _, err := io.WriteString(w, "<svg/>\n"); return err })
		if err != nil {
			t.Fatalf("writeFile = %v, want nil", err)
		}
		if got := readString(t, out); got != "<svg/>\n" {
			t.Errorf("out = %q, want %q", got, "<svg/>\n")
		}
		fi, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		// 0666 less the umask, as a file the shell creates.
		probe, err := os.OpenFile(filepath.Join(dir, "probe"), os.O_CREATE|os.O_WRONLY, 0o666)
		if err != nil {
			t.Fatal(err)
		}
		pi, err := probe.Stat()
		probe.Close()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != pi.Mode().Perm() {
			t.Errorf("mode = %v, want %v", fi.Mode().Perm(), pi.Mode().Perm())
		}
		checkNoTemp(t, dir)
	})
	t.Run("replace", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "out.svg")
		if err := os.WriteFile(out, []byte(precious), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := writeFile(out, nil, func(w io.Writer) error { _, err := io.WriteString(w, "new\n"); return err }); err != nil {
			t.Fatalf("writeFile = %v, want nil", err)
		}
		if got := readString(t, out); got != "new\n" {
			t.Errorf("out = %q, want %q", got, "new\n")
		}
		checkNoTemp(t, dir)
	})
	t.Run("produce-fails", func(t *testing.T) {
		// Half an output, then an error: the old output stays whole.
		dir := t.TempDir()
		out := filepath.Join(dir, "out.svg")
		if err := os.WriteFile(out, []byte(precious), 0o644); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("layout failed")
		err := writeFile(out, nil, func(w io.Writer) error {
			io.WriteString(w, "<svg><g>half")
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("writeFile = %v, want %v", err, boom)
		}
		if got := readString(t, out); got != precious {
			t.Errorf("out = %q after a failed produce, want it unchanged", got)
		}
		if got := names(t, dir); !slices.Equal(got, []string{"out.svg"}) {
			t.Errorf("directory holds %v, want only out.svg", got)
		}
	})
	t.Run("produce-fails-new", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "out.svg")
		err := writeFile(out, nil, func(w io.Writer) error { return errors.New("no") })
		if err == nil {
			t.Fatal("writeFile = nil, want an error")
		}
		if got := names(t, dir); len(got) != 0 {
			t.Errorf("directory holds %v after a failed produce, want nothing", got)
		}
	})
	t.Run("missing-directory", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "no", "such", "out.svg")
		err := writeFile(out, nil, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
		if err == nil || !strings.Contains(err.Error(), "writing "+out) {
			t.Fatalf("writeFile = %v, want an error naming %s", err, out)
		}
		if got := names(t, dir); len(got) != 0 {
			t.Errorf("directory holds %v, want nothing", got)
		}
	})
	t.Run("rename-fails", func(t *testing.T) {
		// The output is a non-empty directory: the rename fails after the
		// temporary file is written, and the temporary file is removed.
		dir := t.TempDir()
		out := filepath.Join(dir, "out.svg")
		if err := os.MkdirAll(filepath.Join(out, "keep"), 0o755); err != nil {
			t.Fatal(err)
		}
		err := writeFile(out, nil, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
		if err == nil {
			t.Fatal("writeFile over a directory = nil, want an error")
		}
		checkNoTemp(t, dir)
		if got := names(t, dir); !slices.Equal(got, []string{"out.svg"}) {
			t.Errorf("directory holds %v, want only out.svg", got)
		}
		if _, err := os.Stat(filepath.Join(out, "keep")); err != nil {
			t.Errorf("the directory in the output's place lost its content: %v", err)
		}
	})
	t.Run("read-only-directory", func(t *testing.T) {
		dir := t.TempDir()
		sub := filepath.Join(dir, "ro")
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(sub, "out.svg")
		if err := os.WriteFile(out, []byte(precious), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(sub, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(sub, 0o755) })
		if f, err := os.CreateTemp(sub, "probe"); err == nil {
			f.Close()
			os.Remove(f.Name())
			t.Skip("running as root: a read-only directory is still writable")
		}
		err := writeFile(out, nil, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
		if err == nil {
			t.Fatal("writeFile into a read-only directory = nil, want an error")
		}
		if got := readString(t, out); got != precious {
			t.Errorf("out = %q, want it unchanged", got)
		}
	})
	t.Run("refuses-input", func(t *testing.T) {
		dir := t.TempDir()
		in := filepath.Join(dir, "topo.yaml")
		if err := os.WriteFile(in, []byte(goodTopology), 0o644); err != nil {
			t.Fatal(err)
		}
		called := false
		err := writeFile(in, []string{in}, func(w io.Writer) error { called = true; return nil })
		if err == nil || !strings.Contains(err.Error(), "is one of the inputs") {
			t.Fatalf("writeFile(input) = %v, want a refusal", err)
		}
		if called {
			t.Error("writeFile ran produce for an output it refused")
		}
		if got := readString(t, in); got != goodTopology {
			t.Error("the input changed")
		}
	})
}

// aliases makes, in dir, names that reach the file name in other ways:
// "./name", its absolute path, a path through "..", a symbolic link to it,
// a hard link to it, and a path through a symbolic link to dir.
func aliases(t *testing.T, dir, name string) map[string]string {
	t.Helper()
	m := map[string]string{
		"same":     name,
		"dot":      "./" + name,
		"absolute": filepath.Join(dir, name),
		"dotdot":   filepath.Join("..", filepath.Base(dir), name),
	}
	if runtime.GOOS == "windows" {
		return m
	}
	if err := os.Symlink(name, filepath.Join(dir, "symlink-"+name)); err != nil {
		t.Fatal(err)
	}
	m["symlink"] = "symlink-" + name
	if err := os.Link(filepath.Join(dir, name), filepath.Join(dir, "hardlink-"+name)); err != nil {
		t.Fatal(err)
	}
	m["hardlink"] = "hardlink-" + name
	if err := os.Symlink(".", filepath.Join(dir, "here")); err != nil {
		t.Fatal(err)
	}
	m["symlinked-dir"] = filepath.Join("here", name)
	return m
}

func TestCheckNotInput(t *testing.T) {
	dir := workdir(t, map[string]string{"topo.yaml": goodTopology, "other.yaml": goodTopology})
	for how, out := range aliases(t, dir, "topo.yaml") {
		if err := checkNotInput(out, []string{"topo.yaml"}); err == nil {
			t.Errorf("checkNotInput(%q (%s), [topo.yaml]) = nil, want a refusal", out, how)
		}
		// And the other way round: the input named through the alias.
		if err := checkNotInput("topo.yaml", []string{out}); err == nil {
			t.Errorf("checkNotInput(topo.yaml, [%q (%s)]) = nil, want a refusal", out, how)
		}
	}
	for _, out := range []string{"other.yaml", "new.svg", "./new.svg", filepath.Join(dir, "sub", "x.svg")} {
		if err := checkNotInput(out, []string{"topo.yaml"}); err != nil {
			t.Errorf("checkNotInput(%q, [topo.yaml]) = %v, want nil", out, err)
		}
	}
	if err := checkNotInput("out.svg", nil); err != nil {
		t.Errorf("checkNotInput(out.svg, nil) = %v, want nil", err)
	}
}

// TestOutputIsInput runs each command that writes a file with its output
// naming one of its inputs, in each way a path can name a file: exit 2, a
// message, and the input byte for byte as it was.
func TestOutputIsInput(t *testing.T) {
	type cmd struct {
		name  string
		input string // the input the output names
		args  func(out string) []string
	}
	cmds := []cmd{
		{"simulate", "topo.yaml", func(out string) []string { return []string{"simulate", "topo.yaml", "-o", out} }},
		{"render", "topo.yaml", func(out string) []string { return []string{"render", "topo.yaml", "-o", out, "--format", "svg"} }},
		{"diff-old", "topo.yaml", func(out string) []string {
			return []string{"diff", "topo.yaml", "new.yaml", "-o", out, "--format", "json"}
		}},
		{"diff-new", "topo.yaml", func(out string) []string {
			return []string{"diff", "new.yaml", "topo.yaml", "-o", out, "--format", "json"}
		}},
		{"fix", "topo.yaml", func(out string) []string { return []string{"fix", "topo.yaml", "-o", out} }},
		{"import-az", "asg.json", func(out string) []string { return []string{"import", "az", "asg.json", "-o", out} }},
		{"import-az-second", "asg.json", func(out string) []string { return []string{"import", "az", "other.json", "asg.json", "-o", out} }},
		{"import-arm", "main.json", func(out string) []string { return []string{"import", "arm", "main.json", "-o", out} }},
		{"import-arm-parameters", "main.parameters.json", func(out string) []string {
			return []string{"import", "arm", "main.json", "--parameters", "main.parameters.json", "-o", out}
		}},
	}
	files := map[string]string{
		"topo.yaml": blockedTopology, "new.yaml": goodTopology,
		"asg.json": azInput, "other.json": azInput,
		"main.json": armTemplate, "main.parameters.json": armParameters,
	}
	for _, c := range cmds {
		t.Run(c.name, func(t *testing.T) {
			dir := workdir(t, files)
			for how, out := range aliases(t, dir, c.input) {
				code, stdout, stderr := runCLI(t, c.args(out)...)
				if code != exitUsage || !strings.Contains(stderr, "is one of the inputs") {
					t.Errorf("nsgsim %s (%s) = exit %d, stderr %q; want exit 2 and a refusal",
						strings.Join(c.args(out), " "), how, code, stderr)
				}
				if stdout != "" {
					t.Errorf("nsgsim %s (%s) wrote to standard output: %q", strings.Join(c.args(out), " "), how, stdout)
				}
				if got := readString(t, filepath.Join(dir, c.input)); got != files[c.input] {
					t.Fatalf("nsgsim %s (%s) changed the input to:\n%s", strings.Join(c.args(out), " "), how, got)
				}
				if how == "symlink" {
					if fi, err := os.Lstat(out); err != nil || fi.Mode()&os.ModeSymlink == 0 {
						t.Errorf("nsgsim %s: the symbolic link %s was replaced", strings.Join(c.args(out), " "), out)
					}
				}
				checkNoTemp(t, dir)
			}
		})
	}
}

// TestFailedRunKeepsOutput runs each command so that it fails after its
// flags are read, with an output from an earlier run in place: exit 2, and
// the earlier output unchanged.
func TestFailedRunKeepsOutput(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"simulate-bad-topology", []string{"simulate", "bad.yaml", "-o", "out.svg"}},
		{"simulate-missing-topology", []string{"simulate", "missing.yaml", "-o", "out.svg"}},
		{"simulate-bad-format", []string{"simulate", "good.yaml", "-o", "out.svg", "--format", "yaml"}},
		{"render-bad-topology", []string{"render", "bad.yaml", "-o", "out.svg"}},
		{"render-bad-focus", []string{"render", "good.yaml", "-o", "out.svg", "--focus", "no-such-vm"}},
		{"render-unknown-extension", []string{"render", "good.yaml", "-o", "out.svg", "--format", "gif"}},
		{"diff-bad-new", []string{"diff", "good.yaml", "bad.yaml", "-o", "out.svg"}},
		{"fix-bad-topology", []string{"fix", "bad.yaml", "-o", "out.svg"}},
		{"import-bad-json", []string{"import", "az", "bad.json", "-o", "out.svg"}},
		{"import-one-bad-of-two", []string{"import", "az", "asg.json", "bad.json", "-o", "out.svg"}},
		{"gen-bad-size", []string{"gen", "--vnets", "-1", "-o", "out.svg"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := workdir(t, map[string]string{
				"good.yaml": goodTopology, "bad.yaml": badTopology,
				"asg.json": azInput, "bad.json": `[{"type": "Microsoft.Network/applicationSecurityGroups", "name": "a"`,
				"out.svg": precious,
			})
			before := names(t, dir)
			code, stdout, stderr := runCLI(t, c.args...)
			if code != exitUsage {
				t.Errorf("nsgsim %s = exit %d, want 2; stderr:\n%s", strings.Join(c.args, " "), code, stderr)
			}
			if stderr == "" {
				t.Errorf("nsgsim %s: no message", strings.Join(c.args, " "))
			}
			if stdout != "" {
				t.Errorf("nsgsim %s wrote to standard output: %q", strings.Join(c.args, " "), stdout)
			}
			if got := readString(t, "out.svg"); got != precious {
				t.Errorf("nsgsim %s changed the existing output to:\n%.200s", strings.Join(c.args, " "), got)
			}
			if after := names(t, dir); !slices.Equal(after, before) {
				t.Errorf("nsgsim %s: directory was %v, is %v", strings.Join(c.args, " "), before, after)
			}
		})
	}
}

// TestExitCodes checks SPEC 5's exit codes and what each leaves written:
// 0 and 1 write the diagram; 2 writes nothing.
func TestExitCodes(t *testing.T) {
	cases := []struct {
		topology string
		code     int
		written  bool
	}{
		{goodTopology, exitOK, true},
		{blockedTopology, exitFail, true},
		{badTopology, exitUsage, false},
	}
	for _, c := range cases {
		for _, cmd := range []string{"simulate", "render"} {
			dir := workdir(t, map[string]string{"topo.yaml": c.topology})
			code, _, stderr := runCLI(t, cmd, "topo.yaml", "-o", "out.dot")
			want := c.code
			if cmd == "render" && want == exitFail {
				want = exitOK // render draws; it does not judge
			}
			if code != want {
				t.Errorf("nsgsim %s (exit %d topology) = exit %d, want %d; stderr:\n%s", cmd, c.code, code, want, stderr)
			}
			_, err := os.Stat(filepath.Join(dir, "out.dot"))
			if written := err == nil; written != c.written {
				t.Errorf("nsgsim %s (exit %d topology): out.dot written = %v, want %v", cmd, c.code, written, c.written)
			}
			checkNoTemp(t, dir)
		}
	}
}
