package terraform

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/topotest"
	"github.com/nsgsim/nsgsim/topology"
)

// TestRealPlans imports fugue/regula's plans: four NSGs and five standalone
// rules, two of which share the name validrule2 (and all five priority 100),
// which validation reports; the topology is still returned.
func TestRealPlans(t *testing.T) {
	tests := []struct {
		file string
		// rule name, source, destination ports, per NSG
		want map[string][]string
	}{
		{"tfplan-regula-azurerm-nsg/security_group_no_inbound_22_infra.json", map[string][]string{
			"invalidnsg1": {"testrule1 * *", "testrule2 10.10.10.10 235,30-50"},
			"invalidnsg2": {"testrule3 0.0.0.0/0 22"},
			"testnsg":     {"invalidrule1 * 20-25", "validrule1 * 34", "validrule2 * 22,27", "validrule2 10.10.10.10 22", "validrule3 * 18-30,88"},
			"validnsg1":   {"testrule4 Internet 20", "testrule5 10.10.10.10 20-50,235"},
		}},
		{"tfplan-regula-azurerm-nsg/security_group_no_inbound_3389_infra.json", map[string][]string{
			"invalidnsg1": {"testrule1 * *", "testrule2 10.10.10.10 235,30-50"},
			"invalidnsg2": {"testrule3 0.0.0.0/0 3389"},
			"testnsg":     {"invalidrule1 * 3350-3400", "validrule1 * 34", "validrule2 * 3389,3567", "validrule2 10.10.10.10 3389", "validrule3 * 3350-3400,4300"},
			"validnsg1":   {"testrule4 Internet 20", "testrule5 10.10.10.10 235,3380-3395"},
		}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			planned, prior, err := ImportPlan(topotest.ReadReal(t, tt.file), tt.file)
			wantErr := tt.file + `: planned_values.root_module.resources[8].values.name: network security group "testnsg": duplicate rule name "validrule2"`
			if err == nil || !strings.Contains(topology.ErrorText(err), wantErr) {
				t.Errorf("ImportPlan error = %v, want %s", err, wantErr)
			}
			if planned == nil {
				t.Fatal("ImportPlan returned no topology with the validation errors")
			}
			if prior != nil {
				t.Errorf("prior = %s, want nil (the plan has no prior_state)", topotest.Dump(prior))
			}
			if len(planned.VirtualNetworks) != 0 || len(planned.NetworkSecurityGroups) != len(tt.want) {
				t.Errorf("topology = %s, want %d NSGs and no VNet", topotest.Dump(planned), len(tt.want))
			}
			for nsg, want := range tt.want {
				g := planned.NetworkSecurityGroupByName(nsg)
				if g == nil {
					t.Errorf("NSG %s missing", nsg)
					continue
				}
				var got []string
				for _, r := range g.SecurityRules {
					if r.Direction != topology.Inbound || r.Access != topology.Allow || r.Protocol != topology.Tcp {
						t.Errorf("%s/%s = %v %v %v, want Inbound Allow Tcp", nsg, r.Name, r.Direction, r.Access, r.Protocol)
					}
					got = append(got, r.Name+" "+r.Source.String()+" "+topology.PortRangesString(r.DestinationPorts))
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%s rules =\n%s\nwant\n%s", nsg, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
		})
	}
}

// TestRealHCL checks that Terraform configuration, which nsgsim does not
// parse (a known limit), is refused with the commands that make a plan.
func TestRealHCL(t *testing.T) {
	for _, rel := range []string{
		"hcl-azure-terraform-101-azure-bastion-host/main.tf",
		"hcl-azure-terraform-301-ml-hub-spoke-secure/bastion.tf",
		"hcl-azurerm-example-bastion-box/main.tf",
		"hcl-tsubasaxZZZ-appgw-webapps-with-multipath/appgw-webapps-with-multipath/main.tf",
		"tfplan-regula-azurerm-nsg/security_group_no_inbound_22_infra.tf",
	} {
		t.Run(rel, func(t *testing.T) {
			_, _, err := ImportPlan(topotest.ReadReal(t, rel), rel)
			want := rel + ": this is Terraform configuration (HCL), which nsgsim does not read; import the JSON plan"
			if err == nil || !strings.HasPrefix(topology.ErrorText(err), want) {
				t.Errorf("ImportPlan error = %v, want %s", err, want)
			}
		})
	}
}
