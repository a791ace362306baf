package sim

import (
	"net/netip"
	"strings"

	"github.com/nsgsim/nsgsim/network"
	"github.com/nsgsim/nsgsim/topology"
)

// EndpointKind says what a flow endpoint is.
type EndpointKind uint8

const (
	EndpointVM         EndpointKind = iota // a VM's private address, behind its subnet and NIC NSGs
	EndpointBastion                        // a Bastion host: its whole AzureBastionSubnet
	EndpointClient                         // a declared client range, outside Azure
	EndpointServiceTag                     // a service tag, outside the VNet
	EndpointAddress                        // an IP or CIDR: a VM's, a subnet's, or outside
	EndpointExternal                       // an address always outside the VNet (Developer's 168.63.129.16)
)

// Endpoint is one end of a flow.
type Endpoint struct {
	Kind EndpointKind
	Name string       // VM, Bastion host, client or tag name; the address as written
	Addr netip.Prefix // EndpointAddress and EndpointExternal
	// WithoutHostVIP drops 168.63.129.16 from a service tag: the default
	// client of a private-only Bastion is VirtualNetwork less the
	// platform's virtual IP, which is not a user (SPEC 2.3).
	WithoutHostVIP bool
}

func (ep Endpoint) String() string { return ep.Name }

// Flow is one flow to evaluate: a documented Bastion flow (SPEC 3) or one the
// user declared.
type Flow struct {
	ID          string            // stable: BASTION/KIND or BASTION/KIND/TARGET; a user flow's name
	Kind        topology.FlowKind // "ssh", "client-https", …; KindCustom for user flows
	Bastion     string            // the Bastion host, or "" for user flows
	Target      string            // the VM or client a per-target flow is about
	Source      Endpoint
	Destination Endpoint
	Protocol    topology.Protocol
	SourcePorts []topology.PortRange
	Port        uint16
	Requirement topology.Requirement
	Pos         topology.Pos // where the flow comes from in the topology
}

// Flow kinds of the documented catalogue (SPEC 3): topology.FlowKind, which
// validation checks flow IDs against, under the names the catalogue uses.
const (
	KindClientHTTPS         = topology.FlowClientHTTPS
	KindGatewayManagerHTTPS = topology.FlowGatewayManagerHTTPS
	KindLoadBalancerHTTPS   = topology.FlowLoadBalancerHTTPS
	KindDataplane8080       = topology.FlowDataplane8080
	KindDataplane5701       = topology.FlowDataplane5701
	KindAzureCloudHTTPS     = topology.FlowAzureCloudHTTPS
	KindInternetHTTP        = topology.FlowInternetHTTP
	KindSSH                 = topology.FlowSSH
	KindRDP                 = topology.FlowRDP
	KindDeveloperSSH        = topology.FlowDeveloperSSH
	KindDeveloperRDP        = topology.FlowDeveloperRDP
	KindCustom              = topology.FlowCustom
)

// Flows returns every flow of a topology: for each Bastion host, the flows
// the Azure Bastion documentation requires
// (https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg), then the
// user's flows, in a fixed order.
func Flows(t *topology.Topology) []*Flow { return flowsOf(t, network.Resolve(t)) }

// flowsOf is Flows on a network already resolved.
func flowsOf(t *topology.Topology, n *network.Network) []*Flow {
	var flows []*Flow
	for _, b := range t.BastionHosts {
		flows = append(flows, bastionFlows(t, n, b)...)
	}
	for _, f := range t.Flows {
		flows = append(flows, userFlow(t, n.Index, f))
	}
	return flows
}

// BastionFlows returns the documented flows of one Bastion host (SPEC 3).
func BastionFlows(t *topology.Topology, b *topology.BastionHost) []*Flow {
	return bastionFlows(t, network.Resolve(t), b)
}

func bastionFlows(t *topology.Topology, n *network.Network, b *topology.BastionHost) []*Flow {
	bastion := Endpoint{Kind: EndpointBastion, Name: b.Name}
	mk := func(kind topology.FlowKind, target string, src, dst Endpoint, port uint16, req topology.Requirement) *Flow {
		id := b.Name + "/" + string(kind)
		if target != "" {
			id += "/" + target
		}
		return &Flow{
			ID: id, Kind: kind, Bastion: b.Name, Target: target,
			Source: src, Destination: dst,
			Protocol: topology.Tcp, SourcePorts: []topology.PortRange{topology.EphemeralPorts},
			Port: port, Requirement: req, Pos: b.Pos,
		}
	}
	var flows []*Flow
	if b.SKU == topology.Developer {
		// Bastion Developer connects from 168.63.129.16 to VMs of its own VNet
		// only (https://learn.microsoft.com/en-us/azure/bastion/quickstart-developer).
		host := developerEndpoint(hostVIP.String())
		for _, m := range n.TargetVMs(n.VNet(b.VirtualNetwork), false) {
			vm := m.VirtualMachine
			if kind, port, ok := managementPort(vm.OS, KindDeveloperSSH, KindDeveloperRDP); ok {
				flows = append(flows, mk(kind, vm.Name, host, vmEndpoint(vm), port, topology.Required))
			}
		}
		return flows
	}
	for _, c := range Clients(t, b) {
		src := Endpoint{Kind: EndpointClient, Name: c.Name}
		if c.Tag != "" {
			src = Endpoint{Kind: EndpointServiceTag, Name: c.Tag}
		}
		if len(t.Clients) == 0 && b.EnablePrivateOnlyBastion {
			src.WithoutHostVIP = true
		}
		flows = append(flows, mk(KindClientHTTPS, c.Name, src, bastion, 443, topology.Required))
	}
	flows = append(flows,
		mk(KindGatewayManagerHTTPS, "", Endpoint{Kind: EndpointServiceTag, Name: topology.TagGatewayManager}, bastion, 443, topology.Required),
		mk(KindLoadBalancerHTTPS, "", Endpoint{Kind: EndpointServiceTag, Name: topology.TagAzureLoadBalancer}, bastion, 443, topology.Required),
		mk(KindDataplane8080, "", bastion, bastion, 8080, topology.Required),
		mk(KindDataplane5701, "", bastion, bastion, 5701, topology.Required),
	)
	cloud := topology.Required
	if b.EnablePrivateOnlyBastion {
		cloud = topology.Recommended
	}
	flows = append(flows, mk(KindAzureCloudHTTPS, "", bastion, Endpoint{Kind: EndpointServiceTag, Name: topology.TagAzureCloud}, 443, cloud))
	if !b.EnablePrivateOnlyBastion {
		// 80 to Internet serves "session validation, Bastion Shareable Link,
		// and certificate validation": required with shareable links.
		req := topology.Recommended
		if b.EnableShareableLink {
			req = topology.Required
		}
		flows = append(flows, mk(KindInternetHTTP, "", bastion, Endpoint{Kind: EndpointServiceTag, Name: topology.TagInternet}, 80, req))
	}
	for _, m := range n.TargetVMs(n.VNet(b.VirtualNetwork), true) {
		vm := m.VirtualMachine
		if kind, port, ok := managementPort(vm.OS, KindSSH, KindRDP); ok {
			flows = append(flows, mk(kind, vm.Name, bastion, vmEndpoint(vm), port, topology.Required))
		}
		if b.SKU == topology.Standard || b.SKU == topology.Premium {
			for _, p := range b.CustomPorts {
				flows = append(flows, mk(topology.FlowPort(p), vm.Name, bastion, vmEndpoint(vm), p, topology.Required))
			}
		}
	}
	return flows
}

// managementPort is the flow kind and port Bastion connects to a VM of
// operating system os on: SSH 22 for Linux, RDP 3389 for Windows
// (https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg). ok is false
// for a VM whose operating system is unknown: no ssh or rdp flow is
// generated for it (SPEC 1), only its custom-port flows.
func managementPort(os topology.OS, ssh, rdp topology.FlowKind) (kind topology.FlowKind, port uint16, ok bool) {
	switch os {
	case topology.Linux:
		return ssh, 22, true
	case topology.Windows:
		return rdp, 3389, true
	}
	return "", 0, false
}

// Clients returns the clients of a Bastion host: the declared ones, or the
// default client Internet (VirtualNetwork for private-only Bastion, whose
// users reach it over private addresses only).
func Clients(t *topology.Topology, b *topology.BastionHost) []*topology.Client {
	if len(t.Clients) > 0 {
		return t.Clients
	}
	if b.EnablePrivateOnlyBastion {
		return []*topology.Client{{Name: topology.TagVirtualNetwork, Tag: topology.TagVirtualNetwork}}
	}
	return []*topology.Client{{Name: topology.TagInternet, Tag: topology.TagInternet}}
}

// developerEndpoint is a Developer Bastion as a flow end: 168.63.129.16,
// outside the VNet (https://learn.microsoft.com/en-us/azure/bastion/quickstart-developer).
func developerEndpoint(name string) Endpoint {
	return Endpoint{Kind: EndpointExternal, Name: name, Addr: netip.PrefixFrom(hostVIP, 32)}
}

func vmEndpoint(vm *topology.VirtualMachine) Endpoint {
	return Endpoint{Kind: EndpointVM, Name: vm.Name}
}

// userFlow turns a declared flow into a Flow, resolving its endpoint names.
func userFlow(t *topology.Topology, x *topology.Index, f *topology.Flow) *Flow {
	ports := f.SourcePorts
	if len(ports) == 0 {
		ports = []topology.PortRange{topology.EphemeralPorts}
	}
	return &Flow{
		ID: f.Name, Kind: KindCustom,
		Source: resolveEndpoint(t, x, f.Source), Destination: resolveEndpoint(t, x, f.Destination),
		Protocol: f.Protocol, SourcePorts: ports, Port: f.DestinationPort,
		Requirement: f.Requirement, Pos: f.Pos,
	}
}

// ResolveEndpoint reads a flow endpoint as the user wrote it: a VM, client
// or Bastion host name, a service tag, an IP address or a CIDR. A name that
// is none of these resolves to an address endpoint with an invalid prefix;
// topology.Validate rejects such flows before they get here.
func ResolveEndpoint(t *topology.Topology, name string) Endpoint {
	return resolveEndpoint(t, topology.NewIndex(t), name)
}

// resolveEndpoint is ResolveEndpoint with t indexed by name (x), so that
// thousands of declared flows on a topology of thousands of VMs cost a
// lookup each (BenchmarkDeclaredFlows).
func resolveEndpoint(t *topology.Topology, x *topology.Index, name string) Endpoint {
	if vm := x.VirtualMachines[name]; vm != nil {
		return vmEndpoint(vm)
	}
	if b := x.BastionHosts[name]; b != nil {
		if b.SKU == topology.Developer {
			// A Developer Bastion reaches VMs from 168.63.129.16, whatever
			// subnets its VNet holds (SPEC 2.3).
			return developerEndpoint(name)
		}
		return Endpoint{Kind: EndpointBastion, Name: name}
	}
	if c := x.Clients[name]; c != nil {
		if c.Tag != "" {
			return Endpoint{Kind: EndpointServiceTag, Name: c.Tag}
		}
		return Endpoint{Kind: EndpointClient, Name: name}
	}
	if tag, ok := topology.CanonicalTag(name, t.ServiceTags); ok {
		return Endpoint{Kind: EndpointServiceTag, Name: tag}
	}
	p, err := netip.ParsePrefix(name)
	if err != nil && !strings.Contains(name, "/") {
		var a netip.Addr
		if a, err = netip.ParseAddr(name); err == nil {
			p = netip.PrefixFrom(a, a.BitLen())
		}
	}
	return Endpoint{Kind: EndpointAddress, Name: name, Addr: p.Masked()}
}
