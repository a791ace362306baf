// Package armexpr evaluates the expression language of ARM deployment
// templates: the strings in brackets, "[concat(parameters('a'), '-nsg')]"
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/template-expressions),
// with the template functions real templates use
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/template-functions),
// lambdas (map, filter, reduce, sort, toObject, groupBy, mapValues), and
// property and variable copy loops. It also parses resource IDs
// (ResourceID).
//
// What an expression reads from its template (parameters, variables,
// user-defined functions, reference() to the template's resources, the
// deployment's scope) comes through the small Env interface; package
// azure's template implements it. An Evaluator holds what one import
// shares: parsed expressions and the budgets that bound a hostile
// template's work (MaxSteps evaluation steps; 1 MiB per string; 2,097,152
// array elements and object members built or walked), so that a small file
// fails fast with an error at its JSON path instead of exhausting the
// machine.
//
// Values are those of jsonpos.Decode (int64 for integral numbers). A value
// an expression cannot give is an *Error that stands where the value would
// be: the importer reports it when, and only when, it needs that value.
// What reference() returns is a Deployed, so that a property Azure sets at
// deployment, which the template does not declare, is reported as known
// only in Azure.
//
// It knows nothing of resources or of nsgsim's model: what a resource
// means, and which values the import needs, is package azure's.
package armexpr
