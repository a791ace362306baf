package azure

import "github.com/nsgsim/nsgsim/topology"

// validate checks an imported topology the way the loader checks a file.
// TODO(validate): call topology.Validate(t) once topology/validate.go lands:
//
//	return topology.Validate(t).Err()
func validate(t *topology.Topology) error {
	_ = t
	return nil
}
