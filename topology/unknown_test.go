package topology

import (
	"strings"
	"testing"
)

// TestVMWithoutOS checks SPEC 1: os may be omitted when unknown; the VM
// loads with UnknownOS and marshals without an os key.
func TestVMWithoutOS(t *testing.T) {
	src := vnetBase + "virtualMachines:\n  - {name: vm, subnet: hub/workload, privateIpAddress: 10.0.1.4}\n  - {name: vm-l, subnet: hub/workload, privateIpAddress: 10.0.1.5, os: linux}\n"
	topo, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	if got := topo.VirtualMachineByName("vm").OS; got != UnknownOS {
		t.Errorf("OS of vm = %v, want %v", got, UnknownOS)
	}
	if got := topo.VirtualMachineByName("vm-l").OS; got != Linux {
		t.Errorf("OS of vm-l = %v, want %v", got, Linux)
	}
	out, err := Marshal(topo)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(out), "os:"); n != 1 {
		t.Errorf("Marshal wrote %d os keys, want 1:\n%s", n, out)
	}
	back, err := Parse("t.yaml", out)
	if err != nil {
		t.Fatalf("Parse(Marshal) = %v\n%s", err, out)
	}
	if got := back.VirtualMachineByName("vm").OS; got != UnknownOS {
		t.Errorf("OS after a round trip = %v, want %v", got, UnknownOS)
	}
}
