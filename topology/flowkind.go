package topology

import (
	"sort"
	"strconv"
	"strings"
)

// FlowKind is the kind of a flow: one of the documented Bastion flows of
// SPEC 3 (https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg), a
// custom port (FlowPort), or FlowCustom for a flow the user declared. It
// is the KIND of a flow ID BASTION/KIND or BASTION/KIND/TARGET.
type FlowKind string

// The documented flow kinds (SPEC 3).
const (
	FlowClientHTTPS         FlowKind = "client-https"
	FlowGatewayManagerHTTPS FlowKind = "gatewaymanager-https"
	FlowLoadBalancerHTTPS   FlowKind = "loadbalancer-https"
	FlowDataplane8080       FlowKind = "dataplane-8080"
	FlowDataplane5701       FlowKind = "dataplane-5701"
	FlowAzureCloudHTTPS     FlowKind = "azurecloud-https"
	FlowInternetHTTP        FlowKind = "internet-http"
	FlowSSH                 FlowKind = "ssh"
	FlowRDP                 FlowKind = "rdp"
	FlowDeveloperSSH        FlowKind = "developer-ssh"
	FlowDeveloperRDP        FlowKind = "developer-rdp"
	// FlowCustom is a user's flow (flows:), whose ID is its name.
	FlowCustom FlowKind = "custom"
)

// FlowTarget is what a documented flow's ID names after its kind.
type FlowTarget uint8

const (
	TargetNone   FlowTarget = iota // BASTION/KIND
	TargetClient                   // BASTION/KIND/CLIENT
	TargetVM                       // BASTION/KIND/VM
)

// documentedKinds lists the fixed documented kinds with their targets, in
// the order of SPEC 3.
var documentedKinds = []struct {
	kind   FlowKind
	target FlowTarget
}{
	{FlowClientHTTPS, TargetClient},
	{FlowGatewayManagerHTTPS, TargetNone},
	{FlowLoadBalancerHTTPS, TargetNone},
	{FlowDataplane8080, TargetNone},
	{FlowDataplane5701, TargetNone},
	{FlowAzureCloudHTTPS, TargetNone},
	{FlowInternetHTTP, TargetNone},
	{FlowSSH, TargetVM},
	{FlowRDP, TargetVM},
	{FlowDeveloperSSH, TargetVM},
	{FlowDeveloperRDP, TargetVM},
}

// FlowPort is the kind of the flow to a custom port of a Standard or
// Premium Bastion host: "port-N".
func FlowPort(port uint16) FlowKind { return FlowKind("port-" + strconv.Itoa(int(port))) }

// CustomPort returns the port of a custom-port kind, port-N.
func (k FlowKind) CustomPort() (uint16, bool) {
	rest, ok := strings.CutPrefix(string(k), "port-")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 || n > MaxPort || strconv.Itoa(n) != rest {
		return 0, false
	}
	return uint16(n), true
}

// Target says what the kind's flow IDs name after the kind, and whether
// the kind is a documented one (a fixed kind or port-N).
func (k FlowKind) Target() (FlowTarget, bool) {
	for _, d := range documentedKinds {
		if d.kind == k {
			return d.target, true
		}
	}
	if _, ok := k.CustomPort(); ok {
		return TargetVM, true
	}
	return TargetNone, false
}

// ReachesVM reports whether the kind is a Bastion session to a VM: SSH,
// RDP, or a custom port (not the Developer SKU's).
func (k FlowKind) ReachesVM() bool {
	_, port := k.CustomPort()
	return k == FlowSSH || k == FlowRDP || port
}

func (k FlowKind) String() string { return string(k) }

// DocumentedFlowKindNames lists the documented kinds as a user writes them
// in a flow ID, sorted, port-N last.
func DocumentedFlowKindNames() []string {
	out := make([]string, 0, len(documentedKinds)+1)
	for _, d := range documentedKinds {
		out = append(out, string(d.kind))
	}
	sort.Strings(out)
	return append(out, "port-N")
}
