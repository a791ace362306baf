package sim

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nsgsim/nsgsim/topology"
)

// urlNamingRules is "Naming rules and restrictions for Azure resources",
// the tables for Microsoft.Network and Microsoft.Compute.
const urlNamingRules = "https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/resource-name-rules"

// azureName is Azure's rule for the name of one resource type
// (urlNamingRules).
type azureName struct {
	kind     string // how messages name the resource type
	min, max int    // length in characters
	check    func(string) string
}

// Microsoft.Network: applicationSecurityGroups, bastionHosts,
// networkSecurityGroups, networkSecurityGroups/securityRules and
// virtualNetworks/subnets are 1-80 characters, virtualNetworks 2-64:
// "Alphanumerics, underscores, periods, and hyphens. Start with
// alphanumeric. End alphanumeric or underscore."
// Microsoft.Compute virtualMachines: the resource name "can have up to 64
// characters" (the 15-character Windows limit is the host name's, which
// nsgsim does not model); it "can't use" \/"[]:|<>+=;,?*@& (nor spaces or
// control characters), can't start with an underscore, and can't end with
// a period or a hyphen.
var (
	networkName = func(kind string, min, max int) azureName {
		return azureName{kind, min, max, networkNameChars}
	}
	nameASG     = networkName("application security group", 1, 80)
	nameBastion = networkName("bastion host", 1, 80)
	nameNSG     = networkName("network security group", 1, 80)
	nameRule    = networkName("security rule", 1, 80)
	nameSubnet  = networkName("subnet", 1, 80)
	nameVNet    = networkName("virtual network", 2, 64)
	nameVM      = azureName{"virtual machine", 1, 64, vmNameChars}
)

func isAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

// networkNameChars says what breaks the character rule of Microsoft.Network
// names, or "".
func networkNameChars(s string) string {
	for _, r := range s {
		if !isAlnum(r) && r != '_' && r != '.' && r != '-' {
			return fmt.Sprintf("holds %q; only letters a-z and A-Z, digits, underscores, periods and hyphens are allowed", r)
		}
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	switch {
	case !isAlnum(first):
		return "must start with a letter or digit"
	case !isAlnum(last) && last != '_':
		return "must end with a letter, digit or underscore"
	}
	return ""
}

// vmNameChars says what breaks the character rule of virtual machine names,
// or "".
func vmNameChars(s string) string {
	for _, r := range s {
		if strings.ContainsRune(`\/"[]:|<>+=;,?*@&`, r) || unicode.IsSpace(r) || topology.UnsafeRune(r) {
			return fmt.Sprintf("holds %q, which Azure does not allow in a virtual machine name", r)
		}
	}
	switch {
	case strings.HasPrefix(s, "_"):
		return "must not start with an underscore"
	case strings.HasSuffix(s, "."), strings.HasSuffix(s, "-"):
		return "must not end with a period or a hyphen"
	}
	return ""
}

// problem says why Azure would reject name, or "".
func (a azureName) problem(name string) string {
	if n := utf8.RuneCountInString(name); n < a.min || n > a.max {
		return fmt.Sprintf("is %d characters long; Azure allows %d to %d", n, a.min, a.max)
	}
	return a.check(name)
}

// checkNames reports names that Azure's naming rules reject (NAME001). The
// loader has already refused what no output can carry safely (SPEC 1.1);
// these names load, simulate and draw, but Azure would not create the
// resource. Clients and flows are nsgsim's own and have no Azure rule.
func (e *Engine) checkNames(l *findingList) {
	t := e.topo
	check := func(rule azureName, name string, o topology.Origin) {
		if name == "" {
			return
		}
		if msg := rule.problem(name); msg != "" {
			p := o.At("name")
			if p.File == "" {
				p.File = t.File
			}
			l.add("NAME001", SeverityError, p, fmt.Sprintf("%s name %q %s (Azure naming rules)", rule.kind, clipName(name), msg))
		}
	}
	for _, v := range t.VirtualNetworks {
		check(nameVNet, v.Name, v.Origin)
		for _, s := range v.Subnets {
			check(nameSubnet, s.Name, s.Origin)
		}
	}
	for _, g := range t.NetworkSecurityGroups {
		check(nameNSG, g.Name, g.Origin)
		for _, r := range g.SecurityRules {
			check(nameRule, r.Name, r.Origin)
		}
	}
	for _, a := range t.ApplicationSecurityGroups {
		check(nameASG, a.Name, a.Origin)
	}
	for _, vm := range t.VirtualMachines {
		check(nameVM, vm.Name, vm.Origin)
	}
	for _, b := range t.BastionHosts {
		check(nameBastion, b.Name, b.Origin)
	}
}

// clipName shortens a long name for a message.
func clipName(s string) string {
	const keep = 100
	if utf8.RuneCountInString(s) <= keep {
		return s
	}
	return string([]rune(s)[:keep]) + "..."
}
