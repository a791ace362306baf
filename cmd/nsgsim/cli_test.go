package main

import (
	"bytes"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// subcommandNames are the names of every registered subcommand, help
// included: the tests below cover commands added later without a change.
func subcommandNames(t *testing.T) []string {
	t.Helper()
	root := newRoot(&env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
	root.InitDefaultHelpCmd()
	var names []string
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() || c.Name() == "help" {
			names = append(names, c.Name())
		}
	}
	if len(names) < len(subcommands)+1 {
		t.Fatalf("subcommands = %v, want the %d registered and help", names, len(subcommands))
	}
	return names
}

// commandPaths are subcommandNames and, for a command that groups others
// (pr), each of its commands ("pr check").
func commandPaths(t *testing.T) []string {
	t.Helper()
	root := newRoot(&env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
	var paths []string
	for _, name := range subcommandNames(t) {
		paths = append(paths, name)
		c, _, err := root.Find([]string{name})
		if err != nil || c == root {
			continue
		}
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				paths = append(paths, name+" "+sub.Name())
			}
		}
	}
	return paths
}

// TestUnknownFlag runs every subcommand, and every command of a group, with
// an unknown flag: exit 2, the flag named, the command's usage on standard
// error, nothing on standard output.
func TestUnknownFlag(t *testing.T) {
	paths := commandPaths(t)
	if !slices.Contains(paths, "pr check") {
		t.Fatalf("command paths %v lack the pr group's commands", paths)
	}
	for _, name := range paths {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(append(strings.Fields(name), "--no-such-flag"), &stdout, &stderr)
			if code != exitUsage {
				t.Errorf("nsgsim %s --no-such-flag: exit %d, want %d", name, code, exitUsage)
			}
			if stdout.Len() > 0 {
				t.Errorf("nsgsim %s --no-such-flag wrote to standard output:\n%s", name, stdout.String())
			}
			want := "nsgsim " + name + ": unknown flag: --no-such-flag\n\nUsage:\n  nsgsim " + name
			if !strings.HasPrefix(stderr.String(), want) {
				t.Errorf("nsgsim %s --no-such-flag: stderr:\n%s\nwant it to start with:\n%s", name, stderr.String(), want)
			}
		})
	}
}

// TestHelp checks that every subcommand's help, by `nsgsim help CMD` and
// by `CMD --help`, holds its description, flags, exit codes and an example
// that runs the command.
func TestHelp(t *testing.T) {
	for _, name := range subcommandNames(t) {
		t.Run(name, func(t *testing.T) {
			var help, flag, stderr bytes.Buffer
			if code := Main([]string{"help", name}, &help, &stderr); code != exitOK || stderr.Len() > 0 {
				t.Fatalf("nsgsim help %s: exit %d, stderr %q", name, code, stderr.String())
			}
			if code := Main([]string{name, "--help"}, &flag, &stderr); code != exitOK || stderr.Len() > 0 {
				t.Fatalf("nsgsim %s --help: exit %d, stderr %q", name, code, stderr.String())
			}
			if help.String() != flag.String() {
				t.Errorf("nsgsim help %s and nsgsim %s --help differ:\n%s\n---\n%s", name, name, help.String(), flag.String())
			}
			text := help.String()
			if first := strings.SplitN(text, "\n", 2)[0]; len(first) < 20 {
				t.Errorf("nsgsim help %s: description %q, want a sentence", name, first)
			}
			for _, section := range []string{"\nUsage:\n  nsgsim " + name, "\nFlags:\n", "\n  -h, --help ", "\nExit codes:\n  0  ", "\nExample:\n  nsgsim " + name} {
				if !strings.Contains(text, section) {
					t.Errorf("nsgsim help %s lacks %q:\n%s", name, section, text)
				}
			}
		})
	}
}

func TestBuildVersion(t *testing.T) {
	for _, tc := range []struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{&debug.BuildInfo{Main: debug.Module{Path: "github.com/nsgsim/nsgsim", Version: "v1.2.3"}}, true, "v1.2.3"},
		{&debug.BuildInfo{Main: debug.Module{Path: "github.com/nsgsim/nsgsim", Version: "(devel)"}}, true, "(devel)"},
		{&debug.BuildInfo{}, true, "(devel)"},
		{nil, false, "(devel)"},
	} {
		if got := buildVersion(tc.info, tc.ok); got != tc.want {
			t.Errorf("buildVersion(%+v, %v) = %q, want %q", tc.info, tc.ok, got, tc.want)
		}
	}
}

// TestVersionStamp checks that a release stamp (-ldflags "-X
// main.version=...") wins over the build information.
func TestVersionStamp(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "v9.8.7"
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"--version"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("nsgsim --version: exit %d, stderr %q", code, stderr.String())
	}
	if got, want := stdout.String(), "nsgsim v9.8.7\n"; got != want {
		t.Errorf("nsgsim --version = %q, want %q", got, want)
	}
}
