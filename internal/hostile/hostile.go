package hostile

import "github.com/nsgsim/nsgsim/topology"

// Names is the corpus. The loader refuses the names with control
// characters, separators or bidirectional-text controls (SPEC 1.1), but a
// topology built by a program or an importer still reaches every output,
// and every output escapes anyway.
var Names = []string{
	"a\nrm -rf ~ #",                        // a newline ends a # or // comment, or a table row
	"a\r\necho pwned\r",                    // CR and CRLF: a CR ends a Markdown code span
	"x\u2028clients:\n  - name: injected",  // U+2028 ends a YAML comment
	"x\u2029y\u0085z",                      // paragraph separator, NEL
	"x\u202eevil\u202c\u2066",              // bidi overrides and isolates
	"\x1b]0;title\x07\x1b[32mAllow",        // terminal escapes: retitle, repaint
	"\u009b31m\x7f",                        // 8-bit CSI and DEL
	`it's "quoted" \ back\slash`,           // quotes and backslashes
	"$(touch pwned)",                       // command substitution
	"`touch pwned`",                        // backticks
	"${var.x} $${y} $",                     // HCL and Bicep interpolation
	"%{ if true }x%{ endif }",              // HCL directive
	"*/ evil /*",                           // block comment end
	"<<EOF\nevil\nEOF",                     // heredoc marker
	"'; touch pwned; echo '",               // quote and command separator
	"# comment -n --priority 100",          // a comment marker and flags
	"| forged | row | :x: @admin",          // Markdown table cell, emoji, mention
	"<img src=x onerror=alert(1)>&#x274C;", // raw HTML and an entity
	"**Allow** [link](http://x) ![i](y)",   // emphasis, links, images
}

// Rename renames every object of t whose name is a key of names, and every
// reference to it, in place: the topology, VNets and peerings, subnets,
// NSGs and their attachments, rules, ASGs and memberships, VMs, Bastion
// hosts, clients, flows and their endpoints, and expectations' flow IDs
// (component by component).
func Rename(t *topology.Topology, names map[string]string) {
	rn := func(s *string) {
		if n, ok := names[*s]; ok {
			*s = n
		}
	}
	all := func(ss []string) {
		for i := range ss {
			rn(&ss[i])
		}
	}
	rn(&t.Name)
	for _, v := range t.VirtualNetworks {
		rn(&v.Name)
		all(v.Peerings)
		for _, s := range v.Subnets {
			rn(&s.Name)
			rn(&s.NetworkSecurityGroup)
		}
	}
	for _, g := range t.NetworkSecurityGroups {
		rn(&g.Name)
		for _, r := range g.SecurityRules {
			rn(&r.Name)
			all(r.Source.ApplicationSecurityGroups)
			all(r.Destination.ApplicationSecurityGroups)
		}
	}
	for _, a := range t.ApplicationSecurityGroups {
		rn(&a.Name)
	}
	for _, vm := range t.VirtualMachines {
		rn(&vm.Name)
		rn(&vm.VirtualNetwork)
		rn(&vm.Subnet)
		rn(&vm.NetworkSecurityGroup)
		all(vm.ApplicationSecurityGroups)
	}
	for _, b := range t.BastionHosts {
		rn(&b.Name)
		rn(&b.VirtualNetwork)
	}
	for _, c := range t.Clients {
		rn(&c.Name)
	}
	for _, f := range t.Flows {
		rn(&f.Name)
		rn(&f.Source)
		rn(&f.Destination)
	}
	for _, x := range t.Expectations {
		parts := splitID(x.Flow)
		all(parts)
		x.Flow = joinID(parts)
	}
}

func splitID(id string) []string {
	var out []string
	start := 0
	for i := 0; i < len(id); i++ {
		if id[i] == '/' {
			out = append(out, id[start:i])
			start = i + 1
		}
	}
	return append(out, id[start:])
}

func joinID(parts []string) string {
	s := parts[0]
	for _, p := range parts[1:] {
		s += "/" + p
	}
	return s
}

// Base is a small topology in which every kind of name reaches a report:
// a Bastion host, a VM behind an NSG whose Deny rule blocks SSH, a client,
// a required user flow and an expectation.
const Base = `name: topo
virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    subnets:
      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26}
      - {name: work, addressPrefix: 10.0.1.0/24, networkSecurityGroup: nsgwork}
networkSecurityGroups:
  - name: nsgwork
    securityRules:
      - {name: denyssh, priority: 100, direction: Inbound, access: Deny, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22"}
virtualMachines:
  - {name: vm1, subnet: hub/work, privateIpAddress: 10.0.1.4, os: Linux}
bastionHosts:
  - {name: bastion, virtualNetwork: hub, sku: Standard}
clients:
  - {name: office, addressPrefix: 203.0.113.0/24}
flows:
  - {name: webflow, source: office, destination: vm1, protocol: Tcp, destinationPort: 8443, requirement: required}
expectations:
  - {flow: bastion/ssh/vm1, verdict: Allow}
`

// Build loads Base and renames every object after h: the topology is h,
// the VNet "hub"+h, the subnet h+"work", the NSG "nsg"+h, its rule h, the
// VM h+"vm", the Bastion host "b"+h, the client h+"o", the flow h+"f"; the
// file is h+".yaml". The names bypass the loader, which would refuse most
// of them.
func Build(h string) (*topology.Topology, error) {
	t, err := topology.Parse(h+".yaml", []byte(Base)) // positions name the file
	if err != nil {
		return nil, err
	}
	Rename(t, map[string]string{
		"topo": h, "hub": "hub" + h, "work": h + "work", "nsgwork": "nsg" + h, "denyssh": h,
		"vm1": h + "vm", "bastion": "b" + h, "office": h + "o", "webflow": h + "f",
	})
	return t, nil
}
