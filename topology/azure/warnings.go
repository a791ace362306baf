package azure

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// scaleSetType is the type of a VM scale set, which nsgsim does not model:
// its instances' addresses are known only in Azure.
const scaleSetType = "Microsoft.Compute/virtualMachineScaleSets"

// warnf records a warning about the value at n: something the importer
// passed over without refusing the input.
func (a *assembler) warnf(file string, n node, format string, args ...any) {
	pos := topology.Pos{File: file, Path: n.pathOf()}
	a.warns = append(a.warns, &topology.Error{Pos: pos, Msg: topology.ClipQuoted(fmt.Sprintf(format, args...))})
}

// readAt is where a value was read.
type readAt struct {
	file string
	n    node
}

// note remembers the first position given.
func (p *readAt) note(file string, n node) {
	if p.file == "" {
		p.file, p.n = file, n
	}
}

// unmodelledWarnings lists the VM scale sets and the public IPs without an
// address of the inputs, one warning each kind, so that nothing vanishes silently.
func (a *assembler) unmodelledWarnings() {
	if len(a.scaleSets) > 0 {
		a.warnf(a.scaleSetAt.file, a.scaleSetAt.n, "%s not modelled: %s; their instances get no flows (nsgsim models single virtual machines)",
			plural(len(a.scaleSets), "VM scale set is", "VM scale sets are"), listNames(a.scaleSets))
	}
	if len(a.dynamicIPs) > 0 {
		a.warnf(a.dynamicIPAt.file, a.dynamicIPAt.n, "%s no address until deployed (dynamic, or any in a template): %s; their VMs are imported without a public IP, so the lint for VMs with a public IP does not see them",
			plural(len(a.dynamicIPs), "public IP has", "public IPs have"), listNames(a.dynamicIPs))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// listNames lists names sorted, quoted, the first twenty.
func listNames(names []string) string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	sorted = compactStrings(sorted)
	var b strings.Builder
	for i, n := range sorted {
		if i == 20 {
			fmt.Fprintf(&b, " and %d more", len(sorted)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", n)
	}
	return b.String()
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func sortedKeysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
