package azure

import "github.com/nsgsim/nsgsim/topology"

// validate checks an imported topology the way the loader checks a file
// (SPEC 1.1): unique names, references that resolve, addresses that fit.
func validate(t *topology.Topology) error {
	return topology.Validate(t).Err()
}
