package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/simtest"
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/sim"
)

// Hostile text is inert (issue 7): names and descriptions that hold
// markup, script and URLs are drawn as text. TestEscaping checks the
// escaping of each format as text; the tests here load the HTML report and
// the SVG diagram in headless Chromium with the report's
// Content-Security-Policy removed, so that escaping alone must hold, and
// check that no script ran.
//
// Every payload, when run, sets the page title or a body attribute to
// "PWNED", a word spelled 'PW'+'NED' in the payloads so that the text of a
// payload never contains it. A control page proves that the harness sees a
// payload that runs.

// hostileYAML is a valid topology whose names and descriptions are
// payloads. VNet and subnet names hold no "/" (a VM's subnet is
// "VNET/SUBNET").
const hostileYAML = `name: "<script>document.title='PW'+'NED'</script> &#60;script&#62;"
virtualNetworks:
  - name: "hub<img src=x onerror=document.body.setAttribute('data-x','PW'+'NED')>"
    addressSpace: [10.0.0.0/16]
    subnets:
      - name: AzureBastionSubnet
        addressPrefix: 10.0.0.0/26
      - name: "work<b>load<i>"
        addressPrefix: 10.0.1.0/24
        networkSecurityGroup: "nsg\"><svg onload=\"document.body.setAttribute('data-y','PW'+'NED')\">"
networkSecurityGroups:
  - name: "nsg\"><svg onload=\"document.body.setAttribute('data-y','PW'+'NED')\">"
    securityRules:
      - name: "Deny</style></title><script>document.title='PW'+'NED'</script>"
        description: "javascript:document.title='PW'+'NED' <a id=\"evil\" href=\"javascript:document.title='PW'+'NED'\">x</a> ]]><script>document.title='PW'+'NED'</script> <!-- {{.}} -->"
        priority: 100
        direction: Inbound
        access: Deny
        protocol: Tcp
        sourceAddressPrefix: "*"
        sourcePortRange: "*"
        destinationAddressPrefix: "*"
        destinationPortRange: "22"
virtualMachines:
  - name: "vm'><iframe srcdoc='<script>parent.document.title=&quot;PW&quot;+&quot;NED&quot;</script>'>"
    subnet: "hub<img src=x onerror=document.body.setAttribute('data-x','PW'+'NED')>/work<b>load<i>"
    privateIpAddress: 10.0.1.4
    os: Linux
bastionHosts:
  - name: "bastion<script>document.title='PW'+'NED'</script>"
    virtualNetwork: "hub<img src=x onerror=document.body.setAttribute('data-x','PW'+'NED')>"
clients:
  - name: "office<meta http-equiv=refresh content='0;url=javascript:document.title=1'>"
    addressPrefix: 203.0.113.0/24
flows:
  - name: "f<style>body{display:none}</style><object data=x onerror=document.title='PW'+'NED'>"
    source: "vm'><iframe srcdoc='<script>parent.document.title=&quot;PW&quot;+&quot;NED&quot;</script>'>"
    destination: 10.0.1.9
    protocol: Tcp
    destinationPort: 443
`

// injected are what a serialized DOM holds only if a payload became an
// element: the serializer writes a "<" of text as "&lt;".
var injected = []string{
	"<img", "<svg onload", "<iframe", "<meta http-equiv=\"refresh\"", "<object", "<b>load", "<i>",
	"<a id=\"evil\"", "<style>body{display:none}",
}

// Payloads as the report shows them: each must be in the text of the page.
const (
	showTopology = "<script>document.title='PW'+'NED'</script> &#60;script&#62;"
	showVNet     = "hub<img src=x onerror=document.body.setAttribute('data-x','PW'+'NED')>"
	showSubnet   = "work<b>load<i>"
	showNSG      = "nsg\"><svg onload=\"document.body.setAttribute('data-y','PW'+'NED')\">"
	showRule     = "Deny</style></title><script>document.title='PW'+'NED'</script>"
	showVM       = "vm'><iframe srcdoc='<script>parent.document.title=&quot;PW&quot;+&quot;NED&quot;</script>'>"
	showBastion  = "bastion<script>document.title='PW'+'NED'</script>"
	showClient   = "office<meta http-equiv=refresh content='0;url=javascript:document.title=1'>"
	showFlow     = "f<style>body{display:none}</style><object data=x onerror=document.title='PW'+'NED'>"
)

// auditScript, added to a page without a Content-Security-Policy, lists
// after load what a payload could have made of the page: a dangerous
// element, an event-handler attribute, a javascript: URL, or a payload
// missing from the page's text because it became markup. It writes the
// list, URL-encoded, to the root element's data-audit attribute. %s is a
// JSON list of the texts that must be shown.
const auditScript = `(function () {
  var shown = %s;
  function audit() {
    var out = [];
    var dangerous = {script: 1, iframe: 1, frame: 1, object: 1, embed: 1, img: 1, image: 1, base: 1, form: 1,
      input: 1, button: 1, textarea: 1, link: 1, video: 1, audio: 1, source: 1, foreignobject: 1};
    var all = document.getElementsByTagName("*");
    for (var i = 0; i < all.length; i++) {
      var el = all[i], tag = el.localName.toLowerCase();
      if (el.id === "nsgsim-audit") continue;
      if (dangerous[tag]) out.push("element " + tag);
      if (tag === "meta" && el.getAttribute("http-equiv")) out.push("meta http-equiv=" + el.getAttribute("http-equiv"));
      if (tag === "style" && !(el.parentNode && el.parentNode.localName === "head")) out.push("style element outside head");
      for (var j = 0; j < el.attributes.length; j++) {
        var a = el.attributes[j], n = a.name.toLowerCase();
        if (n.indexOf("on") === 0) out.push("attribute " + n + " on " + tag);
        if (/^\s*javascript:/i.test(a.value)) out.push("javascript: URL in " + n + " on " + tag);
      }
    }
    var text = document.documentElement.textContent;
    for (var k = 0; k < shown.length; k++) {
      if (text.indexOf(shown[k]) < 0) out.push("not shown as text: " + shown[k]);
    }
    document.documentElement.setAttribute("data-audit", out.length ? encodeURIComponent(out.join("\n")) : "clean");
  }
  if (document.readyState === "complete") audit(); else window.addEventListener("load", audit);
})();`

// withAudit adds auditScript to an HTML page (before </body>) or an SVG
// document (before its last </svg>).
func withAudit(t *testing.T, page []byte, svg bool, shown []string) []byte {
	t.Helper()
	list, err := json.Marshal(shown) // escapes <, > and & as \u003c...
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(auditScript, list)
	var tag, end string
	if svg {
		tag, end = `<script id="nsgsim-audit"><![CDATA[`+script+`]]></script>`, "</svg>"
	} else {
		tag, end = `<script id="nsgsim-audit">`+script+`</script>`, "</body>"
	}
	i := bytes.LastIndex(page, []byte(end))
	if i < 0 {
		t.Fatalf("no %s to add the audit script before", end)
	}
	return slices.Concat(page[:i], []byte(tag), page[i:])
}

var auditAttr = regexp.MustCompile(`data-audit="([^"]*)"`)

// audited returns what the audit script found in a dumped DOM.
func audited(t *testing.T, dom string) []string {
	t.Helper()
	m := auditAttr.FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the audit script did not run: no data-audit attribute in the DOM")
	}
	if m[1] == "clean" {
		return nil
	}
	s, err := url.PathUnescape(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatalf("data-audit %q: %v", m[1], err)
	}
	return strings.Split(s, "\n")
}

func hostileRender(t *testing.T, f Format, r *sim.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, f, r, Options{}); err != nil {
		t.Fatalf("Render(hostile, %s): %v", f, err)
	}
	return buf.Bytes()
}

// dumpDOM loads path in headless Chromium, lets it run for a virtual
// second, and returns the DOM it built, serialized.
func dumpDOM(t *testing.T, bin, path string) string {
	t.Helper()
	dom, log := runChromium(t, bin, path, "--virtual-time-budget=1000")
	if dom == "" {
		t.Fatalf("%s --dump-dom %s printed nothing\n%s", bin, path, log)
	}
	return dom
}

var cspMeta = regexp.MustCompile(`(?i)<meta[^>]*http-equiv="?Content-Security-Policy"?[^>]*>`)

// TestHostileTextInChromium loads the HTML report and the SVG diagram of
// hostileYAML in headless Chromium and checks that no payload ran or became
// markup, and that the payloads show as text.
func TestHostileTextInChromium(t *testing.T) {
	bin := chromium(t)
	r := simtest.YAML(t, "hostile.yaml", hostileYAML)
	report := hostileRender(t, HTML, r)
	svg := hostileRender(t, SVG, r)
	noCSP := cspMeta.ReplaceAll(report, nil)
	if bytes.Equal(noCSP, report) {
		t.Log("the HTML report has no Content-Security-Policy meta element to remove")
	}
	inHTML := []string{showTopology, showVNet, showSubnet, showNSG, showRule, showVM, showBastion, showClient, showFlow}
	inSVG := []string{showVNet, showSubnet, showNSG, showVM, showBastion, showClient}

	dir := t.TempDir()
	pages := []struct {
		name string
		data []byte
		ran  bool // the controls: their payloads must run and be caught
	}{
		{"control.html", []byte(`<!DOCTYPE html><html><head><title>control</title></head><body><p>text</p>` +
			`<img src=x onerror="document.body.setAttribute('data-x','PW'+'NED')">` +
			`<script>document.title='PW'+'NED'</script></body></html>`), true},
		{"control-audit.html", withAudit(t, []byte(`<!DOCTYPE html><html><head><title>control</title></head><body>`+
			`<p>work<b>load<i></i></b></p><a href="javascript:void(0)">x</a><iframe></iframe></body></html>`), false, []string{showSubnet}), true},
		// Escaping alone: the report without its Content-Security-Policy.
		{"report-without-csp.html", withAudit(t, noCSP, false, inHTML), false},
		// The report as written.
		{"report.html", report, false},
		// A standalone SVG runs scripts when opened: it has no CSP.
		{"diagram.svg", withAudit(t, svg, true, inSVG), false},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel() // Chromium mostly waits
			path := filepath.Join(dir, p.name)
			if err := os.WriteFile(path, p.data, 0o644); err != nil {
				t.Fatal(err)
			}
			dom := dumpDOM(t, bin, path)
			var found []string
			if strings.Contains(dom, "PWNED") {
				i := strings.Index(dom, "PWNED")
				found = append(found, fmt.Sprintf("a payload ran: PWNED near %q", dom[max(0, i-300):min(len(dom), i+100)]))
			}
			lower := strings.ToLower(dom)
			for _, bad := range injected {
				if i := strings.Index(lower, strings.ToLower(bad)); i >= 0 {
					found = append(found, fmt.Sprintf("a payload became markup: %q near %q", bad, dom[max(0, i-200):min(len(dom), i+100)]))
				}
			}
			if bytes.Contains(p.data, []byte(`id="nsgsim-audit"`)) {
				for _, a := range audited(t, dom) {
					found = append(found, "audit: "+a)
				}
			} else if n := strings.Count(lower, "<script"); n > 0 {
				found = append(found, fmt.Sprintf("%d <script> elements", n))
			}
			if p.ran {
				if len(found) == 0 {
					t.Fatalf("the control's payloads were not caught; the harness cannot see a payload run. DOM:\n%s", dom)
				}
				t.Logf("control caught: %q", found)
				return
			}
			for _, f := range found {
				t.Error(f)
			}
		})
	}
}

// TestHostileTextMermaid checks that no payload of hostileYAML reaches a
// Mermaid label as markup: Mermaid renders labels as HTML.
func TestHostileTextMermaid(t *testing.T) {
	out := string(hostileRender(t, Mermaid, simtest.YAML(t, "hostile.yaml", hostileYAML)))
	for _, bad := range []string{"<script", "<img", "<svg", "<iframe", "<meta", "<object", "<style", "<a ", "<b>load", "<i>", "\"><"} {
		if strings.Contains(out, bad) {
			i := strings.Index(out, bad)
			t.Errorf("Mermaid holds %q unescaped near %q", bad, out[max(0, i-80):min(len(out), i+80)])
		}
	}
	for _, want := range []string{"#lt;script#gt;", "#lt;img src=x", "work#lt;b#gt;load#lt;i#gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("Mermaid does not show %q", want)
		}
	}
}

// TestMermaidDirectiveInName checks that a name holding "%%{", which starts
// a Mermaid directive anywhere in the text, cannot reach the output as one
// (issue 11 item 5), in a VM's name or the title.
func TestMermaidDirectiveInName(t *testing.T) {
	_, src, err := scenarios.Source("nic-nsg-blocks-ssh")
	if err != nil {
		t.Fatal(err)
	}
	yml := strings.Replace(string(src), "  - name: vm-linux-1\n", "  - name: \"%%{init: {'theme':'dark'}}%%vm\"\n", 1)
	// Its expectation goes: a flow mapping cannot hold the braces.
	yml = strings.Replace(yml, "  - {flow: bastion-hub/ssh/vm-linux-1,        verdict: Allow}\n", "", 1)
	yml = strings.Replace(yml, "name: nic-nsg-blocks-ssh", `name: "%%{init: {'theme':'forest'}}%%"`, 1)
	r := simtest.YAML(t, "evil.yaml", yml)
	out := string(hostileRender(t, Mermaid, r))
	if strings.Contains(out, "%%{") || strings.Contains(out, "}%%") {
		t.Errorf("Mermaid output holds a directive:\n%s", out)
	}
	if !strings.Contains(out, "#37;#37;{init") {
		t.Errorf("Mermaid output does not show the VM's name escaped:\n%s", out)
	}
}
