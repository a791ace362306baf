package topology

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"
)

// randomPrefixes makes n prefixes in 10.0.0.0/16, some nested, some
// overlapping, some disjoint.
func randomPrefixes(r *rand.Rand, n int) []netip.Prefix {
	out := make([]netip.Prefix, n)
	for i := range out {
		a := netip.AddrFrom4([4]byte{10, 0, byte(r.IntN(256)), byte(r.IntN(256))})
		out[i] = netip.PrefixFrom(a, 16+r.IntN(17)).Masked()
	}
	return out
}

// The slow, obvious versions of overlap and cover.contains.
func overlapRef(as, bs []netip.Prefix) bool {
	for _, a := range as {
		for _, b := range bs {
			if a.Overlaps(b) {
				return true
			}
		}
	}
	return false
}

func containsRef(space []netip.Prefix, p netip.Prefix) bool {
	for _, s := range space {
		if s.Bits() <= p.Bits() && s.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

func TestOverlapAgreesWithReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		as, bs := randomPrefixes(r, r.IntN(6)), randomPrefixes(r, r.IntN(6))
		a, b, got := overlap(as, bs)
		if want := overlapRef(as, bs); got != want {
			t.Fatalf("case %d: overlap(%v, %v) = %v, want %v", i, as, bs, got, want)
		}
		if got && !a.Overlaps(b) {
			t.Fatalf("case %d: overlap(%v, %v) returned %v and %v, which do not overlap", i, as, bs, a, b)
		}
	}
}

func TestCoverAgreesWithReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		space := randomPrefixes(r, r.IntN(5))
		c := newCover(space)
		for _, p := range randomPrefixes(r, 5) {
			if got, want := c.contains(p), containsRef(space, p); got != want {
				t.Fatalf("case %d: cover(%v).contains(%v) = %v, want %v", i, space, p, got, want)
			}
		}
	}
}

func TestReservedAddress(t *testing.T) {
	subnet := netip.MustParsePrefix("10.0.1.0/24")
	for _, c := range []struct {
		addr string
		want bool
	}{
		{"10.0.1.0", true}, {"10.0.1.1", true}, {"10.0.1.2", true}, {"10.0.1.3", true},
		{"10.0.1.4", false}, {"10.0.1.254", false}, {"10.0.1.255", true},
	} {
		if got := reservedAddress(subnet, netip.MustParseAddr(c.addr)); got != c.want {
			t.Errorf("reservedAddress(%v, %s) = %v, want %v", subnet, c.addr, got, c.want)
		}
	}
	if got := lastAddr(netip.MustParsePrefix("0.0.0.0/0")); got != netip.MustParseAddr("255.255.255.255") {
		t.Errorf("lastAddr(0.0.0.0/0) = %v", got)
	}
}

func TestSuggest(t *testing.T) {
	for _, c := range []struct {
		word string
		want string
	}{
		{"virtualNetwork", "virtualNetworks"},
		{"EnableIPConnect", "enableIpConnect"}, // case only
		{"hbu", "hub"},                         // transposition
		{"zone", ""},                           // two edits from "name" is too far for four letters
		{"", ""},
	} {
		cands := append(append([]string{"hub"}, topologyKeys...), bastionHostKeys[2:]...) // not virtualNetwork
		if got := suggest(c.word, cands); got != c.want {
			t.Errorf("suggest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}

// TestLargeInputsStayFast loads topologies near the node limit whose
// checks would take hours if they compared every pair.
func TestLargeInputsStayFast(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	var subnets, vms, keys strings.Builder
	subnets.WriteString("virtualNetworks:\n  - name: hub\n    addressSpace: [10.0.0.0/8]\n    subnets:\n")
	vms.WriteString("virtualMachines:\n")
	keys.WriteString("virtualNetworks:\n  - name: v\n    addressSpace: [10.0.0.0/8]\n")
	for i := range 40000 {
		// Every subnet overlaps every other: comparing pairs would take
		// 800 million steps.
		fmt.Fprintf(&subnets, "      - {name: s%d, addressPrefix: 10.0.0.0/24}\n", i)
		fmt.Fprintf(&vms, "  - {name: vm%d, subnet: hub/s%d, privateIpAddress: 10.0.0.4, os: Linux}\n", i, i)
		fmt.Fprintf(&keys, "    unknownKey%d: 1\n", i)
	}
	for name, src := range map[string]string{
		"overlapping-subnets": subnets.String(),
		"subnets-and-vms":     subnets.String() + vms.String(),
		"unknown-keys":        keys.String(),
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse("big.yaml", []byte(src))
			if err == nil {
				t.Fatal("Parse = nil error; want many problems")
			}
			if elapsed := time.Since(start); elapsed > 20*time.Second {
				t.Errorf("Parse(%s) took %v", name, elapsed)
			}
			t.Logf("%s: %d bytes, %d problems, %v", name, len(src), strings.Count(err.Error(), "\n")+1, time.Since(start))
		})
	}
}

// A custom port listed twice would make two flows BASTION/port-N/VM with one
// ID (SPEC 1.1); Bastion's custom ports are a list of distinct ports
// (https://learn.microsoft.com/en-us/azure/bastion/configuration-settings#ports).
func TestCustomPortListedTwice(t *testing.T) {
	src := `
virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    subnets:
      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26}
bastionHosts:
  - name: bas
    virtualNetwork: hub
    sku: Standard
    customPorts: [2222, 8022, 2222]
`
	_, err := Parse("ports.yaml", []byte(src))
	want := "ports.yaml:11:31: bastion host \"bas\": customPorts[2]: port 2222 is already listed as customPorts[0] (first at 11:19); list each port once"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

// A Bastion host without sku is Basic in every input (DefaultSKU): a
// deployment without sku gets Basic, and the azurerm provider's default is
// Basic (https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/bastion_host#sku);
// features that need Standard are then reported, not assumed
// (https://learn.microsoft.com/en-us/azure/bastion/bastion-sku-comparison).
func TestBastionSKUDefault(t *testing.T) {
	src := `
virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    subnets:
      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26}
bastionHosts:
  - {name: bas, virtualNetwork: hub}
`
	topo, err := Parse("sku.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if b := topo.BastionHosts[0]; b.SKU != Basic || DefaultSKU != Basic || b.ScaleUnits != DefaultScaleUnits {
		t.Errorf("bastion without sku = %v with %d scale units, want Basic with 2", b.SKU, b.ScaleUnits)
	}
	out, err := Marshal(topo)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "sku") {
		t.Errorf("Marshal writes the default sku:\n%s", out)
	}
}

// TestValidateNSGsInParallel checks that the NSGs, validated in parallel,
// give every problem, with its suggestion, the same whatever the number of
// workers.
func TestValidateNSGsInParallel(t *testing.T) {
	top := &Topology{File: "p.yaml", ApplicationSecurityGroups: []*ApplicationSecurityGroup{{Name: "asg-web"}}}
	for i := range 300 {
		g := &NetworkSecurityGroup{Name: fmt.Sprintf("nsg-%d", i)}
		for j := range 3 {
			r := &SecurityRule{Name: fmt.Sprintf("r%d", j), Priority: 100 + j%2, Direction: Inbound, Access: Allow, Protocol: Tcp,
				Source: Addresses{ApplicationSecurityGroups: []string{"asg-webb"}}, Destination: Addresses{Any: true},
				SourcePorts: []PortRange{AllPorts}, DestinationPorts: []PortRange{{22, 22}}}
			r.Origin.Pos = Pos{File: "p.yaml", Line: 10*i + j + 1, Col: 5}
			g.SecurityRules = append(g.SecurityRules, r)
		}
		top.NetworkSecurityGroups = append(top.NetworkSecurityGroups, g)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var want string
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		errs := Validate(top)
		if len(errs) != 300*4 {
			t.Fatalf("GOMAXPROCS %d: %d problems, want %d (3 unknown ASGs and a repeated priority per NSG)", procs, len(errs), 300*4)
		}
		got := ErrorText(errs)
		if !strings.Contains(got, `p.yaml:2991:5: rule "r0": sourceApplicationSecurityGroups[0]: unknown application security group "asg-webb"; did you mean "asg-web"?`) {
			t.Fatalf("GOMAXPROCS %d: no suggestion for the last NSG's rule:\n%s", procs, got)
		}
		if want == "" {
			want = got
		} else if got != want {
			t.Fatalf("GOMAXPROCS %d: the problems differ from those with one worker", procs)
		}
	}
}
