package flowgraph

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/multi"
	"gonum.org/v1/gonum/graph/traverse"

	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// Kind says what an endpoint is.
type Kind uint8

const (
	Client     Kind = iota // a declared client, or a default one (Internet, VirtualNetwork)
	ServiceTag             // a service tag: GatewayManager, AzureCloud, …
	Bastion                // a Bastion host (a Developer one sits outside the VNets, at 168.63.129.16)
	Subnet                 // a subnet, as a whole
	VM                     // a VM
	Address                // an IP or CIDR inside a subnet or VNet, not a VM's
	External               // an address outside every VNet
)

var kindNames = [...]string{"client", "service tag", "Bastion host", "subnet", "VM", "address", "external address"}

func (k Kind) String() string { return kindNames[k] }

// Node is an endpoint. Its ID is its place in Graph.Nodes; Key names it the
// same way in every graph of the same topology, so two graphs (before and
// after a change) can be compared node by node.
type Node struct {
	id      int64
	Kind    Kind
	Key     string // "vm:NAME", "bastion:NAME", "client:NAME", "tag:NAME", "subnet:VNET/SUBNET", "address:VNET/SUBNET:ADDR", "external:ADDR"
	Name    string // the VM, Bastion host, client, tag or subnet name; the address as written
	VNet    string // the VNet holding it, "" outside
	Subnet  string // the subnet holding it, "" outside or for an address in no subnet
	VM      *topology.VirtualMachine
	Bastion *topology.BastionHost
	Client  *topology.Client // a declared client; nil for the default ones and the rest
	Prefix  netip.Prefix     // Address and External
}

// ID implements graph.Node.
func (n *Node) ID() int64 { return n.id }

// Outside reports whether the node is drawn outside the VNets: clients,
// service tags, external addresses and Developer Bastion hosts.
func (n *Node) Outside() bool {
	switch n.Kind {
	case Client, ServiceTag, External:
		return true
	case Bastion:
		return n.Bastion.SKU == topology.Developer
	}
	return false
}

// Flow is an edge of the graph: one flow from its source to its
// destination, and its result. It implements graph.Line.
type Flow struct {
	id       int64
	from, to *Node
	Result   *sim.Result
}

func (f *Flow) From() graph.Node { return f.from }
func (f *Flow) To() graph.Node   { return f.to }
func (f *Flow) ID() int64        { return f.id }
func (f *Flow) ReversedLine() graph.Line {
	return &Flow{id: f.id, from: f.to, to: f.from, Result: f.Result}
}

// Source and Destination are the flow's two endpoints.
func (f *Flow) Source() *Node      { return f.from }
func (f *Flow) Destination() *Node { return f.to }

// Graph is the endpoints of a report's flows and the flows between them.
type Graph struct {
	Report *sim.Report
	g      *multi.DirectedGraph
	nodes  []*Node // by ID
	flows  []*Flow // by ID, in the report's order
	byKey  map[string]*Node
	byFlow map[string]*Flow
}

// Build makes the graph of a report: every VM, Bastion host and subnet of
// the topology, every other endpoint a flow names, and one edge per flow.
func Build(r *sim.Report) *Graph {
	g := &Graph{Report: r, g: multi.NewDirectedGraph(), byKey: map[string]*Node{}, byFlow: map[string]*Flow{}}
	l := newLocator(r.Topology)
	t := r.Topology
	for _, v := range t.VirtualNetworks {
		for _, s := range v.Subnets {
			g.add(&Node{Kind: Subnet, Key: "subnet:" + v.Name + "/" + s.Name, Name: s.Name, VNet: v.Name, Subnet: s.Name})
		}
	}
	for _, bh := range t.BastionHosts {
		n := &Node{Kind: Bastion, Key: "bastion:" + bh.Name, Name: bh.Name, Bastion: bh}
		if bh.SKU != topology.Developer {
			n.VNet, n.Subnet = bh.VirtualNetwork, topology.BastionSubnetName
		}
		g.add(n)
	}
	for _, vm := range t.VirtualMachines {
		g.add(&Node{Kind: VM, Key: "vm:" + vm.Name, Name: vm.Name, VNet: vm.VirtualNetwork, Subnet: vm.Subnet, VM: vm})
	}
	for _, res := range r.Results {
		f := &Flow{
			id:     int64(len(g.flows)),
			from:   g.endpoint(l, res.Flow.Source, res.Flow, false),
			to:     g.endpoint(l, res.Flow.Destination, res.Flow, true),
			Result: res,
		}
		g.flows = append(g.flows, f)
		g.g.SetLine(f)
		if _, dup := g.byFlow[res.Flow.ID]; !dup {
			g.byFlow[res.Flow.ID] = f
		}
	}
	return g
}

func (g *Graph) add(n *Node) *Node {
	if old := g.byKey[n.Key]; old != nil {
		return old
	}
	n.id = int64(len(g.nodes))
	g.nodes = append(g.nodes, n)
	g.byKey[n.Key] = n
	g.g.AddNode(n)
	return n
}

// endpoint returns the node of a flow's endpoint; dst says which end it is.
func (g *Graph) endpoint(l *locator, ep sim.Endpoint, f *sim.Flow, dst bool) *Node {
	switch ep.Kind {
	case sim.EndpointVM:
		if n := g.byKey["vm:"+ep.Name]; n != nil {
			return n
		}
	case sim.EndpointBastion:
		if n := g.byKey["bastion:"+ep.Name]; n != nil {
			return n
		}
	case sim.EndpointClient:
		return g.add(&Node{Kind: Client, Key: "client:" + ep.Name, Name: ep.Name, Client: l.clients[ep.Name]})
	case sim.EndpointServiceTag:
		return g.add(&Node{Kind: ServiceTag, Key: "tag:" + ep.Name, Name: ep.Name})
	case sim.EndpointExternal:
		// Bastion Developer's sessions come from 168.63.129.16: the host.
		if f.Bastion != "" && !dst {
			if n := g.byKey["bastion:"+f.Bastion]; n != nil {
				return n
			}
		}
	case sim.EndpointAddress:
		return g.address(l, ep)
	}
	return g.add(&Node{Kind: External, Key: "external:" + ep.Name, Name: ep.Name, Prefix: ep.Addr})
}

// address places an IP or CIDR: the VM that has the address, the subnet
// it is (or an address inside the subnet), an address in a VNet but in no
// subnet, or outside.
func (g *Graph) address(l *locator, ep sim.Endpoint) *Node {
	p := ep.Addr
	if !p.IsValid() {
		return g.add(&Node{Kind: External, Key: "external:" + ep.Name, Name: ep.Name})
	}
	if p.IsSingleIP() {
		if vm := l.vmByIP[p.Addr()]; vm != nil {
			return g.byKey["vm:"+vm.Name]
		}
	}
	for _, v := range l.t.VirtualNetworks {
		for _, s := range v.Subnets {
			sp := s.AddressPrefix
			if !sp.IsValid() || sp.Bits() > p.Bits() || !sp.Contains(p.Addr()) {
				continue
			}
			if sp.Masked() == p.Masked() {
				return g.byKey["subnet:"+v.Name+"/"+s.Name]
			}
			return g.add(&Node{Kind: Address, Key: "address:" + v.Name + "/" + s.Name + ":" + ep.Name, Name: ep.Name, VNet: v.Name, Subnet: s.Name, Prefix: p})
		}
	}
	for _, v := range l.t.VirtualNetworks {
		for _, sp := range v.AddressSpace {
			if sp.Bits() <= p.Bits() && sp.Contains(p.Addr()) {
				return g.add(&Node{Kind: Address, Key: "address:" + v.Name + ":" + ep.Name, Name: ep.Name, VNet: v.Name, Prefix: p})
			}
		}
	}
	return g.add(&Node{Kind: External, Key: "external:" + ep.Name, Name: ep.Name, Prefix: p})
}

// locator finds declared clients and VMs by address.
type locator struct {
	t       *topology.Topology
	clients map[string]*topology.Client
	vmByIP  map[netip.Addr]*topology.VirtualMachine
}

func newLocator(t *topology.Topology) *locator {
	l := &locator{t: t, clients: map[string]*topology.Client{}, vmByIP: map[netip.Addr]*topology.VirtualMachine{}}
	for _, c := range t.Clients {
		l.clients[c.Name] = c
	}
	for _, vm := range t.VirtualMachines {
		// The first VM declared with an address takes it, as the engine
		// reads the topology.
		if a := vm.PrivateIPAddress; a.IsValid() && l.vmByIP[a] == nil {
			l.vmByIP[a] = vm
		}
	}
	return l
}

// Nodes returns every endpoint, by ID: subnets, Bastion hosts and VMs in
// the topology's order, then the other endpoints as flows first name them.
func (g *Graph) Nodes() []*Node { return g.nodes }

// Flows returns every flow, in the report's order.
func (g *Graph) Flows() []*Flow { return g.flows }

// Node returns the node of a key, or nil.
func (g *Graph) Node(key string) *Node { return g.byKey[key] }

// Flow returns the edge of a flow ID, or nil.
func (g *Graph) Flow(id string) *Flow { return g.byFlow[id] }

// Multigraph returns the gonum multigraph itself, for gonum's algorithms;
// it is read only.
func (g *Graph) Multigraph() *multi.DirectedGraph { return g.g }

// Between returns the flows from one node to another, in the report's
// order.
func (g *Graph) Between(from, to *Node) []*Flow {
	it := g.g.Lines(from.id, to.id)
	var out []*Flow
	for it.Next() {
		out = append(out, it.Line().(*Flow))
	}
	slices.SortFunc(out, func(a, b *Flow) int { return cmp.Compare(a.id, b.id) })
	return out
}

// Neighbourhood returns the flows that start or end at one of the start
// nodes, in the report's order: the edges to their neighbours, found with
// gonum's breadth-first traversal over both directions of the flows.
func (g *Graph) Neighbourhood(start []*Node) []*Flow {
	und := graph.Undirect{G: g.g}
	seen := map[int64]bool{}
	var out []*Flow
	for _, s := range start {
		if s == nil {
			continue
		}
		var near []graph.Node
		bf := traverse.BreadthFirst{}
		bf.Walk(und, s, func(n graph.Node, depth int) bool {
			if depth > 1 {
				return true
			}
			if depth == 1 {
				near = append(near, n)
			}
			return false
		})
		near = append(near, s) // flows from a node to itself
		for _, n := range near {
			for _, pair := range [][2]int64{{s.id, n.ID()}, {n.ID(), s.id}} {
				it := g.g.Lines(pair[0], pair[1])
				for it.Next() {
					f := it.Line().(*Flow)
					if !seen[f.id] {
						seen[f.id] = true
						out = append(out, f)
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b *Flow) int { return cmp.Compare(a.id, b.id) })
	return out
}

// Find returns the nodes a name stands for, compared without case: the
// VM, Bastion host or client of that name; the nodes in a subnet ("web"
// or "hub/web") or VNet of that name; the subnets and VMs an NSG of that
// name is attached to. nsg reports whether the name is an NSG's, whose
// flows are also those whose trace crosses it (see Crosses).
func (g *Graph) Find(name string) (nodes []*Node, nsg bool) {
	eq := strings.EqualFold
	t := g.Report.Topology
	subnetNSG := map[string]string{}
	for _, v := range t.VirtualNetworks {
		for _, s := range v.Subnets {
			subnetNSG[v.Name+"/"+s.Name] = s.NetworkSecurityGroup
		}
	}
	for _, n := range t.NetworkSecurityGroups {
		nsg = nsg || eq(n.Name, name)
	}
	for _, n := range g.nodes {
		where := n.VNet + "/" + n.Subnet
		switch {
		case n.Kind != Address && n.Kind != External && n.Kind != Subnet && eq(n.Name, name),
			n.VNet != "" && eq(n.VNet, name),
			n.Subnet != "" && (eq(n.Subnet, name) || eq(where, name)),
			nsg && n.Subnet != "" && eq(subnetNSG[where], name),
			nsg && n.VM != nil && eq(n.VM.NetworkSecurityGroup, name):
			nodes = append(nodes, n)
		}
	}
	return nodes, nsg
}

// Crosses reports whether a flow's trace passes an NSG of that name.
func Crosses(res *sim.Result, nsg string) bool {
	in := func(hops []sim.Hop) bool {
		return slices.ContainsFunc(hops, func(h sim.Hop) bool { return strings.EqualFold(h.NSG.Name, nsg) })
	}
	if in(res.Hops) {
		return true
	}
	return slices.ContainsFunc(res.Segments, func(s sim.Segment) bool { return in(s.Hops) })
}

// Select returns the graph of the flows keep accepts, with the same nodes:
// diff's view of the changed edges is Select of the flows whose verdict
// changed.
func (g *Graph) Select(keep func(*Flow) bool) *Graph {
	s := &Graph{Report: g.Report, g: multi.NewDirectedGraph(), nodes: g.nodes, byKey: g.byKey, byFlow: map[string]*Flow{}}
	for _, n := range g.nodes {
		s.g.AddNode(n)
	}
	for _, f := range g.flows {
		if keep(f) {
			s.flows = append(s.flows, f)
			s.g.SetLine(f)
			if _, dup := s.byFlow[f.Result.Flow.ID]; !dup {
				s.byFlow[f.Result.Flow.ID] = f
			}
		}
	}
	return s
}
