package gen

import (
	"fmt"
	"math/bits"
	"net/netip"

	"github.com/nsgsim/nsgsim/topology"
)

// Options size a generated topology.
type Options struct {
	Seed        uint64
	VNets       int // virtual networks, the hub included
	Subnets     int // subnets, AzureBastionSubnet included
	VMs         int // virtual machines
	RulesPerNSG int // custom rules of each workload NSG
	// NSGs is the number of workload NSGs, independent of the VNets: the
	// workload subnets are shared out among them. 0 means one NSG per group
	// of 20 spoke VNets (and two legacy NSGs near Azure's rule limit).
	NSGs int
}

// MaxRulesPerNSG is Azure's limit on the security rules of one NSG
// (topology.MaxRulesPerNSG).
const MaxRulesPerNSG = topology.MaxRulesPerNSG

// Estimates used to keep a generated file within the file size that the
// loader's memory budget allows (topology.Budget). They are upper bounds of
// what the templates below emit, checked by the tests.
const (
	nodesPerRule = 26  // a flow-style rule mapping, lists included
	bytesPerRule = 300 // one rule on one line
	nodesPerVM   = 15  // worst case: NIC NSG and an ASG
	bytesPerVM   = 150
	budgetShare  = 0.9 // of the file size the memory budget allows
)

// Names of the tiers a spoke's subnets cycle through, and the ports each
// tier serves.
var tiers = []string{"web", "app", "data", "cache", "mgmt", "batch"}

var tierPorts = map[string][]string{
	"web":   {"80", "443", "8443"},
	"app":   {"8080", "8443", "9000-9010"},
	"data":  {"1433", "5432", "3306", "27017"},
	"cache": {"6379", "6380", "11211"},
	"mgmt":  {"22", "3389", "5985-5986"},
	"batch": {"10000-10100", "443", "29876-29877"},
}

// onPremises are the ranges the hub reaches through its gateway; rules name
// /24s and hosts inside them.
var onPremises = []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("172.16.0.0/12")}

// plan is the layout of a topology before its rules are written.
type plan struct {
	o       Options
	r       *rng
	vnets   []*vnetPlan
	bastion netip.Prefix // AzureBastionSubnet
	spaces  []netip.Prefix
	subnets []*subnetPlan // workload subnets, all VNets
}

type vnetPlan struct {
	index   int
	name    string
	short   string // in ASG names
	space   netip.Prefix
	subnets []*subnetPlan // workload subnets
	asgs    []string      // ASGs with members in this VNet, by tier order
	legacy  bool          // its subnets use a legacy NSG
}

type subnetPlan struct {
	vnet   *vnetPlan
	name   string
	tier   string
	prefix netip.Prefix
	vms    int
	nsg    string
}

func (o Options) check() error {
	switch {
	case o.VNets < 1:
		return fmt.Errorf("--vnets %d: need at least 1 (the hub)", o.VNets)
	case o.Subnets < o.VNets:
		return fmt.Errorf("--subnets %d: need at least %d, AzureBastionSubnet and one subnet per spoke VNet", o.Subnets, o.VNets)
	case o.VMs < 0:
		return fmt.Errorf("--vms %d: must not be negative", o.VMs)
	case o.VMs > 0 && o.Subnets < 2:
		return fmt.Errorf("--vms %d: VMs need a workload subnet besides AzureBastionSubnet; raise --subnets", o.VMs)
	case int64(o.VMs)*bytesPerVM > topology.CurrentBudget().Limits().TopologySize:
		return fmt.Errorf("--vms %d: about %d bytes of YAML, past the %d bytes nsgsim reads with its memory budget of %s",
			o.VMs, o.VMs*bytesPerVM, topology.CurrentBudget().Limits().TopologySize, topology.CurrentBudget())
	case o.NSGs < 0:
		return fmt.Errorf("--nsgs %d: must not be negative", o.NSGs)
	case o.NSGs > max(o.Subnets-1, 0):
		return fmt.Errorf("--nsgs %d: at most one per workload subnet (%d); raise --subnets", o.NSGs, max(o.Subnets-1, 0))
	case o.RulesPerNSG < 0 || o.RulesPerNSG > MaxRulesPerNSG:
		return fmt.Errorf("--rules-per-nsg %d out of range [0, %d] (Azure's limit per NSG)", o.RulesPerNSG, MaxRulesPerNSG)
	}
	return nil
}

// Generate builds a synthetic hub-and-spoke topology. The same options give
// the same topology.
func Generate(o Options) (*topology.Topology, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	p := &plan{o: o, r: newRNG(o.Seed, 1)}
	if err := p.layout(); err != nil {
		return nil, err
	}
	t := &topology.Topology{Name: fmt.Sprintf("synthetic-seed%d", o.Seed), Location: "westeurope"}
	p.virtualNetworks(t)
	p.machines(t)
	if err := p.securityGroups(t); err != nil {
		return nil, err
	}
	p.extras(t)
	return t, nil
}

// layout distributes subnets and VMs over the VNets and gives every VNet and
// subnet its addresses.
func (p *plan) layout() error {
	o := p.o
	workload := o.Subnets - 1
	counts := make([]int, o.VNets)
	if workload >= o.VNets {
		for v := range counts {
			counts[v] = workload / o.VNets
			if v < workload%o.VNets {
				counts[v]++
			}
		}
	} else {
		for v := 1; v < o.VNets; v++ {
			counts[v] = 1
		}
	}
	digits := len(fmt.Sprint(o.VNets - 1))
	for v := range o.VNets {
		vp := &vnetPlan{index: v, name: "vnet-hub", short: "hub"}
		if v > 0 {
			vp.short = fmt.Sprintf("s%0*d", digits, v)
			vp.name = "vnet-spoke-" + vp.short[1:]
		}
		for j := range counts[v] {
			tier := tiers[j%len(tiers)]
			sp := &subnetPlan{vnet: vp, tier: tier, name: fmt.Sprintf("snet-%s-%02d", tier, j/len(tiers)+1)}
			vp.subnets = append(vp.subnets, sp)
			p.subnets = append(p.subnets, sp)
		}
		p.vnets = append(p.vnets, vp)
	}
	// VMs: each subnet gets a share weighted 1 to 3.
	if len(p.subnets) > 0 {
		weights := make([]int, len(p.subnets))
		sum := 0
		for i := range weights {
			weights[i] = p.r.between(1, 3)
			sum += weights[i]
		}
		given := 0
		for i, sp := range p.subnets {
			sp.vms = o.VMs * weights[i] / sum
			given += sp.vms
		}
		for i := 0; given < o.VMs; i = (i + 1) % len(p.subnets) {
			p.subnets[i].vms++
			given++
		}
	}
	// Addresses: VNets one after the other in 10.0.0.0/8, each a power of
	// two that holds its subnets, each subnet room for its VMs, Azure's five
	// reserved addresses and a quarter to grow.
	next := uint64(10) << 24
	end := uint64(11) << 24
	for _, vp := range p.vnets {
		var sizes []int // prefix lengths, in subnet order
		if vp.index == 0 {
			sizes = append(sizes, 26) // AzureBastionSubnet: /26 or larger (bastion configuration settings)
		}
		for _, sp := range vp.subnets {
			sizes = append(sizes, prefixFor(sp.vms+5+sp.vms/4))
		}
		offsets, total := pack(sizes)
		vbits := min(prefixFor(int(total)), 24)
		size := uint64(1) << (32 - vbits)
		base := (next + size - 1) &^ (size - 1)
		if base+size > end {
			return fmt.Errorf("%d VNets with %d VMs do not fit in 10.0.0.0/8", o.VNets, o.VMs)
		}
		next = base + size
		vp.space = prefixAt(base, vbits)
		i := 0
		if vp.index == 0 {
			p.bastion = prefixAt(base+offsets[0], 26)
			i = 1
		}
		for _, sp := range vp.subnets {
			sp.prefix = prefixAt(base+offsets[i], sizes[i])
			i++
		}
		p.spaces = append(p.spaces, vp.space)
	}
	return nil
}

// prefixFor returns the longest prefix length, at most /28, that holds n
// addresses.
func prefixFor(n int) int {
	if n <= 16 {
		return 28
	}
	return 32 - bits.Len(uint(n-1))
}

// pack places blocks of the given prefix lengths, largest first so that each
// is aligned, and returns each block's offset and the space used.
func pack(lengths []int) ([]uint64, uint64) {
	order := make([]int, len(lengths))
	for i := range order {
		order[i] = i
	}
	// Stable insertion sort by size, largest (shortest prefix) first.
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && lengths[order[j]] < lengths[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	offsets := make([]uint64, len(lengths))
	var at uint64
	for _, i := range order {
		offsets[i] = at
		at += uint64(1) << (32 - lengths[i])
	}
	return offsets, at
}

func prefixAt(v uint64, length int) netip.Prefix {
	return netip.PrefixFrom(addrAt(v), length)
}

func addrAt(v uint64) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func addrValue(a netip.Addr) uint64 {
	b := a.As4()
	return uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
}

// virtualNetworks adds the hub and the spokes, each spoke peered with the
// hub.
func (p *plan) virtualNetworks(t *topology.Topology) {
	for _, vp := range p.vnets {
		v := &topology.VirtualNetwork{Name: vp.name, AddressSpace: []netip.Prefix{vp.space}}
		if vp.index == 0 {
			v.OnPremisesPrefixes = onPremises
			v.Subnets = append(v.Subnets, &topology.Subnet{
				Name: topology.BastionSubnetName, AddressPrefix: p.bastion, NetworkSecurityGroup: "nsg-bastion",
			})
		} else {
			v.Peerings = []string{p.vnets[0].name}
		}
		for _, sp := range vp.subnets {
			v.Subnets = append(v.Subnets, &topology.Subnet{Name: sp.name, AddressPrefix: sp.prefix})
		}
		t.VirtualNetworks = append(t.VirtualNetworks, v)
	}
}

// machines adds the VMs, their ASG memberships and NIC NSGs.
func (p *plan) machines(t *topology.Topology) {
	r := newRNG(p.o.Seed, 2)
	digits := len(fmt.Sprint(p.o.VMs))
	n := 0
	asgSeen := make(map[string]bool)
	for _, vp := range p.vnets {
		for _, sp := range vp.subnets {
			base := addrValue(sp.prefix.Addr())
			asg := "asg-" + vp.short + "-" + sp.tier
			for k := range sp.vms {
				n++
				vm := &topology.VirtualMachine{
					Name:             fmt.Sprintf("vm-%s-%0*d", sp.tier, digits, n),
					VirtualNetwork:   vp.name,
					Subnet:           sp.name,
					PrivateIPAddress: addrAt(base + 4 + uint64(k)), // .0-.3 are reserved
					OS:               topology.Linux,
				}
				if r.chance(0.4) {
					vm.OS = topology.Windows
				}
				if r.chance(0.3) {
					vm.ApplicationSecurityGroups = []string{asg}
					if !asgSeen[asg] {
						asgSeen[asg] = true
						vp.asgs = append(vp.asgs, asg)
					}
				}
				if r.chance(0.04) {
					vm.NetworkSecurityGroup = pick(r, nicNSGs).name
				}
				t.VirtualMachines = append(t.VirtualMachines, vm)
			}
		}
	}
	for _, vp := range p.vnets {
		for _, a := range vp.asgs {
			t.ApplicationSecurityGroups = append(t.ApplicationSecurityGroups, &topology.ApplicationSecurityGroup{Name: a})
		}
	}
}

// extras adds the Bastion host, the clients and a few user flows.
func (p *plan) extras(t *topology.Topology) {
	t.BastionHosts = []*topology.BastionHost{{
		Name: "bastion-hub", VirtualNetwork: p.vnets[0].name, SKU: topology.Standard, ScaleUnits: 2,
		EnableTunneling: true,
	}}
	t.Clients = []*topology.Client{
		{Name: "corp-office", AddressPrefixes: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}},
		{Name: "remote-vpn", AddressPrefixes: []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24")}},
	}
	r := newRNG(p.o.Seed, 4)
	n := min(20, len(t.VirtualMachines)/100)
	for i := range n {
		src := pick(r, t.VirtualMachines)
		dst := pick(r, t.VirtualMachines)
		t.Flows = append(t.Flows, &topology.Flow{
			Name: fmt.Sprintf("flow-%02d-%s-to-%s", i+1, src.Name, dst.Name), Source: src.Name, Destination: dst.Name,
			Protocol: topology.Tcp, DestinationPort: pick(r, []uint16{443, 1433, 5432, 6379, 8080}),
		})
	}
}
