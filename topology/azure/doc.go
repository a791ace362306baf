// Package azure imports Azure resource JSON into an nsgsim topology: the
// output of the Azure CLI, ARM REST responses, and ARM deployment templates.
//
// # Inputs
//
// ImportAz reads what `az network vnet list`, `az network nsg list`, `az
// network nic list`, `az vm list` (also with --show-details), `az network
// bastion list`, `az network asg list` and `az network public-ip list`
// print, and their `show` forms: the flattened shape, without the
// "properties" wrapper, that the CLI produces from the SDK models
// (https://learn.microsoft.com/en-us/cli/azure/network/nsg#az-network-nsg-list).
// It reads the ARM REST shape as well, with "properties"
// (https://learn.microsoft.com/en-us/rest/api/virtualnetwork/network-security-groups/get),
// one resource or a list response {"value": [...]}, and pages of Azure
// Resource Graph output (`az graph query`: {"count", "data", "skip_token",
// "total_records"}), which ImportARG reads too, with placeholders for
// peered VNets outside the export. Each object is recognised by its
// "type"; other types are skipped.
//
// ImportARMFile evaluates an ARM deployment template
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/syntax)
// as Bicep compiles it today: parameters with their defaults (nullable
// ones, and types from "definitions" through $ref), variables (with copy),
// user-defined functions, the template functions and lambdas of package
// armexpr, resource and property copy loops, conditions, child resources
// (in a parent's "resources" or with a "parent/child" name), nested
// deployments with an inline template, and linked templates read from
// beside the template (relativePath, or a URI built from
// deployment().properties.templateLink.uri or _artifactsLocation). JSON
// comments and strings that span lines are read, as ARM's template syntax
// allows. Resources are read in deployment order (dependsOn, and
// reference() as an implicit dependency), so reference() returns the
// properties the template itself declares for one of its resources (a
// subnet's addressPrefix, a module's outputs) wherever it is declared;
// what Azure sets only at deployment (a dynamic IP, a storage endpoint)
// cannot be known, and asking for it is an error if, and only if, the
// importer needs the value.
//
// Options carry what the user gives besides the files: the ARM parameters
// file and NAME=VALUE parameters, and --vm-os NAME=Linux|Windows for VMs
// whose OS the input does not tell. Header writes the comment that starts
// an imported YAML: its inputs and options, never a secure parameter's
// value.
//
// # Mapping
//
// Assemble maps resources to the model (SPEC section 1):
//   - Microsoft.Network/virtualNetworks: addressSpace.addressPrefixes (IPv4),
//     subnets and virtualNetworkPeerings; peerings name the remote VNet by
//     resource ID, and are made symmetric. A peering whose peeringState is
//     Initiated or Disconnected, or that disallows virtual network access,
//     passes no traffic and is dropped
//     (https://learn.microsoft.com/en-us/azure/virtual-network/virtual-network-manage-peering).
//   - subnets: addressPrefix, or the first IPv4 prefix of addressPrefixes;
//     the NSG and route table by the name in their resource ID.
//   - Microsoft.Network/networkSecurityGroups: the custom securityRules;
//     defaultSecurityRules are dropped, as every NSG has them
//     (topology.DefaultRules). "*" and "Any" mean any address; "*" in a
//     prefix list makes the list any address.
//   - Microsoft.Compute/virtualMachines: the primary IP configuration of the
//     primary NIC gives the subnet, the address, the ASGs; the NIC's NSG is
//     the VM's; a public IP counts when its address is known. The OS comes
//     from storageProfile.osDisk.osType, else from osProfile's
//     linuxConfiguration or windowsConfiguration, else from the
//     imageReference publisher (a table of Marketplace publishers with one
//     OS: MicrosoftWindowsServer, MicrosoftVisualStudio, RedHat, SUSE, ...)
//     or words of its offer, else from Options.VMOS.
//   - Microsoft.Network/bastionHosts: sku.name (Basic when absent, as a
//     template without sku deploys), the VNet of ipConfigurations[0]'s
//     subnet (or virtualNetwork, for the Developer SKU), the feature flags
//     and scaleUnits (2 when absent)
//     (https://learn.microsoft.com/en-us/azure/bastion/configuration-settings).
//
// Objects are named by their resource names. When resources of one kind in
// different resource groups share a name, the one whose resource group sorts
// first keeps it and each other one is named NAME-RESOURCEGROUP (then
// NAME-RESOURCEGROUP-2 ... if that is taken). Lists are sorted by name;
// rules by direction (inbound first), priority and name.
//
// A NIC with no address (dynamic allocation in a template, or a plan, before
// deployment) gets the lowest free address of its subnet after the five that
// Azure reserves (network, .1, .2, .3 and broadcast,
// https://learn.microsoft.com/en-us/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets),
// taking NICs in input order and skipping addresses other NICs of the
// inputs hold. That is what Azure does for a fresh subnet; a subnet with
// other tenants (load balancers, private endpoints not in the inputs) may
// differ.
//
// # Offline stand-ins
//
// A template is evaluated as if deployed to subscription
// DefaultSubscriptionID, resource group DefaultResourceGroup, in
// DefaultLocation, unless ARMOptions say otherwise. uniqueString() and
// guid() are deterministic but are not the values Azure computes; utcNow(),
// newGuid() and list*() are errors when their value is needed.
//
// # Errors
//
// Every problem is reported, each as "FILE: JSON.PATH: what is wrong, and
// what was expected", and so are the errors of topology.Validate: a
// topology that is built but does not pass it is returned together with
// them. A value of the wrong JSON type (an object where an array of rules
// belongs) is an error, never read as absent. Input is UTF-8 JSON (RFC
// 8259): a UTF-8 byte-order mark, which PowerShell's Out-File writes, is
// skipped; UTF-16 and invalid UTF-8 are errors, the latter at its line and
// column. Inputs that hold no virtual network, NSG, network interface, VM or
// Bastion host are an error that names the resource types they hold: they
// would import as an empty network.
//
// # Warnings
//
// What an import passes over without refusing the input is listed in
// Topology.Warnings (simulate reports each as an IMP001 finding): VM scale
// sets, which are not modelled, and public IPs whose address is known only
// once deployed; external placeholders for peered VNets outside a Resource
// Graph export; --vm-os names no VM needed.
//
// Not warnings, because the model holds them and simulate reports them: a
// VM whose OS nothing tells is imported without one (topology.UnknownOS,
// VM002), and a rule's IPv6 prefixes are kept in Addresses.IPv6Prefixes,
// where they match no flow (NSG007).
//
// # Known limits
//
//   - `az network nic list-effective-nsg` output (effective rules, already
//     merged and expanded by Azure) is recognised and refused: it carries no
//     address space, so it describes no network nsgsim can rebuild.
//   - A linked template that is only remote is refused, naming the file to
//     save beside the template; Bicep files must be built to JSON first
//     (`az bicep build`).
//   - IPv6 prefixes are dropped from address spaces and subnets: Azure
//     Bastion is IPv4 only.
//   - A VM is modelled with one NIC and one address: the primary ones.
//
// # Not here
//
// The expression language of templates is package armexpr's; Terraform
// plans are package terraform's, which hands its resources to Assemble;
// reading files and telling input kinds apart is package input's, and
// decoding JSON with positions is package internal/jsonpos's.
package azure
