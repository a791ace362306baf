package serve

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nsgsim/nsgsim/internal/simtest"
	"github.com/nsgsim/nsgsim/report"
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// newTestServer serves a built-in scenario.
func newTestServer(t *testing.T, scenario string) (*Server, *httptest.Server) {
	t.Helper()
	s, err := New(Options{Load: func() (*topology.Topology, error) { return scenarios.Load(scenario) }, CollapseAbove: 60})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

// serveScenarioFile writes a built-in scenario to a file of the test's own
// and serves that file, watched, as `nsgsim serve FILE` does. It returns
// the file's path and content beside the servers.
func serveScenarioFile(t *testing.T, scenario string, collapseAbove int) (s *Server, ts *httptest.Server, path string, data []byte) {
	t.Helper()
	_, data, err := scenarios.Source(scenario)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "topo.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = New(Options{Load: func() (*topology.Topology, error) { return topology.Load(path) }, Watch: path, CollapseAbove: collapseAbove})
	if err != nil {
		t.Fatal(err)
	}
	ts = httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts, path, data
}

// call makes an API request with the run's token; body nil means GET.
func call(t *testing.T, s *Server, ts *httptest.Server, path string, body any) (*http.Response, []byte) {
	t.Helper()
	method := http.MethodGet
	var rd io.Reader
	if body != nil {
		method = http.MethodPost
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, ts.URL+path, rd)
	req.Header.Set("X-Nsgsim-Token", s.Token())
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

func version(t *testing.T, s *Server, ts *httptest.Server) string {
	t.Helper()
	_, data := call(t, s, ts, "/api/version", nil)
	var v struct{ Version string }
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v.Version
}

func evalEdits(t *testing.T, s *Server, ts *httptest.Server, edits []Edit) evalResponse {
	t.Helper()
	resp, data := call(t, s, ts, "/api/eval", request{Version: version(t, s, ts), Edits: edits})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("eval: %s: %s", resp.Status, data)
	}
	var out evalResponse
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEditsAgreeWithSimulate: the page's verdicts after an edit are those
// `simulate` gives the edited file, flow for flow.
func TestEditsAgreeWithSimulate(t *testing.T) {
	s, ts := newTestServer(t, "hub-three-spokes")
	edits := []Edit{
		{Op: OpDisable, NSG: "nsg-bastion", Rule: "AllowSshRdpOutbound"},
		{Op: OpSet, NSG: "nsg-data", Rule: "DenyRdpFromHub", Set: map[string]string{"access": "Allow", "priority": "150"}},
		{Op: OpAdd, NSG: "nsg-app-web", Rule: "DenySshFromAnywhere", Set: map[string]string{"access": "Deny", "priority": "4000", "destinationPorts": "22, 2222-2223", "source": "10.0.0.0/26"}},
	}
	out := evalEdits(t, s, ts, edits)
	if len(out.Problems) > 0 {
		t.Fatalf("problems: %q", out.Problems)
	}
	// The same edits by hand, then simulate.
	topo, err := scenarios.Load("hub-three-spokes")
	if err != nil {
		t.Fatal(err)
	}
	before, err := sim.Simulate(topo)
	if err != nil {
		t.Fatal(err)
	}
	g := topo.NetworkSecurityGroupByName("nsg-bastion")
	for i, r := range g.SecurityRules {
		if r.Name == "AllowSshRdpOutbound" {
			g.SecurityRules = append(g.SecurityRules[:i], g.SecurityRules[i+1:]...)
			break
		}
	}
	for _, r := range topo.NetworkSecurityGroupByName("nsg-data").SecurityRules {
		if r.Name == "DenyRdpFromHub" {
			r.Access, r.Priority = topology.Allow, 150
		}
	}
	web := topo.NetworkSecurityGroupByName("nsg-app-web")
	web.SecurityRules = append(web.SecurityRules, &topology.SecurityRule{
		Name: "DenySshFromAnywhere", Priority: 4000, Direction: topology.Inbound, Access: topology.Deny, Protocol: topology.Tcp,
		Source: topology.Addresses{Prefixes: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/26")}}, SourcePorts: []topology.PortRange{topology.AllPorts},
		Destination: topology.Addresses{Any: true}, DestinationPorts: []topology.PortRange{{Lo: 22, Hi: 22}, {Lo: 2222, Hi: 2223}},
	})
	after, err := sim.Simulate(topo)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, res := range after.Results {
		want[res.Flow.ID] = res.Verdict.String()
	}
	got := map[string]string{}
	for _, res := range before.Results {
		got[res.Flow.ID] = res.Verdict.String()
	}
	for _, f := range out.Flows {
		got[f.ID] = f.Verdict
	}
	changed := 0
	for id, w := range want {
		if got[id] != w {
			t.Errorf("flow %s: page says %s, simulate says %s", id, got[id], w)
		}
		if before := findVerdict(before, id); before != w {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("the edits changed no verdict; the test proves nothing")
	}
	_, data := call(t, s, ts, "/api/findings", request{Version: version(t, s, ts), Edits: edits})
	var fr findingsResponse
	if err := json.Unmarshal(data, &fr); err != nil {
		t.Fatal(err)
	}
	if want := report.NewDocument(after).Summary; fr.Summary != want {
		t.Errorf("summary = %+v, want %+v", fr.Summary, want)
	}
	if len(fr.FindingsAdded) == 0 {
		t.Errorf("removing AllowSshRdpOutbound added no finding")
	}
	if len(out.Rules) != 3 {
		t.Errorf("rule edits = %+v, want 3", out.Rules)
	}
	_, data = call(t, s, ts, "/api/emit", request{Version: version(t, s, ts), Edits: edits, Format: "az"})
	var changes struct{ Diff string }
	json.Unmarshal(data, &changes)
	if !strings.Contains(changes.Diff, "BROKEN") {
		t.Errorf("diff text lacks BROKEN:\n%s", changes.Diff)
	}
	// The diagram's edges carry the new colours.
	var red bool
	for _, e := range out.Edges {
		if e.ID == "flow:bastion-hub/ssh/hub-dns-1" {
			red = strings.Contains(e.Class, "verdict-deny")
		}
	}
	if !red {
		t.Errorf("edge of bastion-hub/ssh/hub-dns-1 is not Deny after the outbound rule is gone: %+v", out.Edges)
	}
}

func findVerdict(r *sim.Report, id string) string {
	for _, res := range r.Results {
		if res.Flow.ID == id {
			return res.Verdict.String()
		}
	}
	return ""
}

// TestBadEdits: an edit that does not apply is reported, and the others
// still count; an edit that makes the NSG invalid keeps the file's verdicts.
func TestBadEdits(t *testing.T) {
	s, ts := newTestServer(t, "hub-three-spokes")
	tests := []struct {
		name string
		edit Edit
		want string
	}{
		{"no nsg", Edit{Op: OpDisable, NSG: "nope", Rule: "x"}, `no NSG named "nope"`},
		{"no rule", Edit{Op: OpDisable, NSG: "nsg-bastion", Rule: "nope"}, `has no rule "nope"`},
		{"bad port", Edit{Op: OpSet, NSG: "nsg-data", Rule: "DenyRdpFromHub", Set: map[string]string{"destinationPorts": "70000"}}, "70000"},
		{"bad prefix", Edit{Op: OpSet, NSG: "nsg-data", Rule: "DenyRdpFromHub", Set: map[string]string{"source": "10.0.0.0/33"}}, "10.0.0.0/33"},
		{"priority range", Edit{Op: OpSet, NSG: "nsg-data", Rule: "DenyRdpFromHub", Set: map[string]string{"priority": "50"}}, "out of range [100, 4096]"},
		{"host bits", Edit{Op: OpSet, NSG: "nsg-data", Rule: "DenyRdpFromHub", Set: map[string]string{"source": "10.0.0.5/24"}}, "host bits"},
		{"unknown op", Edit{Op: "delete", NSG: "nsg-data", Rule: "DenyRdpFromHub"}, "unknown operation"},
		{"unknown field", Edit{Op: OpSet, NSG: "nsg-data", Rule: "DenyRdpFromHub", Set: map[string]string{"name": "x"}}, "unknown field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := evalEdits(t, s, ts, []Edit{tc.edit})
			if !strings.Contains(strings.Join(out.Problems, "\n"), tc.want) {
				t.Errorf("problems = %q, want one containing %q", out.Problems, tc.want)
			}
			if len(out.Flows) != 0 {
				t.Errorf("a bad edit changed %d flows", len(out.Flows))
			}
		})
	}
}

// TestSecurity: the Host header, the token, the origin and the headers.
func TestSecurity(t *testing.T) {
	s, ts := newTestServer(t, "reference")
	do := func(method, path, host, token, origin, ctype string) *http.Response {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(`{}`))
		if host != "" {
			req.Host = host
		}
		if token != "" {
			req.Header.Set("X-Nsgsim-Token", token)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	tok := s.Token()
	tests := []struct {
		name                                     string
		method, path, host, token, origin, ctype string
		want                                     int
	}{
		{"page", "GET", "/", "", "", "", "", 200},
		{"localhost", "GET", "/", "localhost:7480", "", "", "", 200},
		{"rebinding", "GET", "/", "attacker.example:7480", "", "", "", 403},
		{"rebinding api", "GET", "/api/model", "attacker.example", tok, "", "", 403},
		{"no token", "GET", "/api/model", "", "", "", "", 403},
		{"wrong token", "GET", "/api/model", "", "0123", "", "", 403},
		{"token", "GET", "/api/model", "", tok, "", "", 200},
		{"cross origin", "POST", "/api/eval", "", tok, "http://attacker.example", "application/json", 403},
		{"form post", "POST", "/api/eval", "", tok, "", "text/plain", 415},
		{"asset", "GET", "/assets/app.js", "", "", "", "", 200},
		{"no listing", "GET", "/assets/", "", "", "", "", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := do(tc.method, tc.path, tc.host, tc.token, tc.origin, tc.ctype)
			if resp.StatusCode != tc.want {
				t.Errorf("%s %s = %d, want %d", tc.method, tc.path, resp.StatusCode, tc.want)
			}
			if got := resp.Header.Get("Content-Security-Policy"); got != csp {
				t.Errorf("CSP = %q", got)
			}
		})
	}
	if strings.Contains(csp, "unsafe") || !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q allows more than the page's own script", csp)
	}
}

// TestPageHasNoInlineScript: every script is a file of the page's own, so
// the Content-Security-Policy needs no 'unsafe-inline'.
func TestPageHasNoInlineScript(t *testing.T) {
	s, ts := newTestServer(t, "reference")
	_, page := call(t, s, ts, "/", nil)
	html := string(page)
	if strings.Count(html, "<script") != 1 || !strings.Contains(html, `<script src="/assets/app.js" defer></script>`) {
		t.Errorf("page scripts: want only /assets/app.js:\n%s", html)
	}
	if strings.Contains(html, " on") && strings.Contains(html, "onclick") || strings.Contains(html, "http://") || strings.Contains(html, "https://") {
		t.Errorf("page has an inline handler or a network URL:\n%s", html)
	}
	for _, name := range []string{"app.js", "app.css"} {
		data, err := assets.ReadFile("assets/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "https://") || strings.Contains(string(data), "innerHTML") {
			t.Errorf("%s loads from the network or writes markup", name)
		}
	}
}

// TestReloadsChangedFile: the file is watched; a new version is served
// after it changes on disk, and the page's old version gets 409; the file
// is never written.
func TestReloadsChangedFile(t *testing.T) {
	s, ts, path, data := serveScenarioFile(t, "hub-three-spokes", 0)
	v1 := version(t, s, ts)
	out := evalEdits(t, s, ts, []Edit{{Op: OpDisable, NSG: "nsg-bastion", Rule: "AllowSshRdpOutbound"}})
	if len(out.Flows) == 0 {
		t.Fatal("disabling AllowSshRdpOutbound changed nothing")
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
		t.Fatal("an edit changed the file on disk")
	}
	changed := bytes.Replace(data, []byte("name: hub-three-spokes"), []byte("name: hub-three-spokes-v2"), 1)
	if bytes.Equal(changed, data) {
		t.Fatal("the scenario's name line moved; update the test")
	}
	time.Sleep(20 * time.Millisecond) // a later modification time
	if err := os.WriteFile(path, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	v2 := version(t, s, ts)
	if v2 == v1 {
		t.Fatalf("version after the file changed = %s, the same as before", v2)
	}
	resp, _ := call(t, s, ts, "/api/eval", request{Version: v1})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("eval at the old version = %s, want 409", resp.Status)
	}
	_, m := call(t, s, ts, "/api/model", nil)
	if !strings.Contains(string(m), "hub-three-spokes-v2") {
		t.Errorf("the model was not reloaded")
	}
}

// TestTraceIsTraceCommand: the trace the page shows is the text of
// `nsgsim trace` for the flow, edits applied.
func TestTraceIsTraceCommand(t *testing.T) {
	s, ts := newTestServer(t, "hub-three-spokes")
	resp, data := call(t, s, ts, "/api/trace", request{Version: version(t, s, ts), Flow: "bastion-hub/ssh/hub-dns-1"})
	if resp.StatusCode != 200 {
		t.Fatalf("trace: %s %s", resp.Status, data)
	}
	var out struct{ Text string }
	json.Unmarshal(data, &out)
	want := traceText(t, "hub-three-spokes", "bastion-hub/ssh/hub-dns-1")
	if out.Text != want {
		t.Errorf("trace =\n%s\nwant\n%s", out.Text, want)
	}
}

// traceText is report.WriteTrace of one flow of a scenario, as `nsgsim
// trace` writes it.
func traceText(t *testing.T, scenario, flow string) string {
	t.Helper()
	r := simtest.Scenario(t, scenario)
	for _, res := range r.Results {
		if res.Flow.ID == flow {
			var buf bytes.Buffer
			tr, err := r.Engine.Trace(res.Flow)
			if err != nil {
				t.Fatal(err)
			}
			report.WriteTrace(&buf, r.Engine, tr)
			return buf.String()
		}
	}
	t.Fatalf("no flow %s", flow)
	return ""
}

// TestEmit: the edits written by fix's emitters.
func TestEmit(t *testing.T) {
	// The scenario as a file of the user's: the YAML form edits it in place.
	s, ts, path, file := serveScenarioFile(t, "hub-three-spokes", 0)
	edits := []Edit{
		{Op: OpSet, NSG: "nsg-data", Rule: "DenyRdpFromHub", Set: map[string]string{"access": "Allow"}},
		{Op: OpSet, NSG: "nsg-app-web", Rule: firstRule(t, "nsg-app-web"), Set: map[string]string{"priority": "3000"}},
		{Op: OpAdd, NSG: "nsg-app-web", Rule: "DenyTelnet", Set: map[string]string{"access": "Deny", "priority": "4001", "destinationPorts": "23"}},
		{Op: OpDisable, NSG: "nsg-bastion", Rule: "AllowSshRdpOutbound"},
	}
	wants := map[string][]string{
		"az":        {"az network nsg rule create", "--nsg-name nsg-data --name DenyRdpFromHub", "--access Allow", "--name DenyTelnet", "--priority 3000", `delete rule "AllowSshRdpOutbound"`},
		"bicep":     {"name: 'DenyRdpFromHub'", "access: 'Allow'", "name: 'DenyTelnet'"},
		"terraform": {`resource "azurerm_network_security_rule"`, `name                        = "DenyTelnet"`},
		"yaml":      {"DenyTelnet", "networkSecurityGroups:", "# Hub with a Standard Bastion, three peered spokes"},
		"patch":     {"--- ", "+++ ", "DenyTelnet", "-      - name: AllowSshRdpOutbound"},
	}
	for format, want := range wants {
		resp, data := call(t, s, ts, "/api/emit", request{Version: version(t, s, ts), Edits: edits, Format: format})
		if resp.StatusCode != 200 {
			t.Fatalf("emit %s: %s %s", format, resp.Status, data)
		}
		var out struct{ Text string }
		json.Unmarshal(data, &out)
		for _, w := range want {
			if !strings.Contains(out.Text, w) {
				t.Errorf("emit %s lacks %q:\n%s", format, w, out.Text)
			}
		}
	}
	// The YAML without the disabled rule loads and simulates like the page.
	resp, data := call(t, s, ts, "/api/emit", request{Version: version(t, s, ts), Edits: edits, Format: "yaml"})
	if resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	var out struct{ Text string }
	json.Unmarshal(data, &out)
	topo, err := topology.Parse("emitted.yaml", []byte(out.Text))
	if err != nil {
		t.Fatalf("the emitted YAML does not load: %v", err)
	}
	if topo.NetworkSecurityGroupByName("nsg-app-web") == nil {
		t.Fatal("emitted YAML lost nsg-app-web")
	}
	for _, r := range topo.NetworkSecurityGroupByName("nsg-bastion").SecurityRules {
		if r.Name == "AllowSshRdpOutbound" {
			t.Error("the emitted YAML keeps the rule switched off")
		}
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, file) {
		t.Error("emitting the edits changed the file on disk")
	}
}

func firstRule(t *testing.T, nsg string) string {
	topo, err := scenarios.Load("hub-three-spokes")
	if err != nil {
		t.Fatal(err)
	}
	return topo.NetworkSecurityGroupByName(nsg).SecurityRules[0].Name
}
