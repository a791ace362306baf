package fix

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"go.yaml.in/yaml/v3"

	"github.com/nsgsim/nsgsim/internal/hostile"
	"github.com/nsgsim/nsgsim/topology"
)

// hostileBase is a topology whose fix moves one rule (DenySsh at 100) and
// adds documented rules, a rule for the VM and a rule for a user flow, so
// that every kind of name reaches every form.
const hostileBase = missingGatewayManager + `
flows:
  - {name: webflow, source: office, destination: vm1, protocol: Tcp, destinationPort: 8443, requirement: required}
`

// hostilePlan loads hostileBase, renames every object after h (the loader
// would refuse most of these names; an importer or a program can still
// build such a topology) and computes its fix.
func hostilePlan(t *testing.T, h string) *Plan {
	t.Helper()
	topo, err := topology.Parse("unit.yaml", []byte(hostileBase))
	if err != nil {
		t.Fatal(err)
	}
	rename := map[string]string{
		"unit": h, "hub": "hub" + h, "work": h + "work", "nsg-bastion": h + "-bas", "nsg-work": "nsg" + h,
		"DenySsh": h, "vm1": h + "vm", "bastion": "b" + h, "office": h + "o", "webflow": h + "f",
	}
	hostile.Rename(topo, rename)
	topo.File = filepath.Join("in", h+".yaml")
	plan := computePlan(t, topo)
	if len(plan.Moves) != 1 || len(plan.Added) < 3 {
		t.Fatalf("plan for %q: %d moves, %d additions; want 1 move and at least 3 additions", h, len(plan.Moves), len(plan.Added))
	}
	var generic bool
	for _, a := range plan.Added {
		generic = generic || strings.Contains(a.Rule.Description, h)
	}
	if !generic {
		t.Fatalf("plan for %q: no added rule carries the flow's name in its description", h)
	}
	return plan
}

// checkComments fails when a comment line holds a rune that could end it
// or hide text.
func checkComments(t *testing.T, out, marker string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), marker) {
			continue
		}
		if needsEscape(line) {
			t.Errorf("comment carries an unsafe character raw: %q", line)
		}
	}
}

// TestHostileNamesAz runs the az form with bash, `az` stubbed by a script
// that records its arguments, and PATH holding nothing else: every command
// that ran must be exactly an intended `az` command, with exactly the
// intended arguments, and nothing else may run.
func TestHostileNamesAz(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found; the az form is checked by running it")
	}
	for i, h := range hostile.Names {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			plan := hostilePlan(t, h)
			var buf bytes.Buffer
			if err := plan.WriteAz(&buf); err != nil {
				t.Fatal(err)
			}
			checkComments(t, buf.String(), "#")
			dir := t.TempDir()
			stub := "#!" + bash + "\n" + `{ printf '%d\0' "$#"; printf '%s\0' "$@"; } >>"$AZ_LOG"` + "\n"
			if err := os.WriteFile(filepath.Join(dir, "az"), []byte(stub), 0o755); err != nil {
				t.Fatal(err)
			}
			script := filepath.Join(dir, "fix.sh")
			if err := os.WriteFile(script, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			log := filepath.Join(dir, "az.log")
			// The trace marks each command with a byte no name holds, so
			// that a traced argument spanning lines is one command (bash
			// does not take PS4 from the environment when run as root).
			cmd := exec.Command(bash, "-c", `PS4=$'\x01+ '; set -x; . "$0"`, script)
			cmd.Dir = dir
			cmd.Env = []string{"PATH=" + dir, "RG=rg", "AZ_LOG=" + log}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("bash: %v\n%s\nscript:\n%s", err, stderr.String(), buf.String())
			}
			// Every traced command is the RG assignment or an az command.
			trace := strings.Split(stderr.String(), "\x01")
			if trace[0] != "" {
				t.Errorf("the script wrote to stderr: %q", trace[0])
			}
			if len(trace) < 2 || trace[1] != "+ . "+script+"\n" {
				t.Fatalf("trace does not start with the script: %q", trace)
			}
			for _, l := range trace[2:] {
				if l == "" {
					continue // bash repeats PS4's first byte once per level of nesting
				}
				if !strings.HasPrefix(l, "+ RG=") && !strings.HasPrefix(l, "+ az network nsg rule ") {
					t.Errorf("the script ran something else: %q", l)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
				t.Errorf("the script created a file")
			}
			data, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			got := splitLog(t, data)
			want := intendedAzArgs(plan)
			if len(got) != len(want) {
				t.Fatalf("az ran %d times, want %d", len(got), len(want))
			}
			for i := range want {
				if !slices.Equal(got[i], want[i]) {
					t.Errorf("az call %d:\n got %q\nwant %q", i, got[i], want[i])
				}
			}
		})
	}
}

// splitLog reads the stub's log: for each call, the argument count and the
// arguments, each ending with a NUL.
func splitLog(t *testing.T, data []byte) [][]string {
	fields := strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
	var out [][]string
	for len(fields) > 0 && fields[0] != "" {
		n, err := strconv.Atoi(fields[0])
		if err != nil || n > len(fields)-1 {
			t.Fatalf("bad az log: %q", data)
		}
		out = append(out, fields[1:1+n])
		fields = fields[1+n:]
	}
	return out
}

// intendedAzArgs is what each az command must receive, built from the plan
// and the az reference
// (https://learn.microsoft.com/en-us/cli/azure/network/nsg/rule).
func intendedAzArgs(p *Plan) [][]string {
	var out [][]string
	for _, m := range p.movesInOrder() {
		out = append(out, []string{"network", "nsg", "rule", "update", "--resource-group", "rg",
			"--nsg-name", m.NSG, "--name", m.Rule.Name, "--priority", strconv.Itoa(m.To)})
	}
	for _, a := range p.Added {
		r := a.Rule
		args := []string{"network", "nsg", "rule", "create", "--resource-group", "rg",
			"--nsg-name", a.NSG, "--name", r.Name, "--priority", strconv.Itoa(r.Priority),
			"--direction", r.Direction.String(), "--access", r.Access.String(), "--protocol", r.Protocol.String()}
		side := func(name string, s topology.Addresses) {
			if len(s.ApplicationSecurityGroups) > 0 {
				args = append(append(args, "--"+name+"-asgs"), s.ApplicationSecurityGroups...)
				return
			}
			args = append(append(args, "--"+name+"-address-prefixes"), sideStrings(s)...)
		}
		side("source", r.Source)
		args = append(append(args, "--source-port-ranges"), portStrings(r.SourcePorts)...)
		side("destination", r.Destination)
		args = append(append(args, "--destination-port-ranges"), portStrings(r.DestinationPorts)...)
		if r.Description != "" {
			args = append(args, "--description", r.Description)
		}
		out = append(out, args)
	}
	return out
}

// TestHostileNamesTerraform parses the Terraform form with HCL's own parser
// and checks that it holds exactly the intended blocks, and that every
// attribute evaluates to the intended value.
func TestHostileNamesTerraform(t *testing.T) {
	for i, h := range hostile.Names {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			plan := hostilePlan(t, h)
			var buf bytes.Buffer
			if err := plan.WriteTerraform(&buf); err != nil {
				t.Fatal(err)
			}
			checkComments(t, buf.String(), "#")
			f, diags := hclsyntax.ParseConfig(buf.Bytes(), "fix.tf", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatalf("HCL does not parse: %s\n%s", diags.Error(), buf.String())
			}
			body := f.Body.(*hclsyntax.Body)
			if len(body.Attributes) != 0 {
				t.Errorf("top-level attributes %v", body.Attributes)
			}
			ctx := &hcl.EvalContext{Variables: map[string]cty.Value{
				"var": cty.ObjectVal(map[string]cty.Value{"resource_group_name": cty.StringVal("rg")}),
			}}
			var rules []*hclsyntax.Block
			for _, b := range body.Blocks {
				switch {
				case b.Type == "variable" && slices.Equal(b.Labels, []string{"resource_group_name"}):
				case b.Type == "resource" && len(b.Labels) == 2 && b.Labels[0] == "azurerm_network_security_rule":
					rules = append(rules, b)
				default:
					t.Errorf("unexpected block %s %q", b.Type, b.Labels)
				}
			}
			if len(rules) != len(plan.Added) {
				t.Fatalf("%d rule resources, want %d", len(rules), len(plan.Added))
			}
			for i, a := range plan.Added {
				got := make(map[string]string)
				for name, attr := range rules[i].Body.Attributes {
					v, diags := attr.Expr.Value(ctx)
					if diags.HasErrors() {
						t.Fatalf("attribute %s: %s", name, diags.Error())
					}
					got[name] = ctyString(v)
				}
				want := intendedTerraform(a)
				for k, w := range want {
					if got[k] != w {
						t.Errorf("rule %d %s = %q, want %q", i, k, got[k], w)
					}
				}
				if len(got) != len(want) {
					t.Errorf("rule %d has attributes %v, want %v", i, keys(got), keys(want))
				}
			}
		})
	}
}

func ctyString(v cty.Value) string {
	switch {
	case v.Type() == cty.String:
		return v.AsString()
	case v.Type() == cty.Number:
		return v.AsBigFloat().String()
	case v.CanIterateElements():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			parts = append(parts, ctyString(e))
		}
		return "[" + strings.Join(parts, "|") + "]"
	}
	return fmt.Sprint(v)
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// intendedTerraform is what each attribute of an added rule must evaluate
// to (azurerm_network_security_rule).
func intendedTerraform(a Addition) map[string]string {
	r := a.Rule
	m := map[string]string{
		"name": r.Name, "resource_group_name": "rg", "network_security_group_name": a.NSG,
		"priority": strconv.Itoa(r.Priority), "direction": r.Direction.String(),
		"access": r.Access.String(), "protocol": r.Protocol.String(),
	}
	list := func(single string, vals []string) {
		if len(vals) == 1 {
			m[single] = vals[0]
		} else {
			m[single+"s"] = "[" + strings.Join(vals, "|") + "]"
		}
	}
	list("source_port_range", portStrings(r.SourcePorts))
	list("destination_port_range", portStrings(r.DestinationPorts))
	list("source_address_prefix", sideStrings(r.Source))
	list("destination_address_prefix", sideStrings(r.Destination))
	if r.Description != "" {
		m["description"] = r.Description
	}
	return m
}

// bicepLiteral reads one Bicep string literal at the start of s, by the
// escapes of the Bicep documentation
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/bicep/data-types#strings):
// it fails on an interpolation, an unknown escape, or a literal that does
// not end on its line.
func bicepLiteral(s string) (value string, rest string, err error) {
	if !strings.HasPrefix(s, "'") {
		return "", s, fmt.Errorf("not a string literal: %q", s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			return b.String(), s[i+1:], nil
		case '\n', '\r':
			return "", "", fmt.Errorf("string literal spans lines")
		case '$':
			if strings.HasPrefix(s[i:], "${") {
				return "", "", fmt.Errorf("interpolation in %q", s)
			}
			b.WriteByte(c)
		case '\\':
			i++
			if i >= len(s) {
				return "", "", fmt.Errorf("escape at end")
			}
			switch s[i] {
			case '\\', '\'', '$':
				b.WriteByte(s[i])
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				end := strings.IndexByte(s[i:], '}')
				if !strings.HasPrefix(s[i:], "u{") || end < 0 {
					return "", "", fmt.Errorf("bad \\u escape in %q", s)
				}
				n, err := strconv.ParseUint(s[i+2:i+end], 16, 32)
				if err != nil || n > 0x10ffff {
					return "", "", fmt.Errorf("bad \\u escape in %q", s)
				}
				b.WriteRune(rune(n))
				i += end
			default:
				return "", "", fmt.Errorf("unknown escape \\%c", s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", fmt.Errorf("unterminated string literal %q", s)
}

// bicepLine is the shape of every line the Bicep form may have, with each
// string literal replaced by S.
var bicepLine = regexp.MustCompile(`^(|//.*|resource [A-Za-z_][A-Za-z0-9_]* S( existing)? = \{|\}|  (name|parent|description|priority|direction|access|protocol|(source|destination)(AddressPrefix|PortRange)): (S|[A-Za-z0-9_]+)|  properties: \{|  \}|    (name|description|priority|direction|access|protocol|(source|destination)(AddressPrefix|PortRange)): (S|[0-9]+)|    (source|destination)(AddressPrefixes|PortRanges|ApplicationSecurityGroups): \[|      S|      \{ id: resourceId\(S, S\) \}|    \])$`)

// TestHostileNamesBicep reads every string literal of the Bicep form as
// Bicep would and checks the lines around them: each line has one of the
// shapes the form writes, and the literals say exactly the names.
func TestHostileNamesBicep(t *testing.T) {
	for i, h := range hostile.Names {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			plan := hostilePlan(t, h)
			var buf bytes.Buffer
			if err := plan.WriteBicep(&buf); err != nil {
				t.Fatal(err)
			}
			checkComments(t, buf.String(), "//")
			var names, descriptions []string
			for _, line := range strings.Split(buf.String(), "\n") {
				if strings.HasPrefix(line, "//") {
					continue
				}
				var shape strings.Builder
				var lits []string
				for rest := line; rest != ""; {
					j := strings.IndexByte(rest, '\'')
					if j < 0 {
						shape.WriteString(rest)
						break
					}
					shape.WriteString(rest[:j] + "S")
					v, r, err := bicepLiteral(rest[j:])
					if err != nil {
						t.Fatalf("line %q: %v", line, err)
					}
					lits, rest = append(lits, v), r
				}
				if !bicepLine.MatchString(shape.String()) {
					t.Errorf("unexpected Bicep line %q", line)
				}
				switch {
				case strings.HasPrefix(line, "  name: "), strings.HasPrefix(line, "    name: "):
					names = append(names, lits...)
				case strings.HasPrefix(line, "    description: "):
					descriptions = append(descriptions, lits...)
				}
			}
			var want, wantDesc []string
			for _, n := range append(plan.nsgNames(), plan.Moves[0].NSG) {
				if !slices.Contains(want, n) {
					want = append(want, n)
				}
			}
			want = append(want, plan.Moves[0].Rule.Name)
			if plan.Moves[0].Rule.Description != "" {
				wantDesc = append(wantDesc, plan.Moves[0].Rule.Description)
			}
			for _, a := range plan.Added {
				want = append(want, a.Rule.Name)
				wantDesc = append(wantDesc, a.Rule.Description)
			}
			if !slices.Equal(names, want) {
				t.Errorf("names in the Bicep form:\n%q\nwant\n%q", names, want)
			}
			if !slices.Equal(descriptions, wantDesc) {
				t.Errorf("descriptions in the Bicep form:\n%q\nwant\n%q", descriptions, wantDesc)
			}
		})
	}
}

// TestHostileNamesYAML reads the YAML form back: with yaml.v3 for every
// name (the loader refuses names with control characters, so the check is
// that the document says exactly those names and nothing more), and with
// nsgsim's loader for the names it accepts, comparing the topology.
func TestHostileNamesYAML(t *testing.T) {
	for i, h := range hostile.Names {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			plan := hostilePlan(t, h)
			var buf bytes.Buffer
			if err := plan.WriteYAML(&buf); err != nil {
				t.Fatal(err)
			}
			checkComments(t, buf.String(), "#")
			var doc struct {
				Name                  string
				VirtualNetworks       []struct{ Name string } `yaml:"virtualNetworks"`
				NetworkSecurityGroups []struct {
					Name          string
					SecurityRules []struct {
						Name     string
						Priority int
					} `yaml:"securityRules"`
				} `yaml:"networkSecurityGroups"`
				Clients []struct{ Name string }
				Flows   []struct{ Name string }
			}
			var generic map[string]any
			if err := yaml.Unmarshal(buf.Bytes(), &generic); err != nil {
				t.Fatalf("yaml: %v\n%s", err, buf.String())
			}
			if err := yaml.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatalf("yaml: %v", err)
			}
			want := plan.Patched
			if doc.Name != want.Name || len(doc.Clients) != len(want.Clients) || doc.Clients[0].Name != want.Clients[0].Name ||
				len(doc.Flows) != 1 || doc.Flows[0].Name != want.Flows[0].Name {
				t.Errorf("read back name %q, clients %+v, flows %+v; want %q, %q, %q", doc.Name, doc.Clients, doc.Flows,
					want.Name, want.Clients[0].Name, want.Flows[0].Name)
			}
			for i, g := range want.NetworkSecurityGroups {
				dg := doc.NetworkSecurityGroups[i]
				if dg.Name != g.Name || len(dg.SecurityRules) != len(g.SecurityRules) {
					t.Fatalf("NSG %d read back as %q with %d rules, want %q with %d", i, dg.Name, len(dg.SecurityRules), g.Name, len(g.SecurityRules))
				}
				for j, r := range g.SecurityRules {
					if dr := dg.SecurityRules[j]; dr.Name != r.Name || dr.Priority != r.Priority {
						t.Errorf("rule read back as %q %d, want %q %d", dr.Name, dr.Priority, r.Name, r.Priority)
					}
				}
			}
			if topology.NameProblem(h) != "" || strings.Contains(h, "/") {
				return // the loader refuses it, or cannot read "VNET/SUBNET" with a slash in a name
			}
			back, err := topology.Parse("fixed.yaml", buf.Bytes())
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			a, _ := topology.Marshal(back)
			b, _ := topology.Marshal(want)
			if !bytes.Equal(a, b) {
				t.Errorf("the loader reads back another topology:\n%s\nwant\n%s", a, b)
			}
		})
	}
}

// TestAzRefusesNUL checks that a name with a NUL, which no shell argument
// can carry, makes the az form fail rather than name another rule.
func TestAzRefusesNUL(t *testing.T) {
	plan := hostilePlan(t, "a\x00b")
	if err := plan.WriteAz(new(bytes.Buffer)); err == nil || !strings.Contains(err.Error(), "NUL") {
		t.Errorf("WriteAz with a NUL in a name: err = %v, want a refusal", err)
	}
}

// TestHostileNamesYAMLEdit runs the text-editing form of --emit yaml (and
// --emit patch) over the hostile names the loader accepts: the topology is
// written to a file and loaded, so that the fix edits that file. The edited
// file must load back as the patched topology, and its comments must carry
// no unsafe character.
func TestHostileNamesYAMLEdit(t *testing.T) {
	for i, h := range hostile.Names {
		if topology.NameProblem(h) != "" || strings.Contains(h, "/") {
			continue
		}
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			plan := hostilePlan(t, h)
			data, err := topology.Marshal(plan.Original)
			if err != nil {
				t.Fatal(err)
			}
			path, topo := writeTopology(t, "topo.yaml", string(data))
			plan, err = Compute(topo)
			if err != nil {
				t.Fatal(err)
			}
			var out, patch bytes.Buffer
			if err := plan.WriteYAML(&out); err != nil {
				t.Fatal(err)
			}
			if err := plan.WritePatch(&patch); err != nil {
				t.Fatal(err)
			}
			checkComments(t, out.String(), "#")
			back, err := topology.Parse(path, out.Bytes())
			if err != nil {
				t.Fatalf("Parse(edited): %v\n%s", err, out.String())
			}
			a, _ := topology.Marshal(back)
			b, _ := topology.Marshal(plan.Patched)
			if !bytes.Equal(a, b) {
				t.Errorf("the edited file is not the patched topology:\n%s\nwant\n%s", a, b)
			}
			gitApply(t, string(data), patch.String(), out.String())
		})
	}
}
