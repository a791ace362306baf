package sim

import "github.com/nsgsim/nsgsim/topology"

// segProtocol is the protocol a segment was decided for.
func segProtocol(s *Segment, _ *Flow) topology.Protocol { return s.Protocol }
