// Package fix computes the security rules to add to a topology so that every
// required Azure Bastion flow passes and every NSG on AzureBastionSubnet has
// the explicit rules Azure checks for, and writes them as the user's YAML
// file edited in place (edit.go: text edits at the nodes' positions, so
// comments, key order, quoting and flow style stay), as a unified diff of
// that file (patch.go), as `az network nsg rule create` commands, as Bicep
// resources or as Terraform azurerm_network_security_rule resources. Every
// form escapes the names it prints, comments included (escape.go): a name
// cannot add a shell command, a Bicep or HCL interpolation, or a YAML key.
//
// The rules follow "Configure NSG rules for Azure Bastion"
// (https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg):
//   - on the AzureBastionSubnet NSG, the eight rules of the page's table,
//     with the names the page uses (AllowHttpsInbound, AllowGatewayManagerInbound,
//     ...), the table's protocols, sources and destinations; the 443 inbound
//     rule names the declared clients' public ranges when there are any ("The
//     source can be Internet or a set of specific public IP addresses you
//     specify"), and the outbound SSH/RDP rule carries the custom ports too;
//   - on a target VM's subnet or NIC NSG, "allow inbound RDP/SSH (3389/22, or
//     the custom values) over private IP", scoped "to the AzureBastionSubnet
//     IP address range" as the page recommends: Tcp from the AzureBastionSubnet
//     prefix (of the hub, for a VM in a peered spoke) to the VM subnet prefix;
//   - for the Developer SKU, from 168.63.129.16, the address Bastion Developer
//     connects from (https://learn.microsoft.com/en-us/azure/bastion/quickstart-developer).
//
// The fix only adds rules; it never changes or removes one. Each rule gets a
// priority that is free in its NSG and direction and lower (earlier) than
// every custom Deny rule that would otherwise take its traffic, in the latest
// gap between existing rules, so that it overrides as little as possible.
// Every addition is checked by simulating the patched topology: no flow may
// change its verdict except required and recommended flows that become less
// blocked. When no priority keeps the other verdicts, the fix tries a
// narrower rule (the VMs' addresses rather than their subnet), and failing
// that adds the rule anyway and says which verdicts it changes.
//
// What rules cannot fix (a subnet smaller than /26, a route table on
// AzureBastionSubnet, a feature the SKU lacks) is left to the user; so are
// flows blocked by intent (an expectation with intended: true).
//
// It owns which rules to add, where, and every form that writes them. It
// decides no verdict itself (each addition is checked with package sim),
// loads and validates nothing (package topology), and never touches Azure:
// every form is for a person to read, then run, deploy or load.
package fix
