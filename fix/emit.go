package fix

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// Formats are the forms Write writes, as `nsgsim fix --emit` names them.
var Formats = []string{"yaml", "patch", "az", "bicep", "terraform"}

// Write writes the plan in one of Formats.
func (p *Plan) Write(w io.Writer, format string) error {
	switch format {
	case "yaml":
		return p.WriteYAML(w)
	case "patch":
		return p.WritePatch(w)
	case "az":
		return p.WriteAz(w)
	case "bicep":
		return p.WriteBicep(w)
	case "terraform":
		return p.WriteTerraform(w)
	}
	return fmt.Errorf("unknown format %q; expected %s", format, strings.Join(Formats, ", "))
}

func (p *Plan) source() string {
	if p.Original.File != "" {
		return p.Original.File
	}
	return p.Original.Name
}

// header writes the comment lines that open every form: what was added and
// why, and what is left. Every line goes through commentText: names, the
// input path and the notes cannot end the comment.
func (p *Plan) header(w io.Writer, comment string, expectations bool) {
	c := commenter{w, comment}
	c.line("nsgsim fix for %s: %d %s to add (https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg).",
		p.source(), len(p.Added), plural(len(p.Added), "rule", "rules"))
	for _, a := range p.Added {
		c.line("  %s/%s (%d %s): %s", a.NSG, a.Rule.Name, a.Rule.Priority, a.Rule.Direction, a.Reason)
	}
	if len(p.Moves) > 0 {
		c.line("To make room, existing rules move to a later priority (their order stays):")
		for _, m := range p.Moves {
			c.line("  %s/%s: priority %d -> %d", m.NSG, m.Rule.Name, m.From, m.To)
		}
	}
	for _, n := range p.Notes {
		c.line("Note: %s", n)
	}
	if expectations && len(p.Expectations) > 0 {
		c.line("Expectations rewritten for the flows the fix changes:")
		for _, x := range p.Expectations {
			c.line("  %s: %s -> %s", x.Flow, x.From, x.To)
		}
	}
}

// commenter writes line comments that nothing in their text can end.
type commenter struct {
	w      io.Writer
	marker string // "#" or "//"
}

func (c commenter) line(format string, args ...any) {
	fmt.Fprintf(c.w, "%s %s\n", c.marker, commentText(fmt.Sprintf(format, args...)))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// WriteAz writes one `az network nsg rule create` command per rule
// (https://learn.microsoft.com/en-us/cli/azure/network/nsg/rule#az-network-nsg-rule-create).
// The resource group is a shell variable to set first.
func (p *Plan) WriteAz(w io.Writer) error {
	if err := p.checkArgs(); err != nil {
		return err
	}
	p.header(w, "#", false)
	if len(p.Added) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "# Set RG to the resource group of the network security groups.")
	fmt.Fprintln(w, `RG="${RG:?set RG to the resource group}"`)
	for _, m := range p.movesInOrder() {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "az network nsg rule update --resource-group \"$RG\" --nsg-name %s --name %s --priority %d\n", shq(m.NSG), shq(m.Rule.Name), m.To)
	}
	for _, a := range p.Added {
		r := a.Rule
		fmt.Fprintln(w)
		fmt.Fprintf(w, "az network nsg rule create --resource-group \"$RG\" --nsg-name %s --name %s \\\n", shq(a.NSG), shq(r.Name))
		fmt.Fprintf(w, "  --priority %d --direction %s --access %s --protocol %s \\\n", r.Priority, r.Direction, r.Access, shq(r.Protocol.String()))
		fmt.Fprintf(w, "  %s --source-port-ranges %s \\\n", azSide("source", r.Source), shqAll(portStrings(r.SourcePorts)))
		fmt.Fprintf(w, "  %s --destination-port-ranges %s", azSide("destination", r.Destination), shqAll(portStrings(r.DestinationPorts)))
		if r.Description != "" {
			fmt.Fprintf(w, " \\\n  --description %s", shq(r.Description))
		}
		fmt.Fprintln(w)
	}
	return nil
}

// checkArgs refuses a plan with a NUL in a value that would be a command
// argument: no shell can pass one, and cutting it short would name another
// rule.
func (p *Plan) checkArgs() error {
	var vals []string
	for _, m := range p.Moves {
		vals = append(vals, m.NSG, m.Rule.Name)
	}
	for _, a := range p.Added {
		r := a.Rule
		vals = append(vals, a.NSG, r.Name, r.Description)
		vals = append(vals, r.Source.ApplicationSecurityGroups...)
		vals = append(vals, r.Destination.ApplicationSecurityGroups...)
	}
	for _, v := range vals {
		if strings.ContainsRune(v, 0) {
			return fmt.Errorf("fix: %q holds a NUL character, which no command argument can carry", v)
		}
	}
	return nil
}

// movesInOrder returns the moves, highest new priority first, so that no
// step gives two rules one priority.
func (p *Plan) movesInOrder() []Move {
	out := slices.Clone(p.Moves)
	sort.SliceStable(out, func(i, j int) bool { return out[i].To > out[j].To })
	return out
}

func azSide(side string, a topology.Addresses) string {
	if len(a.ApplicationSecurityGroups) > 0 {
		return "--" + side + "-asgs " + shqAll(a.ApplicationSecurityGroups)
	}
	return "--" + side + "-address-prefixes " + shqAll(sideStrings(a))
}

func sideStrings(a topology.Addresses) []string {
	switch {
	case a.Any:
		return []string{"*"}
	case a.Tag != "":
		return []string{a.Tag}
	case len(a.ApplicationSecurityGroups) > 0:
		return a.ApplicationSecurityGroups
	}
	all := a.AllPrefixes() // IPv6 ones too: the rule keeps what Azure holds
	out := make([]string, len(all))
	for i, p := range all {
		out[i] = topology.PrefixString(p)
	}
	return out
}

func portStrings(rs []topology.PortRange) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

// WriteBicep writes each rule as a child resource of an existing NSG
// (Microsoft.Network/networkSecurityGroups/securityRules,
// https://learn.microsoft.com/en-us/azure/templates/microsoft.network/networksecuritygroups/securityrules).
func (p *Plan) WriteBicep(w io.Writer) error {
	p.header(w, "//", false)
	if len(p.Added) == 0 {
		return nil
	}
	fmt.Fprintln(w, "//")
	fmt.Fprintln(w, "// Deploy to the resource group of the NSGs. If an NSG declares its rules inline")
	fmt.Fprintln(w, "// (properties.securityRules), add these rules there instead: a redeployment of the")
	fmt.Fprintln(w, "// NSG would remove child rules it does not list.")
	nsgs := p.nsgNames()
	for _, m := range p.Moves {
		if !slices.Contains(nsgs, m.NSG) {
			nsgs = append(nsgs, m.NSG)
		}
	}
	sym := make(map[string]string)
	used := make(map[string]bool)
	for _, n := range nsgs {
		sym[n] = uniqueIdent(bicepIdent(n), used)
		fmt.Fprintln(w)
		fmt.Fprintf(w, "resource %s 'Microsoft.Network/networkSecurityGroups@2024-05-01' existing = {\n", sym[n])
		fmt.Fprintf(w, "  name: %s\n", bicepStr(n))
		fmt.Fprintln(w, "}")
	}
	for _, m := range p.movesInOrder() {
		fmt.Fprintln(w)
		commenter{w, "//"}.line("Existing rule %s, moved from priority %d to %d; the rest is unchanged.", m.Rule.Name, m.From, m.To)
		bicepRule(w, uniqueIdent(bicepIdent(m.NSG+"-"+m.Rule.Name), used), sym[m.NSG], m.Rule)
	}
	for _, a := range p.Added {
		fmt.Fprintln(w)
		bicepRule(w, uniqueIdent(bicepIdent(a.NSG+"-"+a.Rule.Name), used), sym[a.NSG], a.Rule)
	}
	return nil
}

func bicepRule(w io.Writer, symbol, parent string, r *topology.SecurityRule) {
	fmt.Fprintf(w, "resource %s 'Microsoft.Network/networkSecurityGroups/securityRules@2024-05-01' = {\n", symbol)
	fmt.Fprintf(w, "  parent: %s\n", parent)
	fmt.Fprintf(w, "  name: %s\n", bicepStr(r.Name))
	fmt.Fprintln(w, "  properties: {")
	if r.Description != "" {
		fmt.Fprintf(w, "    description: %s\n", bicepStr(r.Description))
	}
	fmt.Fprintf(w, "    priority: %d\n", r.Priority)
	fmt.Fprintf(w, "    direction: %s\n", bicepStr(r.Direction.String()))
	fmt.Fprintf(w, "    access: %s\n", bicepStr(r.Access.String()))
	fmt.Fprintf(w, "    protocol: %s\n", bicepStr(r.Protocol.String()))
	bicepSide(w, "source", r.Source)
	bicepPorts(w, "sourcePortRange", portStrings(r.SourcePorts))
	bicepSide(w, "destination", r.Destination)
	bicepPorts(w, "destinationPortRange", portStrings(r.DestinationPorts))
	fmt.Fprintln(w, "  }")
	fmt.Fprintln(w, "}")
}

func bicepSide(w io.Writer, side string, a topology.Addresses) {
	if len(a.ApplicationSecurityGroups) > 0 {
		fmt.Fprintf(w, "    %sApplicationSecurityGroups: [\n", side)
		for _, g := range a.ApplicationSecurityGroups {
			fmt.Fprintf(w, "      { id: resourceId('Microsoft.Network/applicationSecurityGroups', %s) }\n", bicepStr(g))
		}
		fmt.Fprintln(w, "    ]")
		return
	}
	vals := sideStrings(a)
	if len(vals) == 1 {
		fmt.Fprintf(w, "    %sAddressPrefix: %s\n", side, bicepStr(vals[0]))
		return
	}
	fmt.Fprintf(w, "    %sAddressPrefixes: [\n", side)
	for _, v := range vals {
		fmt.Fprintf(w, "      %s\n", bicepStr(v))
	}
	fmt.Fprintln(w, "    ]")
}

func bicepPorts(w io.Writer, singular string, vals []string) {
	if len(vals) == 1 {
		fmt.Fprintf(w, "    %s: %s\n", singular, bicepStr(vals[0]))
		return
	}
	fmt.Fprintf(w, "    %ss: [\n", singular)
	for _, v := range vals {
		fmt.Fprintf(w, "      %s\n", bicepStr(v))
	}
	fmt.Fprintln(w, "    ]")
}

var nonIdent = regexp.MustCompile(`[^A-Za-z0-9]+`)

// bicepIdent makes a symbolic name: "nsg-bastion" becomes "nsgBastion".
func bicepIdent(s string) string {
	parts := nonIdent.Split(s, -1)
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() == 0 {
			b.WriteString(strings.ToLower(p[:1]) + p[1:])
		} else {
			b.WriteString(strings.ToUpper(p[:1]) + p[1:])
		}
	}
	id := b.String()
	if id == "" || id[0] >= '0' && id[0] <= '9' {
		id = "r" + id
	}
	return id
}

func uniqueIdent(id string, used map[string]bool) string {
	out := id
	for i := 2; used[strings.ToLower(out)]; i++ {
		out = fmt.Sprintf("%s%d", id, i)
	}
	used[strings.ToLower(out)] = true
	return out
}

func (p *Plan) nsgNames() []string {
	seen := make(map[string]bool)
	var out []string
	for _, a := range p.Added {
		if !seen[a.NSG] {
			seen[a.NSG] = true
			out = append(out, a.NSG)
		}
	}
	return out
}

// WriteTerraform writes one azurerm_network_security_rule per rule
// (https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/network_security_rule).
func (p *Plan) WriteTerraform(w io.Writer) error {
	p.header(w, "#", false)
	if len(p.Added) == 0 {
		return nil
	}
	fmt.Fprintln(w, "#")
	fmt.Fprintln(w, "# If an azurerm_network_security_group declares inline security_rule blocks, add these")
	fmt.Fprintln(w, "# rules there instead: inline and standalone rules on one NSG overwrite each other.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, `variable "resource_group_name" {`)
	fmt.Fprintln(w, `  description = "Resource group of the network security groups."`)
	fmt.Fprintln(w, `  type        = string`)
	fmt.Fprintln(w, `}`)
	if len(p.Moves) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "# Change these priorities in your configuration first; the new rules take the")
		fmt.Fprintln(w, "# priorities they free:")
		for _, m := range p.Moves {
			commenter{w, "#"}.line("  rule %q of network security group %q: priority = %d (was %d)", m.Rule.Name, m.NSG, m.To, m.From)
		}
	}
	used := make(map[string]bool)
	for _, a := range p.Added {
		r := a.Rule
		name := uniqueIdent(tfIdent(a.NSG+"_"+r.Name), used)
		var attrs [][2]string
		add := func(k, v string) { attrs = append(attrs, [2]string{k, v}) }
		add("name", tfStr(r.Name))
		add("resource_group_name", "var.resource_group_name")
		add("network_security_group_name", tfStr(a.NSG))
		add("priority", fmt.Sprint(r.Priority))
		add("direction", tfStr(r.Direction.String()))
		add("access", tfStr(r.Access.String()))
		add("protocol", tfStr(r.Protocol.String()))
		tfPorts(add, "source_port_range", portStrings(r.SourcePorts))
		tfPorts(add, "destination_port_range", portStrings(r.DestinationPorts))
		tfSide(add, "source", r.Source)
		tfSide(add, "destination", r.Destination)
		if r.Description != "" {
			add("description", tfStr(r.Description))
		}
		width := 0
		for _, kv := range attrs {
			width = max(width, len(kv[0]))
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "resource \"azurerm_network_security_rule\" %s {\n", tfStr(name))
		for _, kv := range attrs {
			fmt.Fprintf(w, "  %-*s = %s\n", width, kv[0], kv[1])
		}
		fmt.Fprintln(w, "}")
	}
	return nil
}

func tfPorts(add func(k, v string), singular string, vals []string) {
	if len(vals) == 1 {
		add(singular, tfStr(vals[0]))
		return
	}
	add(singular+"s", tfList(vals))
}

func tfSide(add func(k, v string), side string, a topology.Addresses) {
	if len(a.ApplicationSecurityGroups) > 0 {
		// Terraform takes ASG IDs; name them as data sources would.
		ids := make([]string, len(a.ApplicationSecurityGroups))
		for i, g := range a.ApplicationSecurityGroups {
			ids[i] = "data.azurerm_application_security_group." + tfIdent(g) + ".id"
		}
		sort.Strings(ids)
		add(side+"_application_security_group_ids", "["+strings.Join(ids, ", ")+"]")
		return
	}
	vals := sideStrings(a)
	if len(vals) == 1 {
		add(side+"_address_prefix", tfStr(vals[0]))
		return
	}
	add(side+"_address_prefixes", tfList(vals))
}

func tfList(vals []string) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = tfStr(v)
	}
	return "[" + strings.Join(out, ", ") + "]"
}

// tfIdent makes a resource name: letters, digits, underscores, lower case.
func tfIdent(s string) string {
	id := strings.Trim(nonIdent.ReplaceAllString(strings.ToLower(s), "_"), "_")
	if id == "" || id[0] >= '0' && id[0] <= '9' {
		id = "r_" + id
	}
	return id
}
