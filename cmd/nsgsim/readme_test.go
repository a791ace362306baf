package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The README is tested, so that it cannot drift from what nsgsim does:
// its usage block is what `nsgsim help` prints, every fenced YAML example
// loads, and every nsgsim command line in a fenced shell block runs. Lines
// that cannot run here are listed in readmeExempt with the reason.
//
// NSGSIM_UPDATE=1 go test ./cmd/nsgsim -run TestREADMEUsage rewrites the
// usage block from `nsgsim help`.

const readmePath = "../../README.md"

// readmeExempt are the command lines, by their first words, that the test
// does not run, and why.
var readmeExempt = map[string]string{
	"az ":           "the Azure CLI needs an Azure login; its output is stood in for by topology/azure/testdata/az",
	"terraform ":    "Terraform needs a configuration and providers; its output is stood in for by topology/terraform/testdata/plan.json",
	"go install ":   "fetches the module from the network; TestInstallFromClone (cmd/nsgsim/internal/installcheck) runs go install ./cmd/nsgsim from a clone",
	"make test":     "runs the whole test suite, this test included",
	"nsgsim serve ": "serves until interrupted; package serve's tests run the server and its page",
}

// readmeYAMLExempt are the YAML blocks, by their first line, that are not
// topologies, and why.
var readmeYAMLExempt = map[string]string{
	"# .github/workflows/nsgsim.yml":                                                 "a GitHub workflow, not a topology: prgate's tests parse it",
	"# .github/workflows/nsgsim.yml: read-only, runs on forks' pull requests":        "a GitHub workflow, not a topology: prgate's tests parse it",
	"# .github/workflows/nsgsim-comment.yml: write permission, no pull-request code": "a GitHub workflow, not a topology: prgate's tests parse it",
}

// readmeFixtures are the files the README's command lines name, made from
// the repository's test inputs: the README's own topology example
// (topo.yaml) and the importers' test data standing in for what az, Resource
// Graph, ARM and Terraform would print.
var readmeFixtures = map[string]string{
	"vnets.json":                  "../../topology/azure/testdata/az/vnet-list.json",
	"nsgs.json":                   "../../topology/azure/testdata/az/nsg-list.json",
	"nics.json":                   "../../topology/azure/testdata/az/nic-list.json",
	"vms.json":                    "../../topology/azure/testdata/az/vm-list.json",
	"bastions.json":               "../../topology/azure/testdata/az/bastion-list.json",
	"azuredeploy.json":            "../../topology/azure/testdata/arm/template.json",
	"azuredeploy.parameters.json": "../../topology/azure/testdata/arm/template.parameters.json",
	"plan.json":                   "../../topology/terraform/testdata/plan.json",
	"page1.json":                  "../../topology/azure/testdata/arg/page1.json",
	"page2.json":                  "../../topology/azure/testdata/arg/page2.json",
}

// fence is one fenced code block of the README.
type fence struct {
	lang  string // the info string: "sh", "yaml", or "" for output
	line  int    // the line of its first content line
	text  string
	start int // byte offsets of its content in the README
	end   int
}

// readmeFences returns the README's fenced code blocks.
func readmeFences(t *testing.T, data []byte) []fence {
	t.Helper()
	var fences []fence
	var cur *fence
	off := 0
	for i, line := range strings.SplitAfter(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			cur = &fence{lang: strings.TrimPrefix(trimmed, "```"), line: i + 2, start: off + len(line)}
		case cur != nil && trimmed == "```":
			cur.end = off
			cur.text = string(data[cur.start:cur.end])
			fences = append(fences, *cur)
			cur = nil
		}
		off += len(line)
	}
	if cur != nil {
		t.Fatalf("README.md:%d: a code block is never closed", cur.line-1)
	}
	return fences
}

func readREADME(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestREADMEUsage checks that the block under "## Usage" is what `nsgsim
// help` prints.
func TestREADMEUsage(t *testing.T) {
	data := readREADME(t)
	heading := bytes.Index(data, []byte("\n## Usage\n"))
	if heading < 0 {
		t.Fatal("README.md has no ## Usage section")
	}
	var usage *fence
	for _, f := range readmeFences(t, data) {
		if f.start > heading {
			usage = &f
			break
		}
	}
	if usage == nil || usage.lang != "" {
		t.Fatal("README.md's ## Usage section does not open with a plain ``` block")
	}
	var help, stderr bytes.Buffer
	if code := Main([]string{"help"}, &help, &stderr); code != exitOK {
		t.Fatalf("nsgsim help: exit %d, stderr %q", code, stderr.String())
	}
	if usage.text == help.String() {
		return
	}
	if os.Getenv("NSGSIM_UPDATE") != "" {
		updated := slices.Concat(data[:usage.start], help.Bytes(), data[usage.end:])
		if err := os.WriteFile(readmePath, updated, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md:%d: the usage block is not what nsgsim help prints (NSGSIM_UPDATE=1 go test ./cmd/nsgsim -run TestREADMEUsage rewrites it);\nREADME:\n%s\nnsgsim help:\n%s",
		usage.line, usage.text, help.String())
}

// TestREADMEYAML loads every fenced YAML example that is a topology and
// simulates it: it must load, and its expectations must hold.
func TestREADMEYAML(t *testing.T) {
	n := 0
	for _, f := range readmeFences(t, readREADME(t)) {
		if f.lang != "yaml" {
			continue
		}
		first, _, _ := strings.Cut(f.text, "\n")
		if reason, ok := readmeYAMLExempt[first]; ok {
			t.Logf("README.md:%d: not loaded: %s", f.line, reason)
			continue
		}
		n++
		t.Run(fmt.Sprint(f.line), func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "example.yaml", []byte(f.text))
			t.Chdir(dir)
			var stdout, stderr bytes.Buffer
			if code := Main([]string{"simulate", "example.yaml"}, &stdout, &stderr); code != exitOK {
				t.Errorf("README.md:%d: nsgsim simulate of the example = exit %d, want 0:\n%s%s", f.line, code, stderr.String(), stdout.String())
			}
		})
	}
	if n == 0 {
		t.Error("README.md has no YAML topology example")
	}
}

// TestREADMECommands runs every nsgsim command line of the README's shell
// blocks, each in a directory of its own holding the files it names: it
// must not be a usage or input error (exit 2).
func TestREADMECommands(t *testing.T) {
	data := readREADME(t)
	fences := readmeFences(t, data)
	var example string
	for _, f := range fences {
		if first, _, _ := strings.Cut(f.text, "\n"); f.lang == "yaml" && readmeYAMLExempt[first] == "" {
			example = f.text
			break
		}
	}
	n := 0
	for _, f := range fences {
		if f.lang != "sh" {
			continue
		}
		for i, line := range strings.Split(strings.TrimSuffix(f.text, "\n"), "\n") {
			line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "$ "))
			where := fmt.Sprintf("README.md:%d", f.line+i)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if reason := exemptReason(line); reason != "" {
				t.Logf("%s: not run (%s): %s", where, reason, line)
				continue
			}
			args, err := commandArgs(line)
			if err != nil {
				t.Errorf("%s: %v: %s", where, err, line)
				continue
			}
			n++
			t.Run(fmt.Sprint(f.line+i), func(t *testing.T) {
				dir := t.TempDir()
				write(t, dir, "topo.yaml", []byte(example))
				for name, src := range readmeFixtures {
					data, err := os.ReadFile(src)
					if err != nil {
						t.Fatal(err)
					}
					write(t, dir, name, data)
				}
				t.Chdir(dir)
				var stdout, stderr bytes.Buffer
				done := make(chan int, 1)
				go func() { done <- Main(args, &stdout, &stderr) }()
				select {
				case code := <-done:
					if code == exitUsage {
						t.Errorf("%s: %s = exit 2:\n%s", where, line, stderr.String())
					}
				case <-time.After(caseTimeout):
					t.Fatalf("%s: %s still runs after %v; a command that does not end (a server) belongs in readmeExempt", where, line, caseTimeout)
				}
				for i, a := range args {
					if (a == "-o" || a == "--output") && i+1 < len(args) && args[i+1] != "-" {
						if _, err := os.Stat(filepath.Join(dir, args[i+1])); err != nil {
							t.Errorf("%s: %s wrote no %s", where, line, args[i+1])
						}
					}
				}
			})
		}
	}
	if n == 0 {
		t.Error("README.md has no nsgsim command line")
	}
}

// exemptReason is why line is not run, or "".
func exemptReason(line string) string {
	for prefix, reason := range readmeExempt {
		if strings.HasPrefix(line, prefix) {
			return reason
		}
	}
	return ""
}

// commandArgs returns the arguments of an nsgsim command line ("nsgsim
// ..." or "go run ./cmd/nsgsim ..."), without a trailing comment; single and
// double quotes group words. Anything the shell would do besides running
// one command (pipes, redirections, sequences) is an error.
func commandArgs(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case r == '#' && !inWord:
			goto done
		case strings.ContainsRune("|&;<>`$", r):
			return nil, fmt.Errorf("a shell construct (%q) the test cannot run; exempt the line or split it", r)
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
done:
	if quote != 0 {
		return nil, fmt.Errorf("an unclosed quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	switch {
	case len(words) > 0 && words[0] == "nsgsim":
		return words[1:], nil
	case len(words) > 2 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/nsgsim":
		return words[3:], nil
	}
	return nil, fmt.Errorf("not an nsgsim command line, and not exempt")
}

func TestCommandArgs(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string
		err  bool
	}{
		{"nsgsim render topo.yaml -o topo.svg        # SVG", []string{"render", "topo.yaml", "-o", "topo.svg"}, false},
		{"go run ./cmd/nsgsim simulate --scenario x", []string{"simulate", "--scenario", "x"}, false},
		{`nsgsim trace t.yaml --from "a b" --to 'c'`, []string{"trace", "t.yaml", "--from", "a b", "--to", "c"}, false},
		{"nsgsim simulate t.yaml > out.txt", nil, true},
		{"nsgsim simulate 't.yaml", nil, true},
		{"ls -l", nil, true},
	} {
		got, err := commandArgs(tc.line)
		if (err != nil) != tc.err || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("commandArgs(%q) = %q, %v; want %q, error %v", tc.line, got, err, tc.want, tc.err)
		}
	}
}
