// Package scenarios holds nsgsim's built-in scenarios: topology files
// embedded in the binary, each opening with a comment that says what it
// teaches, and each carrying expectations that the tests check. They follow
// the Azure Bastion NSG documentation,
// https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg, rule by rule.
//
// It owns the files and the list of them (List, Source, Load). It decides
// nothing: the verdicts are package sim's, and the tests check the
// scenarios' expectations against them.
package scenarios
