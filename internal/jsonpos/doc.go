// Package jsonpos decodes JSON input into plain Go values and places a
// decoding error at a line and column, for nsgsim's importers of JSON
// (topology/azure and topology/terraform).
//
// Decode uses encoding/json with UseNumber, so that integral numbers become
// int64 rather than float64, the way ARM templates treat them
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/data-types#integers).
// encoding/json reports where an error is as a byte offset
// (json.SyntaxError.Offset); LineCol turns an offset into the 1-based line
// and column people look for in an editor.
package jsonpos
