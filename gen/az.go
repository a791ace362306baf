package gen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"

	"github.com/nsgsim/nsgsim/topology"
)

// The subscription and resource group of every resource WriteAz writes.
const (
	azSubscription  = "00000000-0000-0000-0000-000000000000"
	azResourceGroup = "rg-nsgsim-gen"
)

// WriteAz prints a topology as the Azure CLI lists it: one JSON array of
// the resources that `az network vnet list` (with subnets and peerings),
// `az network nsg list` (with securityRules), `az network asg list`, `az
// network nic list`, `az network public-ip list`, `az vm list` and `az
// network bastion list` print, in their flattened shape (no "properties"
// wrapper), one resource a line. Each resource keeps the members nsgsim
// reads, as a `--query` projection of those commands would: the
// bookkeeping ones (etag, provisioningState, resourceGuid) are left out,
// which keeps the 2,000 NSGs × 200 rules estate near 190 MB. `nsgsim
// import az` of the output gives back t's Azure resources; what Azure
// does not hold (clients, flows, expectations, on-premises prefixes, a
// Bastion host's custom ports) is not written. The output is
// deterministic.
func WriteAz(w io.Writer, t *topology.Topology) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	a := &azWriter{w: bw, t: t}
	a.raw("[")
	for _, v := range t.VirtualNetworks {
		a.emit(a.vnet(v))
	}
	for _, g := range t.NetworkSecurityGroups {
		a.emit(a.nsg(g))
	}
	for _, g := range t.ApplicationSecurityGroups {
		a.emit(azResource{Type: "Microsoft.Network/applicationSecurityGroups", Name: g.Name,
			ID: azID("Microsoft.Network/applicationSecurityGroups", g.Name), Location: t.Location})
	}
	for _, vm := range t.VirtualMachines {
		a.machine(vm)
	}
	for _, b := range t.BastionHosts {
		a.emit(a.bastion(b))
	}
	a.raw("\n]\n")
	if a.err != nil {
		return a.err
	}
	return bw.Flush()
}

type azWriter struct {
	w     *bufio.Writer
	t     *topology.Topology
	first bool // an element was written
	err   error
}

func (a *azWriter) raw(s string) {
	if a.err == nil {
		_, a.err = a.w.WriteString(s)
	}
}

// emit writes one element of the array.
func (a *azWriter) emit(v any) {
	if a.err != nil {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		a.err = err
		return
	}
	if a.first {
		a.raw(",")
	}
	a.first = true
	a.raw("\n")
	if a.err == nil {
		_, a.err = a.w.Write(data)
	}
}

// azID is the resource ID of a resource of the given type and names, in
// the generated subscription and resource group.
func azID(typ string, names ...string) string {
	id := "/subscriptions/" + azSubscription + "/resourceGroups/" + azResourceGroup + "/providers/"
	ns, types := splitType(typ)
	id += ns
	for i, n := range names {
		id += "/" + types[i] + "/" + n
	}
	return id
}

// splitType splits "Microsoft.Network/virtualNetworks/subnets" into its
// namespace and its types.
func splitType(typ string) (string, []string) {
	var parts []string
	start := 0
	for i := 0; i <= len(typ); i++ {
		if i == len(typ) || typ[i] == '/' {
			parts = append(parts, typ[start:i])
			start = i + 1
		}
	}
	return parts[0], parts[1:]
}

// azRef is a reference to another resource, {"id": ...}.
type azRef struct {
	ID      string `json:"id"`
	Primary bool   `json:"primary,omitempty"`
}

func ref(id string) *azRef { return &azRef{ID: id} }

// azResource holds the members of every resource type WriteAz writes, in
// the order az prints them; the empty ones are left out.
type azResource struct {
	Type     string `json:"type"`
	Name     string `json:"name"`
	ID       string `json:"id"`
	Location string `json:"location,omitempty"`

	// Virtual networks.
	AddressSpace *azAddressSpace `json:"addressSpace,omitempty"`
	Subnets      []azSubnet      `json:"subnets,omitempty"`
	Peerings     []azPeering     `json:"virtualNetworkPeerings,omitempty"`

	// Network security groups.
	SecurityRules []azRule `json:"securityRules,omitempty"`

	// Network interfaces, public IPs.
	IPConfigurations     []azIPConfig `json:"ipConfigurations,omitempty"`
	NetworkSecurityGroup *azRef       `json:"networkSecurityGroup,omitempty"`
	VirtualMachine       *azRef       `json:"virtualMachine,omitempty"`
	IPAddress            string       `json:"ipAddress,omitempty"`

	// Virtual machines.
	NetworkProfile *azNetworkProfile `json:"networkProfile,omitempty"`
	StorageProfile *azStorageProfile `json:"storageProfile,omitempty"`

	// Bastion hosts.
	SKU                      *azSKU `json:"sku,omitempty"`
	ScaleUnits               int    `json:"scaleUnits,omitempty"`
	VirtualNetwork           *azRef `json:"virtualNetwork,omitempty"`
	DisableCopyPaste         bool   `json:"disableCopyPaste,omitempty"`
	EnableFileCopy           bool   `json:"enableFileCopy,omitempty"`
	EnableIPConnect          bool   `json:"enableIpConnect,omitempty"`
	EnableKerberos           bool   `json:"enableKerberos,omitempty"`
	EnablePrivateOnlyBastion bool   `json:"enablePrivateOnlyBastion,omitempty"`
	EnableSessionRecording   bool   `json:"enableSessionRecording,omitempty"`
	EnableShareableLink      bool   `json:"enableShareableLink,omitempty"`
	EnableTunneling          bool   `json:"enableTunneling,omitempty"`
}

type azAddressSpace struct {
	AddressPrefixes []string `json:"addressPrefixes"`
}

type azSubnet struct {
	Name                 string `json:"name"`
	ID                   string `json:"id"`
	AddressPrefix        string `json:"addressPrefix"`
	NetworkSecurityGroup *azRef `json:"networkSecurityGroup,omitempty"`
	RouteTable           *azRef `json:"routeTable,omitempty"`
}

type azPeering struct {
	Name                      string `json:"name"`
	ID                        string `json:"id"`
	AllowVirtualNetworkAccess bool   `json:"allowVirtualNetworkAccess"`
	PeeringState              string `json:"peeringState"`
	RemoteVirtualNetwork      azRef  `json:"remoteVirtualNetwork"`
}

// azRule is a security rule as `az network nsg list` prints it
// (SecurityRulePropertiesFormat, flattened).
type azRule struct {
	Name                                 string   `json:"name"`
	Priority                             int      `json:"priority"`
	Direction                            string   `json:"direction"`
	Access                               string   `json:"access"`
	Protocol                             string   `json:"protocol"`
	SourceAddressPrefix                  string   `json:"sourceAddressPrefix,omitempty"`
	SourceAddressPrefixes                []string `json:"sourceAddressPrefixes,omitempty"`
	SourceApplicationSecurityGroups      []azRef  `json:"sourceApplicationSecurityGroups,omitempty"`
	SourcePortRange                      string   `json:"sourcePortRange,omitempty"`
	SourcePortRanges                     []string `json:"sourcePortRanges,omitempty"`
	DestinationAddressPrefix             string   `json:"destinationAddressPrefix,omitempty"`
	DestinationAddressPrefixes           []string `json:"destinationAddressPrefixes,omitempty"`
	DestinationApplicationSecurityGroups []azRef  `json:"destinationApplicationSecurityGroups,omitempty"`
	DestinationPortRange                 string   `json:"destinationPortRange,omitempty"`
	DestinationPortRanges                []string `json:"destinationPortRanges,omitempty"`
	Description                          string   `json:"description,omitempty"`
}

type azIPConfig struct {
	Name                      string  `json:"name"`
	Primary                   bool    `json:"primary,omitempty"`
	PrivateIPAddress          string  `json:"privateIPAddress,omitempty"`
	PrivateIPAllocationMethod string  `json:"privateIPAllocationMethod,omitempty"`
	Subnet                    azRef   `json:"subnet"`
	ApplicationSecurityGroups []azRef `json:"applicationSecurityGroups,omitempty"`
	PublicIPAddress           *azRef  `json:"publicIPAddress,omitempty"`
}

type azNetworkProfile struct {
	NetworkInterfaces []azRef `json:"networkInterfaces"`
}

type azStorageProfile struct {
	OSDisk struct {
		OSType string `json:"osType"`
	} `json:"osDisk"`
}

type azSKU struct {
	Name string `json:"name"`
}

func azPrefixes(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = topology.PrefixString(p)
	}
	return out
}

func (a *azWriter) vnet(v *topology.VirtualNetwork) azResource {
	const typ = "Microsoft.Network/virtualNetworks"
	r := azResource{Type: typ, Name: v.Name, ID: azID(typ, v.Name), Location: a.t.Location,
		AddressSpace: &azAddressSpace{AddressPrefixes: azPrefixes(v.AddressSpace)}}
	for _, s := range v.Subnets {
		sn := azSubnet{Name: s.Name, ID: azID(typ+"/subnets", v.Name, s.Name), AddressPrefix: topology.PrefixString(s.AddressPrefix)}
		if s.NetworkSecurityGroup != "" {
			sn.NetworkSecurityGroup = ref(azID("Microsoft.Network/networkSecurityGroups", s.NetworkSecurityGroup))
		}
		if s.RouteTable != "" {
			sn.RouteTable = ref(azID("Microsoft.Network/routeTables", s.RouteTable))
		}
		r.Subnets = append(r.Subnets, sn)
	}
	for _, p := range v.Peerings {
		name := "peer-" + p
		r.Peerings = append(r.Peerings, azPeering{Name: name, ID: azID(typ+"/virtualNetworkPeerings", v.Name, name),
			AllowVirtualNetworkAccess: true, PeeringState: "Connected", RemoteVirtualNetwork: azRef{ID: azID(typ, p)}})
	}
	return r
}

func (a *azWriter) nsg(g *topology.NetworkSecurityGroup) azResource {
	r := azResource{Type: "Microsoft.Network/networkSecurityGroups", Name: g.Name,
		ID: azID("Microsoft.Network/networkSecurityGroups", g.Name), Location: a.t.Location}
	for _, sr := range g.SecurityRules {
		if sr.Default {
			continue
		}
		rule := azRule{Name: sr.Name, Priority: sr.Priority, Direction: sr.Direction.String(), Access: sr.Access.String(),
			Protocol: sr.Protocol.String(), Description: sr.Description}
		if err := azSide(sr.Source, &rule.SourceAddressPrefix, &rule.SourceAddressPrefixes, &rule.SourceApplicationSecurityGroups); err != nil {
			a.err = fmt.Errorf("rule %q: source %w", sr.Name, err)
		}
		if err := azSide(sr.Destination, &rule.DestinationAddressPrefix, &rule.DestinationAddressPrefixes, &rule.DestinationApplicationSecurityGroups); err != nil {
			a.err = fmt.Errorf("rule %q: destination %w", sr.Name, err)
		}
		azPorts(sr.SourcePorts, &rule.SourcePortRange, &rule.SourcePortRanges)
		azPorts(sr.DestinationPorts, &rule.DestinationPortRange, &rule.DestinationPortRanges)
		r.SecurityRules = append(r.SecurityRules, rule)
	}
	return r
}

// azSide fills one side of a rule: "*", a service tag, one prefix, several,
// or application security groups.
func azSide(a topology.Addresses, single *string, plural *[]string, asgs *[]azRef) error {
	switch all := a.AllPrefixes(); {
	case a.Any:
		*single = "*"
	case a.Tag != "":
		*single = a.Tag
	case len(all) == 1:
		*single = topology.PrefixString(all[0])
	case len(all) > 1:
		*plural = azPrefixes(all)
	case len(a.ApplicationSecurityGroups) > 0:
		for _, g := range a.ApplicationSecurityGroups {
			*asgs = append(*asgs, azRef{ID: azID("Microsoft.Network/applicationSecurityGroups", g)})
		}
	default:
		return fmt.Errorf("has no address")
	}
	return nil
}

// azPorts fills a rule's port range, singular for one and plural for more.
func azPorts(rs []topology.PortRange, single *string, plural *[]string) {
	if len(rs) == 1 {
		*single = rs[0].String()
		return
	}
	for _, r := range rs {
		*plural = append(*plural, r.String())
	}
}

// machine writes a VM's public IP address, if it has one, its NIC and the
// VM.
func (a *azWriter) machine(vm *topology.VirtualMachine) {
	nicName := "nic-" + vm.Name
	nicID := azID("Microsoft.Network/networkInterfaces", nicName)
	vmID := azID("Microsoft.Compute/virtualMachines", vm.Name)
	ipc := azIPConfig{Name: "ipconfig1", Primary: true,
		Subnet: azRef{ID: azID("Microsoft.Network/virtualNetworks/subnets", vm.VirtualNetwork, vm.Subnet)}}
	if vm.PrivateIPAddress.IsValid() {
		ipc.PrivateIPAddress, ipc.PrivateIPAllocationMethod = vm.PrivateIPAddress.String(), "Static"
	} else {
		ipc.PrivateIPAllocationMethod = "Dynamic"
	}
	for _, g := range vm.ApplicationSecurityGroups {
		ipc.ApplicationSecurityGroups = append(ipc.ApplicationSecurityGroups, azRef{ID: azID("Microsoft.Network/applicationSecurityGroups", g)})
	}
	if vm.PublicIPAddress.IsValid() {
		const typ = "Microsoft.Network/publicIPAddresses"
		name := "pip-" + vm.Name
		ipc.PublicIPAddress = ref(azID(typ, name))
		a.emit(azResource{Type: typ, Name: name, ID: azID(typ, name), Location: a.t.Location, IPAddress: vm.PublicIPAddress.String()})
	}
	nic := azResource{Type: "Microsoft.Network/networkInterfaces", Name: nicName, ID: nicID,
		IPConfigurations: []azIPConfig{ipc}, VirtualMachine: ref(vmID)}
	if vm.NetworkSecurityGroup != "" {
		nic.NetworkSecurityGroup = ref(azID("Microsoft.Network/networkSecurityGroups", vm.NetworkSecurityGroup))
	}
	a.emit(nic)
	m := azResource{Type: "Microsoft.Compute/virtualMachines", Name: vm.Name, ID: vmID, Location: a.t.Location,
		NetworkProfile: &azNetworkProfile{NetworkInterfaces: []azRef{{ID: nicID, Primary: true}}}}
	if vm.OS != topology.UnknownOS {
		m.StorageProfile = &azStorageProfile{}
		m.StorageProfile.OSDisk.OSType = vm.OS.String()
	}
	a.emit(m)
}

func (a *azWriter) bastion(b *topology.BastionHost) azResource {
	const typ = "Microsoft.Network/bastionHosts"
	r := azResource{Type: typ, Name: b.Name, ID: azID(typ, b.Name), Location: a.t.Location,
		SKU: &azSKU{Name: b.SKU.String()}, ScaleUnits: b.ScaleUnits,
		DisableCopyPaste: b.DisableCopyPaste, EnableFileCopy: b.EnableFileCopy, EnableIPConnect: b.EnableIPConnect,
		EnableKerberos: b.EnableKerberos, EnablePrivateOnlyBastion: b.EnablePrivateOnlyBastion,
		EnableSessionRecording: b.EnableSessionRecording, EnableShareableLink: b.EnableShareableLink,
		EnableTunneling: b.EnableTunneling}
	if b.SKU == topology.Developer {
		// The Developer SKU names its VNet and has no IP configuration.
		r.VirtualNetwork = ref(azID("Microsoft.Network/virtualNetworks", b.VirtualNetwork))
	} else {
		r.IPConfigurations = []azIPConfig{{Name: "IpConf",
			Subnet: azRef{ID: azID("Microsoft.Network/virtualNetworks/subnets", b.VirtualNetwork, topology.BastionSubnetName)}}}
	}
	return r
}
