// Package jsonpos decodes JSON input into plain Go values and places a
// decoding error at a line and column, for nsgsim's importers of JSON
// (topology/azure and topology/terraform).
//
// Decode uses encoding/json with UseNumber, so that integral numbers become
// int64 rather than float64, the way ARM templates treat them
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/data-types#integers);
// an integer beyond int64 is kept as written (BigInt), for messages.
// JSON is UTF-8 (RFC 8259, section 8.1): Decode skips a UTF-8 byte-order
// mark, which Windows PowerShell writes, and refuses UTF-16 and invalid
// UTF-8, which encoding/json would otherwise turn into U+FFFD without a
// word. Its errors are *topology.Error, the one positioned error of every
// input, at the 1-based line and column (counting bytes) of the offending
// byte, or of the end of the input when it ends too soon; DecodeFile names
// the file and says what it was expected to hold.
//
// It knows nothing of what the JSON means: the ARM, az and Terraform shapes
// are the importers', and byte-order marks are package internal/bom's.
package jsonpos
