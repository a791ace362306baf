// Package terraform imports the JSON of a Terraform plan (`terraform show
// -json PLANFILE`, https://developer.hashicorp.com/terraform/internals/json-format)
// for the azurerm provider into nsgsim topologies: the planned one
// (planned_values) and the prior one (prior_state), so that a change can be
// simulated before it is applied.
//
// It reads azurerm_virtual_network (with inline subnet blocks),
// azurerm_subnet, azurerm_network_security_group (with inline security_rule
// blocks), azurerm_network_security_rule,
// azurerm_subnet_network_security_group_association,
// azurerm_subnet_route_table_association, azurerm_network_interface,
// azurerm_network_interface_security_group_association,
// azurerm_network_interface_application_security_group_association,
// azurerm_application_security_group, azurerm_public_ip,
// azurerm_linux_virtual_machine, azurerm_windows_virtual_machine,
// azurerm_virtual_machine, azurerm_bastion_host and
// azurerm_virtual_network_peering, with the arguments documented at
// https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs.
// Modules are followed (child_modules); data sources read during the plan
// count as existing resources.
//
// Each resource is translated to the ARM REST shape and assembled by
// azure.Assemble, so the mapping, naming, dynamic address allocation and
// validation are those of package azure; messages point at the plan's JSON
// paths.
//
// Values unknown until apply are absent from planned_values (and marked in
// resource_changes[].change.after_unknown). Where such a value is a
// reference to another resource (an ID), it is linked through the
// configuration's expression references, resolving resource addresses
// with module prefixes and count or for_each keys, module variables and
// module outputs. A resource ID that is still unknown is made up from the
// resource's names (/subscriptions/00000000-.../resourceGroups/RG/providers/
// TYPE/NAME); a name unknown until apply (random_pet, say) is replaced by the
// resource address.
//
// When an NSG's rules (or a VNet's subnets) are separate resources, the
// NSG's security_rule (the VNet's subnet) attribute is a computed copy of
// them, possibly stale; it is then ignored, so that deleting a rule resource
// deletes the rule.
//
// Messages name the plan's JSON paths, validation errors included. A value
// of the wrong JSON type ("resources": 5, a name that is a number) is an
// error; so is a plan with none of the network resources above, which would
// import as an empty network. The JSON is read as package azure reads it:
// UTF-8, with or without a byte-order mark.
//
// Known limits: Terraform configuration (HCL) is not parsed: it is
// recognised and refused with the commands that make a JSON plan; references
// through locals are not recorded in a plan and cannot be followed; the
// provider's legacy arguments are read only where listed above.
//
// It owns reading a plan into ARM-shaped resources and following its
// references; the mapping to the model is azure.Assemble's, and decoding
// JSON with positions is package internal/jsonpos's.
package terraform
