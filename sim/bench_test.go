package sim

import (
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// benchTopology is the documented reference deployment (the reference
// scenario), written here to keep sim's tests free of the scenarios package.
func benchTopology(b *testing.B) *topology.Topology {
	src := base + `networkSecurityGroups:
  - name: b
    securityRules:
` + rule("AllowHttpsInbound", 120, "Inbound", "Allow", "Tcp", "Internet", "*", "*", "443") +
		rule("AllowGatewayManagerInbound", 130, "Inbound", "Allow", "Tcp", "GatewayManager", "*", "*", "443") +
		rule("AllowAzureLoadBalancerInbound", 140, "Inbound", "Allow", "Tcp", "AzureLoadBalancer", "*", "*", "443") +
		rule("AllowBastionHostCommunication", 150, "Inbound", "Allow", "*", "VirtualNetwork", "*", "VirtualNetwork", "8080-8080") +
		rule("DenyAllInbound", 4096, "Inbound", "Deny", "*", "*", "*", "*", "*") +
		rule("AllowSshRdpOutbound", 100, "Outbound", "Allow", "*", "*", "*", "VirtualNetwork", "22") +
		rule("AllowAzureCloudOutbound", 110, "Outbound", "Allow", "Tcp", "*", "*", "AzureCloud", "443") +
		rule("DenyAllOutbound", 4096, "Outbound", "Deny", "*", "*", "*", "*", "*") + `
  - name: w
    securityRules:
` + rule("AllowSshFromBastion", 100, "Inbound", "Allow", "Tcp", "10.0.0.0/26", "*", "*", "22") +
		rule("DenyAllInbound", 4096, "Inbound", "Deny", "*", "*", "*", "*", "*")
	for _, s := range []string{", networkSecurityGroup: b", ", networkSecurityGroup: w", "", ""} {
		src = replaceFirst(src, "%s", s)
	}
	t, err := topology.Parse("bench.yaml", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	return t
}

func replaceFirst(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	return s
}

// BenchmarkEvaluateFlow measures one documented flow over its whole address
// and port space: Bastion (a /26) to a VM over SSH, through the Bastion
// subnet's NSG outbound and the VM subnet's NSG inbound.
func BenchmarkEvaluateFlow(b *testing.B) {
	t := benchTopology(b)
	e, err := Compile(t)
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range []string{"bas/ssh/vm1", "bas/client-https/Internet"} {
		var flow *Flow
		for _, f := range Flows(t) {
			if f.ID == kind {
				flow = f
			}
		}
		if flow == nil {
			b.Fatalf("no flow %s", kind)
		}
		b.Run(string(flow.Kind), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Evaluate(flow); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
