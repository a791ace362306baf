package azure

import "github.com/nsgsim/nsgsim/topology"

// validate checks an imported topology the way the loader checks a file
// (SPEC 1.1): unique names, references that resolve, addresses that fit.
// Assemble calls it only when the import reported no problem, so no field
// is left empty by a problem already reported, and none is marked failed
// (topology.Origin.SetFailed) for Validate to pass over.
func validate(t *topology.Topology) error {
	return topology.Validate(t).Err()
}
