// Command importrate measures how many ARM templates of a local snapshot
// import (issue 14): it is not part of the build or of CI, and runs over
// snapshots that are not in the repository.
//
//	go run ./internal/importrate -root DIR [-params DIR] [-v]
//
// Without -params it counts the samples of an azure-quickstart-templates
// snapshot: each directory with metadata.json and azuredeploy.json whose
// templates declare a virtual network or an NSG is imported through its
// azuredeploy.json (linked templates followed as Azure deploys them), with
// azuredeploy.parameters.json beside it when there is one. With -params,
// the templates named by the parameter files in DIR are imported instead,
// once per file: NAME.TEST.parameters.json imports ROOT/NAME/main.json
// (NAME with "/" written as "__"), as for the Azure Verified Modules, whose
// e2e tests are Bicep that cannot be compiled here; a
// NAME.TEST.dependencies.json beside it is deployed first, as the test's
// dependencies.bicep is. It prints a Markdown table of the rate and the
// causes of the refusals, each cause the first message of the refusal with
// paths and names removed.
//
// It owns the walk over a snapshot and the tally; the import itself is
// package input's and topology/azure's, called as `nsgsim import` calls
// them. The avm directory holds the parameter and dependency files for the
// Azure Verified Modules that -params names.
package main
