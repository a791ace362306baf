package topology

import "testing"

// Flow IDs are BASTION/KIND or BASTION/KIND/TARGET (SPEC 3); the kinds and
// their targets are said once, here, for validation and the catalogue.
func TestFlowKinds(t *testing.T) {
	cases := []struct {
		kind   FlowKind
		target FlowTarget
		known  bool
		vm     bool
	}{
		{FlowClientHTTPS, TargetClient, true, false},
		{FlowGatewayManagerHTTPS, TargetNone, true, false},
		{FlowSSH, TargetVM, true, true},
		{FlowDeveloperRDP, TargetVM, true, false},
		{FlowPort(2222), TargetVM, true, true},
		{"port-0", TargetNone, false, false},
		{"port-65536", TargetNone, false, false},
		{"port-022", TargetNone, false, false},
		{FlowCustom, TargetNone, false, false},
		{"telnet", TargetNone, false, false},
	}
	for _, c := range cases {
		target, known := c.kind.Target()
		if target != c.target || known != c.known || c.kind.ReachesVM() != c.vm {
			t.Errorf("%s: Target = %v, %v; ReachesVM %v; want %v, %v, %v", c.kind, target, known, c.kind.ReachesVM(), c.target, c.known, c.vm)
		}
	}
	if p, ok := FlowPort(2222).CustomPort(); !ok || p != 2222 || FlowPort(2222) != "port-2222" {
		t.Errorf("FlowPort(2222) = %q, CustomPort %d %v", FlowPort(2222), p, ok)
	}
}
