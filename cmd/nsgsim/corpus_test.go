package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/nsgsim/nsgsim/internal/hostile"
	"github.com/nsgsim/nsgsim/topology"
)

// The hostile-input corpus: each testdata/bad/NAME.txtar is one broken or
// hostile input, with the outcome nsgsim must give it. Its comment
// describes the case and may hold directives, one a line:
//
//	args: render topo.yaml -o out.html   the command line (default: simulate FILE -o out.svg, FILE the archive's first file)
//	generate: NAME                       also create inputs too large or too odd to commit (see generators)
//	exit: 1                              the exit code (default 2: bad input)
//	within: 5s                           the time bound (default caseWithin), shown by BenchmarkBadInputs
//	alloc: 64MiB                         the memory bound (default caseAlloc): bytes allocated in all
//	stdout-sha256: HEX                   the digest of a standard output too long to hold (see maxStdout)
//
// Its files are the inputs; the file "want" is the exact standard error, and
// the file "stdout" the exact standard output of a case that exits 0 or 1
// (one that exits 2 writes none).
//
// A case that exits 2 must print a message whose every line says where the
// problem is, and write nothing (the directory is as it was before).
//
// Every case is held to its memory bound by TestBadInputs: the bytes that
// its in-process run allocates (runtime.MemStats.TotalAlloc, before and
// after), which bound its peak memory and, unlike the peak, do not depend
// on when the collector runs. Its time bound is not checked by the test,
// which fails a case only when it hangs (caseTimeout): speed is shown by
// BenchmarkBadInputs/NAME, which runs the case again and again, reports
// ns/op and B/op, and fails when they pass the case's bounds:
//
//	go test ./cmd/nsgsim -run '^$' -bench BadInputs -benchtime 1x
//
// NSGSIM_UPDATE=1 go test ./cmd/nsgsim -run TestBadInputs/NAME rewrites the
// want, stdout and stdout-sha256 of case NAME; review the diff.

const (
	minCorpus = 60
	// caseTimeout catches a hang, not slowness: generous, so that a loaded
	// CI machine does not fail a case that takes a second when idle.
	caseTimeout = 30 * time.Second
	// caseWithin is the time bound of a case that names none: issue 11's
	// bound for a hostile input, on the machine the benchmark runs on.
	caseWithin = 5 * time.Second
	// caseAlloc bounds what a case that names no bound allocates in total,
	// and so its peak memory: a topology is read whole (up to 32 MiB) and
	// parsed once.
	caseAlloc = 512 << 20
	// maxStdout is the longest standard output a case holds whole; a
	// longer one is held by its digest.
	maxStdout = 16 << 10
)

// heavy are the generators whose cases read tens of megabytes, parse a
// million nodes or evaluate up to the budgets of all flows: a second or
// more each. They are skipped with -short, and
// under the race detector, which slows parsing tenfold and finds nothing in
// this single-goroutine code; the plain run covers them.
var heavy = map[string]bool{
	"file-over-budget":        true,
	"file-30mib-error-at-end": true,
	"wide-list":               true,
	"tiny-flow-nodes-32mib":   true,
	"tiny-block-nodes-32mib":  true,
	"dev-zero":                true,
	"servicetags-60mb":        true,
	"tfplan-18mb-linking":     true,
	"json-over-budget":        true,
	"suggest-bomb":            true,
	// sim's own tests cover the budgets of all flows under the race
	// detector (TestTotalPieceBudget).
	"staggered-rules-60-flows-40": true,
	"staircase-300-flows-40":      true,
}

// raceEnabled reports whether the test binary was built with -race.
var raceEnabled = func() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}()

// platformGenerators are the generators defined for Linux only
// (output_devices_test.go), where mknod and mkfifo are at hand.
var platformGenerators = map[string]bool{"block-device-output": true, "socket-output": true, "servicetags-fifo": true}

// generators make the inputs named by a "generate:" directive in dir.
var generators = map[string]func(t testing.TB, dir string){
	// 3,000 VNets that carry no flow: a diagram that stays past the
	// diagram budget (render.MaxElements) even collapsed, refused at once
	// instead of a layout of gigabytes.
	"vnets-3000": func(t testing.TB, dir string) {
		var b strings.Builder
		b.WriteString("name: corpus\nvirtualNetworks:\n")
		b.WriteString("  - {name: v0, addressSpace: [10.0.0.0/24], subnets: [{name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26}]}\n")
		for i := 1; i < 3000; i++ {
			fmt.Fprintf(&b, "  - {name: v%d, addressSpace: [10.%d.%d.0/24], subnets: [{name: s, addressPrefix: 10.%d.%d.0/24}]}\n", i, i/256, i%256, i/256, i%256)
		}
		b.WriteString("bastionHosts:\n  - {name: b, virtualNetwork: v0, sku: Standard}\n")
		write(t, dir, "topo.yaml", []byte(b.String()))
	},
	// Every port as a custom port of a Standard Bastion host with 16 target
	// VMs: 1,048,560 flows, past the flow budget (sim.MaxFlows), refused
	// before any flow is built instead of running out of memory.
	"custom-ports-every-port": func(t testing.TB, dir string) {
		var b strings.Builder
		b.WriteString("name: corpus\nvirtualNetworks:\n  - name: hub\n    addressSpace: [10.0.0.0/16]\n    subnets:\n")
		b.WriteString("      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26}\n      - {name: workload, addressPrefix: 10.0.1.0/24}\n")
		b.WriteString("virtualMachines:\n")
		for i := range 16 {
			fmt.Fprintf(&b, "  - {name: vm%d, subnet: hub/workload, privateIpAddress: 10.0.1.%d, os: Linux}\n", i, i+4)
		}
		b.WriteString("bastionHosts:\n  - name: bastion\n    virtualNetwork: hub\n    sku: Standard\n    customPorts: [")
		for p := 1; p <= 65535; p++ {
			if p == 22 || p == 3389 {
				continue
			}
			if p > 1 {
				b.WriteString(", ")
			}
			fmt.Fprint(&b, p)
		}
		b.WriteString("]\n")
		write(t, dir, "topo.yaml", []byte(b.String()))
	},
	// Issue 11's crafted rules: two NSGs of 500 rules, each on its own /32
	// source, source port and /32 destination (hostile.DistinctRules). It
	// took 7 s and 1.6 GB at 200 rules and ran out of memory at 500 when
	// evaluation decided every cell of the grid the rules cut; a legal
	// topology, simulated in full.
	"distinct-rules-500": func(t testing.TB, dir string) {
		write(t, dir, "topo.yaml", []byte(hostile.DistinctRules(500)))
	},
	// 1,000 rules whose source, source-port and destination ranges are
	// staggered so that each cuts every piece the rules before it left
	// (hostile.StaggeredRules): one flow would make 170 million pieces.
	// Stopped at the rule that takes it past the budget (sim.MaxFlowPieces).
	"staggered-rules-1000": func(t testing.TB, dir string) {
		write(t, dir, "topo.yaml", []byte(hostile.StaggeredRules(1000, 1)))
	},
	// 60 staggered rules and 40 flows, each of about 81,000 pieces: within the
	// budget of a flow, past that of all flows (sim.MaxPieces).
	"staggered-rules-60-flows-40": func(t testing.TB, dir string) {
		write(t, dir, "topo.yaml", []byte(hostile.StaggeredRules(60, 40)))
	},
	// A staircase of 500 rules (hostile.Staircase): 34,000 pieces, but
	// joining those decided alike would take more steps than the budget of
	// a flow (sim.MaxFlowSteps).
	"staircase-500": func(t testing.TB, dir string) {
		write(t, dir, "topo.yaml", []byte(hostile.Staircase(500, 1)))
	},
	// 40 flows through a staircase of 300 rules, each of 24 million steps:
	// within the budget of a flow, past that of all flows (sim.MaxSteps).
	"staircase-300-flows-40": func(t testing.TB, dir string) {
		write(t, dir, "topo.yaml", []byte(hostile.Staircase(300, 40)))
	},
	// A 100 MB topology of comments: within the default memory budget's
	// file size (128 MiB), read, and refused at once for holding nothing.
	"file-100mb": func(t testing.TB, dir string) {
		f, err := os.Create(filepath.Join(dir, "topo.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		line := []byte("# " + strings.Repeat("x", 97) + "\n")
		for range 100 << 20 / len(line) {
			if _, err := f.Write(line); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Truncate(100 << 20); err != nil {
			t.Fatal(err)
		}
	},
	// One byte over the YAML topology size of the default memory budget
	// (128 MiB), of valid YAML: rejected from its size before it is read.
	"file-over-budget": func(t testing.TB, dir string) {
		data := bytes.Repeat([]byte("#234567\n"), int(topology.DefaultBudget.Limits().TopologySize)/8)
		data = append(data, '\n')
		write(t, dir, "topo.yaml", data)
	},
	// A large valid-looking YAML file under the limit with an error at its end:
	// 30 MiB of comments, then a bad key.
	"file-30mib-error-at-end": func(t testing.TB, dir string) {
		var b bytes.Buffer
		for b.Len() < 30<<20 {
			b.WriteString("# padding padding padding padding padding padding padding padding padding\n")
		}
		b.WriteString("name: big\nzones: [1]\n")
		write(t, dir, "topo.yaml", b.Bytes())
	},
	// Flow lists nested 200 deep: deeper than nsgsim reads (100), within yaml.v3's limit.
	"deep-200": func(t testing.TB, dir string) {
		write(t, dir, "topo.yaml", []byte("name: deep\nflows: "+strings.Repeat("[", 200)+strings.Repeat("]", 200)+"\n"))
	},
	// Mappings nested 200 deep in block style, one level a line.
	"deep-200-block": func(t testing.TB, dir string) {
		var b strings.Builder
		b.WriteString("name: deep\n")
		for i := range 200 {
			fmt.Fprintf(&b, "%sk%d:\n", strings.Repeat(" ", i), i)
		}
		write(t, dir, "topo.yaml", []byte(b.String()))
	},
	// Lists nested 50,000 deep: past yaml.v3's own limit of 10,000.
	"deep-50000": func(t testing.TB, dir string) {
		write(t, dir, "topo.yaml", []byte("flows: "+strings.Repeat("[", 50000)+strings.Repeat("]", 50000)+"\n"))
	},
	// Billion laughs: ten levels of anchors, each alias used ten times.
	"alias-bomb": func(t testing.TB, dir string) {
		var b strings.Builder
		b.WriteString("name: lol\nclients:\n  - &a0 {name: c, addressPrefix: 203.0.113.0/24}\n")
		b.WriteString("x0: &b0 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]\n")
		for i := 1; i < 10; i++ {
			p := fmt.Sprintf("*b%d", i-1)
			fmt.Fprintf(&b, "x%d: &b%d [%s]\n", i, i, strings.Repeat(p+", ", 9)+p)
		}
		write(t, dir, "topo.yaml", []byte(b.String()))
	},
	// Billion laughs through merge keys, where a decoder that copies
	// merged pairs would expand it.
	"merge-bomb": func(t testing.TB, dir string) {
		var b strings.Builder
		b.WriteString("m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\n")
		for i := 1; i < 12; i++ {
			p := fmt.Sprintf("*m%d", i-1)
			fmt.Fprintf(&b, "m%d: &m%d {<<: [%s], k%d: 1}\n", i, i, strings.Repeat(p+", ", 7)+p, i)
		}
		write(t, dir, "topo.yaml", []byte(b.String()))
	},
	// Over a million empty mappings in one list: too many nodes, no aliases.
	"wide-list": func(t testing.TB, dir string) {
		var b bytes.Buffer
		b.WriteString("applicationSecurityGroups: [{}")
		for range topology.DefaultBudget.Limits().Nodes {
			b.WriteString(",{}")
		}
		b.WriteString("]\n")
		write(t, dir, "topo.yaml", b.Bytes())
	},
	// 32 MiB of empty flow lists, the smallest nodes there are: yaml.v3
	// took a minute and gigabytes to build them before the node limit
	// could be checked.
	"tiny-flow-nodes-32mib": func(t testing.TB, dir string) {
		head := "flows: ["
		data := append([]byte(head), bytes.Repeat([]byte("[],"), (32<<20-len(head)-2)/3)...)
		write(t, dir, "topo.yaml", append(data, "]\n"...))
	},
	// 32 MiB of "- {}" lines: a block list of empty mappings.
	"tiny-block-nodes-32mib": func(t testing.TB, dir string) {
		write(t, dir, "topo.yaml", bytes.Repeat([]byte("- {}\n"), 32<<20/5))
	},
	// A subnet naming a 1 MB NSG name that does not exist.
	"long-name": func(t testing.TB, dir string) {
		write(t, dir, "topo.yaml", []byte("name: corpus\nvirtualNetworks:\n  - name: hub\n    addressSpace: [10.0.0.0/16]\n"+
			"    subnets:\n      - name: workload\n        addressPrefix: 10.0.1.0/24\n        networkSecurityGroup: "+strings.Repeat("n", 1<<20)+"\n"))
	},
	// Fifty thousand names and 300 misspelled references to them:
	// "did you mean" must not compare every reference with every name.
	"suggest-bomb": func(t testing.TB, dir string) {
		var b strings.Builder
		b.WriteString("virtualNetworks:\n  - {name: hub, addressSpace: [10.0.0.0/16], subnets: [{name: w, addressPrefix: 10.0.1.0/24}]}\n")
		b.WriteString("applicationSecurityGroups:\n")
		for i := range 50_000 {
			fmt.Fprintf(&b, "  - {name: asg%06d}\n", i)
		}
		b.WriteString("virtualMachines:\n  - {name: vm, subnet: hub/w, privateIpAddress: 10.0.1.4, os: Linux, applicationSecurityGroups: [")
		for i := range 300 {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "bsg%06d", i)
		}
		b.WriteString("]}\n")
		write(t, dir, "topo.yaml", []byte(b.String()))
	},
	// A directory where the topology should be.
	"directory": func(t testing.TB, dir string) {
		if err := os.Mkdir(filepath.Join(dir, "topo.yaml"), 0o755); err != nil {
			t.Fatal(err)
		}
	},
	// A topology that cannot be read. Root reads it anyway, so the case
	// is skipped as root.
	"unreadable": func(t testing.TB, dir string) {
		p := filepath.Join(dir, "topo.yaml")
		write(t, dir, "topo.yaml", []byte("name: secret\n"))
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(p, 0o644) })
		if f, err := os.Open(p); err == nil {
			f.Close()
			t.Skip("running as root (or with CAP_DAC_OVERRIDE): a mode 000 file is still readable, so this case cannot be made")
		}
	},
	// An endless character device: read up to the limit, then rejected.
	"dev-zero": func(t testing.TB, dir string) {
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skip("no /dev/zero")
		}
		if err := os.Symlink("/dev/zero", filepath.Join(dir, "topo.yaml")); err != nil {
			t.Fatal(err)
		}
	},
	// A symbolic link that points nowhere.
	"dangling-symlink": func(t testing.TB, dir string) {
		if err := os.Symlink("missing.yaml", filepath.Join(dir, "topo.yaml")); err != nil {
			t.Fatal(err)
		}
	},
	// The Service Tags file named by a topology is a symbolic link out of
	// the topology's directory, to a file that is valid JSON.
	"servicetags-symlink-out": func(t testing.TB, dir string) {
		outside := filepath.Join(t.TempDir(), "secret.json")
		write(t, filepath.Dir(outside), "secret.json", []byte(`{"values": []}`))
		if err := os.Symlink(outside, filepath.Join(dir, "tags.json")); err != nil {
			t.Skipf("symlink: %v", err)
		}
	},
	// The Service Tags file named by a topology is a directory.
	"servicetags-directory": func(t testing.TB, dir string) {
		if err := os.Mkdir(filepath.Join(dir, "tags.json"), 0o755); err != nil {
			t.Fatal(err)
		}
	},
	// An 18 MB Terraform plan of 20,000 NICs, each linked to its subnet
	// through the configuration's count.index reference (linking was
	// quadratic: a minute), and one more NIC whose reference names the
	// 20,000 subnets without saying which: refused at its path once every
	// other link is made.
	"tfplan-18mb-linking": func(t testing.TB, dir string) {
		const n = 20000
		var b strings.Builder
		b.WriteString(`{"format_version": "1.2", "planned_values": {"root_module": {"resources": [`)
		b.WriteString(`{"address": "azurerm_virtual_network.hub", "mode": "managed", "type": "azurerm_virtual_network", "name": "hub", "values": {"name": "hub", "resource_group_name": "rg", "location": "westeurope", "address_space": ["10.0.0.0/8"]}}`)
		for i := range n {
			fmt.Fprintf(&b, `, {"address": "azurerm_subnet.s[%d]", "mode": "managed", "type": "azurerm_subnet", "name": "s", "index": %d, "values": {"name": "s%d", "resource_group_name": "rg", "virtual_network_name": "hub", "address_prefixes": ["10.%d.%d.%d/27"]}}`,
				i, i, i, i*32>>16, i*32>>8&255, i*32&255)
			fmt.Fprintf(&b, `, {"address": "azurerm_network_interface.nic[%d]", "mode": "managed", "type": "azurerm_network_interface", "name": "nic", "index": %d, "values": {"name": "nic%d", "resource_group_name": "rg", "location": "westeurope", "tags": {"owner": "team-a", "cost-center": "12345", "environment": "production"}, "ip_configuration": [{"name": "ip", "private_ip_address_allocation": "Dynamic", "primary": true}]}}`, i, i, i)
			fmt.Fprintf(&b, `, {"address": "azurerm_linux_virtual_machine.vm[%d]", "mode": "managed", "type": "azurerm_linux_virtual_machine", "name": "vm", "index": %d, "values": {"name": "vm%d", "resource_group_name": "rg", "location": "westeurope", "size": "Standard_B2s", "admin_username": "azureuser", "source_image_reference": [{"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"}]}}`, i, i, i)
		}
		b.WriteString(`, {"address": "azurerm_network_interface.extra", "mode": "managed", "type": "azurerm_network_interface", "name": "extra", "values": {"name": "extra", "resource_group_name": "rg", "location": "westeurope", "ip_configuration": [{"name": "ip", "private_ip_address_allocation": "Dynamic"}]}}`)
		b.WriteString(`]}}, "configuration": {"root_module": {"resources": [`)
		b.WriteString(`{"address": "azurerm_network_interface.nic", "mode": "managed", "type": "azurerm_network_interface", "name": "nic", "expressions": {"ip_configuration": [{"subnet_id": {"references": ["azurerm_subnet.s[count.index].id", "azurerm_subnet.s", "count.index"]}}]}}, `)
		b.WriteString(`{"address": "azurerm_linux_virtual_machine.vm", "mode": "managed", "type": "azurerm_linux_virtual_machine", "name": "vm", "expressions": {"network_interface_ids": {"references": ["azurerm_network_interface.nic[count.index].id", "azurerm_network_interface.nic", "count.index"]}}}, `)
		b.WriteString(`{"address": "azurerm_network_interface.extra", "mode": "managed", "type": "azurerm_network_interface", "name": "extra", "expressions": {"ip_configuration": [{"subnet_id": {"references": ["azurerm_subnet.s.id", "azurerm_subnet.s"]}}]}}`)
		b.WriteString("]}}}\n")
		if err := os.WriteFile(filepath.Join(dir, "plan.json"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	},
	// A Service Tags file of 60 MB, under the 64 MiB limit, that is not
	// JSON after its first bytes: read, and placed at its first zero byte.
	"servicetags-60mb": func(t testing.TB, dir string) {
		f, err := os.Create(filepath.Join(dir, "tags.json"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString("{\"values\": [\n"); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(60 << 20); err != nil {
			t.Fatal(err)
		}
	},
	// A Service Tags file of 100 MB of zero bytes after an unclosed
	// bracket: refused from its size.
	"servicetags-100mb": func(t testing.TB, dir string) {
		f, err := os.Create(filepath.Join(dir, "tags.json"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString("{\"values\": ["); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(100 << 20); err != nil {
			t.Fatal(err)
		}
	},
	// A 300 MB Service Tags file (sparse): refused from its size.
	"servicetags-300mb": func(t testing.TB, dir string) {
		f, err := os.Create(filepath.Join(dir, "tags.json"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(300 << 20); err != nil {
			t.Fatal(err)
		}
	},
	// JSON nested 100,000 deep, for the importers.
	"json-deep": func(t testing.TB, dir string) {
		write(t, dir, "in.json", []byte(`{"value": `+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+"}"))
	},
	// A JSON file one byte over the JSON input size of the default memory
	// budget (256 MiB), for the importers: sparse, refused from its size.
	"json-over-budget": func(t testing.TB, dir string) {
		f, err := os.Create(filepath.Join(dir, "in.json"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(`{"value": [`); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(topology.DefaultBudget.Limits().FileSize + 1); err != nil {
			t.Fatal(err)
		}
	},
	// A JSON file well under the size limit whose values would cost more
	// than the memory budget once decoded: one value past the default
	// budget's JSONValues, each an empty object (3 bytes of JSON, a map
	// decoded), on lines of 1,000.
	"json-values-over-budget": func(t testing.TB, dir string) {
		n := topology.DefaultBudget.Limits().JSONValues // the array is one value
		var b bytes.Buffer
		b.WriteString("[")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
				if i%1000 == 0 {
					b.WriteString("\n")
				}
			}
			b.WriteString("{}")
		}
		b.WriteString("]\n")
		write(t, dir, "in.json", b.Bytes())
	},
}

func write(t testing.TB, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBadInputs runs every case of the corpus in testdata/bad.
func TestBadInputs(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < minCorpus {
		t.Errorf("testdata/bad holds %d cases, want at least %d", len(files), minCorpus)
	}
	update := os.Getenv("NSGSIM_UPDATE") != ""
	used := map[string]bool{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		file, err := filepath.Abs(file)
		if err != nil {
			t.Fatal(err)
		}
		used[readBadCase(t, file).generate] = true
		t.Run(name, func(t *testing.T) { runBadCase(t, file, update) })
	}
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() == "" {
		for g := range generators {
			if !used[g] {
				t.Errorf("generator %q is used by no case", g)
			}
		}
	}
}

// positioned matches a message line that says where the problem is:
// FILE:LINE:COL in a YAML topology, FILE and a JSON path (or a message about
// the whole file) in JSON, or a usage error
// naming the command.
var positioned = regexp.MustCompile(`^(?:` +
	`[^\s:]+:\d+:\d+: \S` + // topo.yaml:12:7: ...
	`|[^\s:]+: \S` + // nsg.json: [0].properties...: ... (JSON has a path, not lines)
	`|nsgsim [a-z]+: \S` + // nsgsim import: unknown kind ...
	`)`)

// badCase is a parsed corpus file.
type badCase struct {
	args      []string
	generate  string
	exit      int
	within    time.Duration
	alloc     uint64
	want      string // standard error
	stdout    string // standard output, of a case that exits 0 or 1
	stdoutSum string // its SHA-256, when too long to hold
	ar        *txtar.Archive
}

func readBadCase(t testing.TB, file string) badCase {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c := badCase{ar: ar, exit: exitUsage, within: caseWithin, alloc: caseAlloc}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		key, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch key {
		case "args":
			c.args = strings.Fields(v)
		case "generate":
			c.generate = v
		case "exit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 2 {
				t.Fatalf("%s: exit: %q: expected 0, 1 or 2", file, v)
			}
			c.exit = n
		case "within":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 || d > caseTimeout {
				t.Fatalf("%s: within: %q: expected a duration up to %v", file, v, caseTimeout)
			}
			c.within = d
		case "alloc":
			b, err := topology.ParseBudget(v)
			if err != nil {
				t.Fatalf("%s: alloc: %q: expected a size such as 64MiB", file, v)
			}
			c.alloc = uint64(b)
		case "stdout-sha256":
			c.stdoutSum = v
		}
	}
	for _, f := range ar.Files {
		switch f.Name {
		case "want":
			c.want = string(f.Data)
			continue
		case "stdout":
			c.stdout = string(f.Data)
			continue
		}
		if c.args == nil {
			c.args = []string{"simulate", f.Name, "-o", "out.svg"}
		}
	}
	if c.args == nil {
		t.Fatalf("%s: no input file and no args: directive", file)
	}
	if c.generate != "" && generators[c.generate] == nil {
		if platformGenerators[c.generate] {
			t.Skipf("%s: generator %q makes device nodes or sockets, on Linux only", file, c.generate)
		}
		t.Fatalf("%s: unknown generator %q", file, c.generate)
	}
	return c
}

// prepare writes the inputs of case c into a new directory and returns it.
func (c badCase) prepare(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range c.ar.Files {
		if f.Name == "want" || f.Name == "stdout" {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(f.Name)), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, dir, f.Name, f.Data)
	}
	if c.generate != "" {
		generators[c.generate](t, dir)
	}
	return dir
}

// runBadCase runs one case.
func runBadCase(t *testing.T, file string, update bool) {
	c := readBadCase(t, file)
	if heavy[c.generate] && (testing.Short() || raceEnabled) {
		t.Skip("a heavy case (seconds of parsing); skipped with -short and under -race, run by the plain go test")
	}
	dir := c.prepare(t)
	before := snapshot(t, dir)
	t.Chdir(dir)

	code, stdout, stderr, alloc, elapsed := runBounded(t, c.args)
	cmd := "nsgsim " + strings.Join(c.args, " ")

	if code != c.exit {
		t.Errorf("%s: exit %d, want %d; stderr:\n%s", cmd, code, c.exit, stderr)
	}
	if c.exit == exitUsage {
		if after := snapshot(t, dir); after != before {
			t.Errorf("%s changed the directory:\nbefore:\n%safter:\n%s", cmd, before, after)
		}
		if stdout != "" {
			t.Errorf("%s: wrote to standard output:\n%s", cmd, stdout)
		}
		// A usage error is followed by the command's usage (cli_test.go
		// checks it), which is not a message: the want file holds the
		// message alone.
		message, usage, isUsage := strings.Cut(stderr, "\n\nUsage:\n")
		if isUsage {
			if !strings.HasPrefix(usage, "  nsgsim ") {
				t.Errorf("%s: the usage after the message is not a command's:\n%s", cmd, usage)
			}
			stderr = message + "\n"
		}
		for _, line := range strings.Split(strings.TrimSuffix(message, "\n"), "\n") {
			if !positioned.MatchString(line) {
				t.Errorf("%s: message line %q says neither where nor which command", cmd, line)
			}
		}
	}
	if alloc > c.alloc {
		t.Errorf("%s allocated %d MiB, want at most %d MiB", cmd, alloc>>20, c.alloc>>20)
	}
	t.Logf("%v, %d KiB allocated", elapsed.Round(time.Millisecond), alloc>>10)
	if update {
		if stderr != c.want || c.exit != exitUsage && !c.sameStdout(stdout) {
			rewriteCase(t, file, c.ar, stderr, stdout, c.exit != exitUsage)
		}
		return
	}
	if stderr != c.want {
		t.Errorf("%s: stderr:\n%s\nwant:\n%s", cmd, stderr, c.want)
	}
	if c.exit != exitUsage && !c.sameStdout(stdout) {
		if c.stdoutSum != "" {
			t.Errorf("%s: standard output (%d bytes) has SHA-256 %s, want %s", cmd, len(stdout), sha256Hex(stdout), c.stdoutSum)
		} else {
			t.Errorf("%s: stdout:\n%s\nwant:\n%s", cmd, stdout, c.stdout)
		}
	}
}

// sameStdout reports whether stdout is the case's standard output: whole,
// or by its digest.
func (c badCase) sameStdout(stdout string) bool {
	if c.stdoutSum != "" {
		return sha256Hex(stdout) == c.stdoutSum
	}
	return stdout == c.stdout
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// BenchmarkBadInputs runs every case of the corpus, each as
// BenchmarkBadInputs/NAME, reporting its time (ns/op) and allocations
// (B/op), and fails a case whose time or allocations pass the bounds its
// file gives (within, alloc). Each run starts from the same inputs: a case
// that exits 2 writes nothing, and one that exits 0 or 1 writes only what
// the next run replaces.
func BenchmarkBadInputs(b *testing.B) {
	files, err := filepath.Glob("testdata/bad/*.txtar")
	if err != nil {
		b.Fatal(err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		file, err := filepath.Abs(file)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			c := readBadCase(b, file)
			b.Chdir(c.prepare(b))
			b.ReportAllocs()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			for b.Loop() {
				var stdout, stderr bytes.Buffer
				if code := Main(c.args, &stdout, &stderr); code != c.exit {
					b.Fatalf("exit %d, want %d: %s", code, c.exit, stderr.String())
				}
			}
			runtime.ReadMemStats(&m1)
			perOp := time.Duration(b.Elapsed().Nanoseconds() / int64(b.N))
			if perOp > c.within {
				b.Errorf("%v per run, more than the case's bound of %v", perOp, c.within)
			}
			if a := (m1.TotalAlloc - m0.TotalAlloc) / uint64(b.N); a > c.alloc {
				b.Errorf("%d MiB allocated per run, more than the case's bound of %d MiB", a>>20, c.alloc>>20)
			}
		})
	}
}

// runBounded runs Main with args, failing the test when it takes longer
// than caseTimeout. It returns what Main allocated.
func runBounded(t *testing.T, args []string) (code int, stdout, stderr string, alloc uint64, elapsed time.Duration) {
	t.Helper()
	var out, errb bytes.Buffer
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	done := make(chan int, 1)
	start := time.Now()
	go func() {
		defer func() {
			if r := recover(); r != nil {
				fmt.Fprintf(&errb, "PANIC: %v", r)
				done <- -1
			}
		}()
		done <- Main(args, &out, &errb)
	}()
	select {
	case code = <-done:
	case <-time.After(caseTimeout):
		// The goroutine is abandoned; the test binary ends soon anyway.
		t.Fatalf("nsgsim %s did not finish within %v", strings.Join(args, " "), caseTimeout)
	}
	elapsed = time.Since(start)
	runtime.ReadMemStats(&m1)
	if code == -1 {
		t.Fatalf("nsgsim %s panicked: %s", strings.Join(args, " "), errb.String())
	}
	return code, out.String(), errb.String(), m1.TotalAlloc - m0.TotalAlloc, elapsed
}

// snapshot lists dir's entries with their kind, size, mode and time, so that
// a case can check that nothing was written, renamed or left behind.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		lines = append(lines, fmt.Sprintf("%s %v %d %v\n", rel, fi.Mode(), fi.Size(), fi.ModTime().UnixNano()))
		if d.IsDir() && fi.Mode().Perm()&0o500 != 0o500 {
			return fs.SkipDir
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "")
}

// rewriteCase writes the outcome of a run into the case's file: its
// standard error, and for a case that exits 0 or 1 its standard output,
// whole or, past maxStdout, as a digest.
func rewriteCase(t *testing.T, file string, ar *txtar.Archive, stderr, stdout string, withStdout bool) {
	t.Helper()
	files := ar.Files[:0:0]
	for _, f := range ar.Files {
		if f.Name != "want" && f.Name != "stdout" {
			files = append(files, f)
		}
	}
	files = append(files, txtar.File{Name: "want", Data: []byte(stderr)})
	var comment []string
	for _, line := range strings.SplitAfter(string(ar.Comment), "\n") {
		if !strings.HasPrefix(line, "stdout-sha256:") && line != "" {
			comment = append(comment, line)
		}
	}
	if withStdout {
		if len(stdout) > maxStdout {
			comment = append(comment, "stdout-sha256: "+sha256Hex(stdout)+"\n")
		} else {
			files = append(files, txtar.File{Name: "stdout", Data: []byte(stdout)})
		}
	}
	ar.Comment, ar.Files = []byte(strings.Join(comment, "")), files
	if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("updated %s", file)
}
