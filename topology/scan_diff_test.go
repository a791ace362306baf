package topology_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/internal/topotest"
	"github.com/nsgsim/nsgsim/topology"
)

// sameAsYAMLv3 checks that the topology scanner, where it reads data,
// gives exactly what the yaml.v3 path gives: the same topology, positions
// included, or the same errors. It reports whether the scanner read it.
func sameAsYAMLv3(t *testing.T, name string, data []byte) bool {
	t.Helper()
	got, ok, gotErr := topology.ParseScanned(name, data)
	if !ok {
		return false
	}
	want, wantErr := topology.ParseYAMLv3(name, data)
	switch {
	case topology.ErrorText(gotErr) != topology.ErrorText(wantErr):
		t.Errorf("%s: scanner error:\n%s\nyaml.v3 error:\n%s", name, topology.ErrorText(gotErr), topology.ErrorText(wantErr))
	case !reflect.DeepEqual(got, want):
		t.Errorf("%s: scanner and yaml.v3 disagree:\nscanner: %s\nyaml.v3: %s", name, topotest.Dump(got), topotest.Dump(want))
	}
	return true
}

// TestScannerMatchesYAMLv3 runs both paths over every scenario, the test
// topologies of the repository and the YAML inputs of the bad-input corpus.
// The scenarios and the valid test topologies must take the scanner.
func TestScannerMatchesYAMLv3(t *testing.T) {
	var files []string
	for _, g := range []string{"../scenarios/*.yaml", "testdata/*.yaml", "../cmd/nsgsim/testdata/script/*.yaml", "../docs/*.yaml", "../docs/*/*.yaml"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	scanned := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if sameAsYAMLv3(t, f, data) {
			scanned++
		} else if strings.HasPrefix(f, "../scenarios/") {
			t.Errorf("%s: the scanner did not read a built-in scenario", f)
		}
	}
	corpus, _ := filepath.Glob("../cmd/nsgsim/testdata/*/*.txtar")
	for _, f := range corpus {
		ar, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range ar.Files {
			if strings.HasSuffix(file.Name, ".yaml") || strings.HasSuffix(file.Name, ".yml") {
				if sameAsYAMLv3(t, f+"/"+file.Name, file.Data) {
					scanned++
				}
			}
		}
	}
	t.Logf("%d of %d files and %d corpus archives read by the scanner", scanned, len(files), len(corpus))
	if scanned < 10 {
		t.Errorf("the scanner read only %d files", scanned)
	}
}

// TestScannerMatchesYAMLv3Generated runs both paths over random generated
// topologies, each of which the scanner must read.
func TestScannerMatchesYAMLv3Generated(t *testing.T) {
	for seed := uint64(1); seed <= 12; seed++ {
		o := gen.Options{Seed: seed, VNets: 1 + int(seed%5), Subnets: 8 + int(seed*3%17), VMs: int(seed * 37 % 300), RulesPerNSG: int(seed * 13 % 120)}
		if seed%3 == 0 {
			o.NSGs = 1 + int(seed%4)
		}
		top, err := gen.Generate(o)
		if err != nil {
			t.Fatalf("Generate(%+v) = %v", o, err)
		}
		var b strings.Builder
		if err := gen.Write(&b, top, "seed"); err != nil {
			t.Fatal(err)
		}
		if !sameAsYAMLv3(t, "gen.yaml", []byte(b.String())) {
			t.Errorf("Generate(%+v): the scanner did not read the file", o)
		}
	}
}

// FuzzScanner checks on any input that where the scanner reads a file, it
// gives what yaml.v3 gives.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		"name: a\nvirtualNetworks:\n  - name: hub\n    addressSpace: [10.0.0.0/16]\n",
		"name: a\nnetworkSecurityGroups:\n- name: g\n  securityRules:\n    - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: '*', sourcePortRange: \"*\", destinationAddressPrefix: '*', destinationPortRange: 22}\n",
		"name: 'it''s'\nlocation: \"west europe\" # here\n",
		"name: a\r\nlocation: b\r\n",
		"name: a\nvirtualMachines:\n  - {name: vm, virtualNetwork: hub, subnet: s, privateIpAddress: 10.0.0.4, os: Linux}\n",
		"a: 1\nb: [1, 2]\nc: {d: e}\n",
		"name: x\nflows:\n  - name: f\n    protocol: Tcp\n    destinationPort: 0x16\n",
		"name: ~\nlocation: null\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsYAMLv3(t, "fuzz.yaml", data)
	})
}

// TestProblemsPastTheNodeLimit checks that a file the scanner reads but too
// large for the yaml.v3 path's node limit has its problems reported where
// they are, rather than the node limit.
func TestProblemsPastTheNodeLimit(t *testing.T) {
	defer topology.SetBudget(topology.DefaultBudget)
	if err := topology.SetBudget(topology.MinBudget); err != nil {
		t.Fatal(err)
	}
	top, err := gen.Generate(gen.Options{Seed: 1, VNets: 20, Subnets: 200, VMs: 5000, RulesPerNSG: 50, NSGs: 100})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := gen.Write(&b, top, "big"); err != nil {
		t.Fatal(err)
	}
	typo := strings.LastIndex(b.String(), "priority: ")
	data := b.String()[:typo] + "prioritty: " + b.String()[typo+len("priority: "):]
	limit := topology.CurrentBudget().Limits().Nodes
	if n, _ := topology.CountNodes([]byte(data), limit); n <= limit {
		t.Fatalf("the file has %d nodes, not past the limit of %d", n, limit)
	}
	_, err = topology.Parse("big.yaml", []byte(data))
	at := fmt.Sprintf("big.yaml:%d:%d: ", strings.Count(data[:typo], "\n")+1, typo-strings.LastIndex(data[:typo], "\n"))
	const msg = `unknown key "prioritty"; did you mean "priority"?`
	got := topology.ErrorText(err)
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, at) && strings.HasSuffix(line, msg) {
			return
		}
	}
	t.Errorf("Parse = %s\nwant a list with %s...%s", got, at, msg)
}
