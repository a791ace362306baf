package serve

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	chromiumpkg "github.com/nsgsim/nsgsim/internal/chromium"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/nsgsim/nsgsim/render"
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/topology"
)

// chromium finds the headless browser (internal/chromium).
func chromium(t *testing.T) string { return chromiumpkg.Path(t) }

// browser is one headless Chromium tab, with what it logged.
type browser struct {
	ctx     context.Context
	mu      sync.Mutex
	console []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	bin := chromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1600, 1000),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	b := &browser{ctx: ctx}
	add := func(line string) {
		b.mu.Lock()
		b.console = append(b.console, line)
		b.mu.Unlock()
	}
	consoleEvents := chromedp.Events(ctx, runtime.ConsoleAPICalled)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	logEntries := chromedp.Events(ctx, log.EntryAdded)
	go func() {
		for ev, err := range consoleEvents {
			if err != nil {
				return
			}
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value))
			}
			add(fmt.Sprintf("console.%s %s", ev.Type, strings.Join(parts, " ")))
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			add("exception: " + ev.ExceptionDetails.Text)
		}
	}()
	go func() {
		for ev, err := range logEntries {
			if err != nil {
				return
			}
			add(fmt.Sprintf("log %s: %s", ev.Entry.Level, ev.Entry.Text))
		}
	}()
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	return b
}

func (b *browser) logged() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.console)
}

// do runs actions in the tab and fails the test on the first error.
func (b *browser) do(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatalf("browser: %v\nlogged: %q", err, b.logged())
	}
}

// get runs one action that returns a value.
func get[T any](t *testing.T, b *browser, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		t.Fatalf("browser: %v\nlogged: %q", err, b.logged())
	}
	return v
}

// poll waits until a JavaScript expression is true.
func poll(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(45*time.Second))(ctx, t)
		if err != nil {
			err = fmt.Errorf("waiting for %s: %w", expr, err)
		}
		return chromedp.Void{}, err
	}
}

// eval runs JavaScript for its effect.
func eval(expr string) chromedp.Action[chromedp.Void] { return chromedp.Evaluate[chromedp.Void](expr) }

// ready waits for the page to have drawn its diagram.
var ready = chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`))

// click clicks an element of the page's own controls once it is there. It
// finds and clicks in one step, since the page redraws its table and rule
// rows as answers arrive; the diagram's edges are clicked with the mouse
// (clickEdge).
func click(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		poll(fmt.Sprintf(`document.querySelector(%q) !== null`, sel)),
		eval(fmt.Sprintf(`document.querySelector(%q).click()`, sel)),
	)
}

func text(sel string) chromedp.Action[string] { return chromedp.Text(chromedp.CSS(sel)) }

// serveTopology starts a server on a loaded topology, drawing every VM up
// to collapseAbove VMs.
func serveTopology(t *testing.T, load func() (*topology.Topology, error), collapseAbove int) string {
	t.Helper()
	s, err := New(Options{Load: load, CollapseAbove: collapseAbove})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts.URL + "/"
}

// edgeStroke is the stroke colour of a flow's edge in the page's diagram.
func edgeStroke(id string) string {
	return fmt.Sprintf(`(function(){ const g = document.getElementById(%q); const p = g && g.querySelector("path"); return p ? p.getAttribute("stroke") : ""; })()`, id)
}

// clickEdge clicks an edge of the diagram with the mouse, on its path.
func clickEdge(t *testing.T, b *browser, id string) {
	t.Helper()
	// A point of its line where no other edge is on top, as a user aims.
	pt := get(t, b, chromedp.Evaluate[[]float64](fmt.Sprintf(`(function(){
		const g = document.getElementById(%q);
		const p = g.querySelector("path");
		const m = p.getScreenCTM();
		for (let f = 0.3; f < 0.95; f += 0.05) {
			const q = p.getPointAtLength(p.getTotalLength() * f);
			const x = q.x * m.a + q.y * m.c + m.e, y = q.x * m.b + q.y * m.d + m.f;
			const el = document.elementFromPoint(x, y);
			if (el && el.closest("g.edge") === g) return [x, y];
		}
		return [];
	})()`, id)))
	if len(pt) != 2 {
		t.Fatalf("edge %s is covered by others everywhere", id)
	}
	b.do(t, chromedp.MouseClickXY(pt[0], pt[1]))
}

// setInput types a value into a text box and commits it, as leaving the box does.
func setInput(sel, value string) chromedp.Action[chromedp.Void] {
	return eval(fmt.Sprintf(`(function(){ const i = document.querySelector(%q); i.value = %q; i.dispatchEvent(new Event("change", {bubbles: true})); })()`, sel, value))
}

// editCell edits one field of a rule in the rules panel: click the cell,
// type, commit.
func editCell(nsg, rule, field, value string) chromedp.Action[chromedp.Void] {
	cell := fmt.Sprintf(`details[data-nsg=%q] tr[data-rule=%q] td[data-field=%q]`, nsg, rule, field)
	return chromedp.Steps(click(cell), setInput(cell+" input", value))
}

// toggle clicks the "on" box of a rule in the rules panel.
func toggle(nsg, rule string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		click(`.tabs button[data-tab="rules"]`),
		eval(fmt.Sprintf(`document.querySelector('details[data-nsg=%q]').open = true`, nsg)),
		poll(fmt.Sprintf(`document.querySelector('details[data-nsg=%q] tr[data-rule=%q]') !== null`, nsg, rule)),
		click(fmt.Sprintf(`details[data-nsg=%q] tr[data-rule=%q] input.enable`, nsg, rule)),
	)
}

const (
	green = "#2e7d32" // Allow, as render draws it
	red   = "#c62828" // Deny
)

// TestBrowser drives the page in Chromium on hub-three-spokes: load it,
// click an edge and see its trace, toggle the rule that lets the flow
// through and see the edge turn red, the flow's row and the findings
// follow, and take a screenshot.
func TestBrowser(t *testing.T) {
	b := newBrowser(t)
	// Every VM drawn, as `render --collapse-above 60` draws it: one edge per flow.
	url := serveTopology(t, func() (*topology.Topology, error) { return scenarios.Load("hub-three-spokes") }, 60)
	const flow = "bastion-hub/ssh/hub-dns-1"
	edge := "flow:" + flow
	b.do(t, chromedp.Navigate(url), ready)
	if got := get(t, b, chromedp.Evaluate[string](edgeStroke(edge))); got != green {
		t.Fatalf("edge %s stroke = %q, want Allow's %s", edge, got, green)
	}
	findingsBefore := get(t, b, text("#findings-count"))

	// Click the edge: the trace tab shows `nsgsim trace` for the flow.
	clickEdge(t, b, edge)
	b.do(t, chromedp.WaitVisible(chromedp.CSS("#trace-text")))
	want := traceText(t, "hub-three-spokes", flow)
	if got := get(t, b, chromedp.TextContent(chromedp.CSS("#trace-text"))); strings.TrimSpace(got) != strings.TrimSpace(want) {
		t.Errorf("trace after clicking the edge =\n%s\nwant\n%s", got, want)
	}

	// Click a row of the flow table: its trace.
	const rowFlow = "bastion-hub/rdp/data-sql-1"
	b.do(t, click(`#flows tr[data-id="`+rowFlow+`"] td:nth-child(2)`),
		poll(`document.querySelector("#trace h3") && document.querySelector("#trace h3").textContent === "`+rowFlow+`"`))
	if got, want := get(t, b, chromedp.TextContent(chromedp.CSS("#trace-text"))), traceText(t, "hub-three-spokes", rowFlow); strings.TrimSpace(got) != strings.TrimSpace(want) {
		t.Errorf("trace after clicking the row =\n%s\nwant\n%s", got, want)
	}

	// Toggle the rule that lets Bastion's SSH out of AzureBastionSubnet.
	b.do(t, toggle("nsg-bastion", "AllowSshRdpOutbound"), poll(edgeStroke(edge)+` === "`+red+`"`))
	row := get(t, b, text(`#flows tr[data-id="`+flow+`"] td.v`))
	if !strings.HasPrefix(row, "Deny") || !strings.Contains(row, "was Allow") {
		t.Errorf("flow row verdict = %q, want Deny (was Allow)", row)
	}
	// The findings follow: the rule is one the documentation asks for.
	b.do(t, poll(`document.getElementById("findings-count").textContent !== "`+findingsBefore+`"`))

	// The URL carries the edit: a fresh load of the link shows the same.
	link := get(t, b, chromedp.Location())
	if !strings.Contains(link, "#s=") {
		t.Fatalf("the URL holds no state: %s", link)
	}
	b.do(t, chromedp.Navigate("about:blank"), chromedp.Navigate(link), ready, poll(edgeStroke(edge)+` === "`+red+`"`))

	// Toggle it back: green again.
	b.do(t, toggle("nsg-bastion", "AllowSshRdpOutbound"), poll(edgeStroke(edge)+` === "`+green+`"`))

	// Flip DenyRdpFromHub to Allow; the changes panel has the flows and the edit.
	b.do(t,
		eval(`document.querySelector('details[data-nsg="nsg-data"]').open = true`),
		poll(`document.querySelector('details[data-nsg="nsg-data"] tr[data-rule="DenyRdpFromHub"]') !== null`),
		click(`details[data-nsg="nsg-data"] tr[data-rule="DenyRdpFromHub"] button.access`),
		poll(edgeStroke("flow:bastion-hub/rdp/data-sql-1")+` === "`+green+`"`),
		click(`.tabs button[data-tab="changes"]`),
		poll(`document.getElementById("emit").textContent.includes("DenyRdpFromHub")`),
	)
	if got := get(t, b, chromedp.TextContent(chromedp.CSS("#diff"))); !strings.Contains(got, "bastion-hub/rdp/data-sql-1") {
		t.Errorf("changes panel lacks the flow the flip fixed:\n%s", got)
	}
	// Add a rule that denies Bastion's SSH to the web subnet, before the
	// rule that allows it: the edge turns red. Move it after: green again.
	const web = "flow:bastion-hub/ssh/app-web-1"
	b.do(t,
		click(`.tabs button[data-tab="rules"]`),
		eval(`document.querySelector('details[data-nsg="nsg-app-web"]').open = true`),
		poll(`document.querySelector('details[data-nsg="nsg-app-web"] details.addrule') !== null`),
		eval(`document.querySelector('details[data-nsg="nsg-app-web"] details.addrule').open = true`),
		setInput(`details[data-nsg="nsg-app-web"] details.addrule input[name="name"]`, "DenySshFromBastion"),
		setInput(`details[data-nsg="nsg-app-web"] details.addrule input[name="priority"]`, "105"),
		setInput(`details[data-nsg="nsg-app-web"] details.addrule input[name="source"]`, "10.0.0.0/26"),
		click(`details[data-nsg="nsg-app-web"] details.addrule button`),
		poll(edgeStroke(web)+` === "`+red+`"`),
		editCell("nsg-app-web", "DenySshFromBastion", "priority", "120"),
		poll(edgeStroke(web)+` === "`+green+`"`),
	)
	if got := get(t, b, text("#problems")); got != "" {
		t.Errorf("problems after valid edits: %q", got)
	}
	// A priority taken by another rule is refused, and the verdicts stay.
	b.do(t,
		editCell("nsg-app-web", "DenySshFromBastion", "priority", "100"),
		poll(`document.getElementById("problems").textContent.includes("already used")`),
		editCell("nsg-app-web", "DenySshFromBastion", "priority", "120"),
		poll(`document.getElementById("problems").textContent === ""`),
	)

	// The picture for the README: the az commands, the diagram zoomed in.
	b.do(t,
		eval(`(function(){ const s = document.getElementById("emit-format"); s.value = "az"; s.dispatchEvent(new Event("change")); })()`),
		poll(`document.getElementById("emit").textContent.includes("az network nsg rule create")`),
		click("#only-changed"),
		click("#zoom-in"), click("#zoom-in"),
	)
	shot := screenshot(t, b)
	if dest := os.Getenv("NSGSIM_SERVE_SCREENSHOT"); dest != "" {
		if err := os.WriteFile(dest, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	timings := get(t, b, chromedp.Evaluate[[]float64](`window.nsgsimTimings`))
	if len(timings) < 2 { // the link was loaded afresh: two edits since
		t.Errorf("click-to-repaint timings = %v, want one per edit", timings)
	}
	for _, l := range b.logged() {
		t.Errorf("browser logged: %s", l)
	}
}

// screenshot captures the window and checks it is a PNG of the window's size.
func screenshot(t *testing.T, b *browser) []byte {
	t.Helper()
	shot := get(t, b, chromedp.CaptureScreenshot())
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if r := img.Bounds(); r.Dx() < 800 || r.Dy() < 600 {
		t.Errorf("screenshot is %v", r)
	}
	return shot
}

// hostileYAML reads the hostile-input corpus from render's tests, where it
// is kept: names and descriptions that are markup, script and URLs.
func hostileYAML(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "render", "hostile_test.go"))
	if err != nil {
		t.Fatalf("the hostile corpus: %v", err)
	}
	_, rest, ok := strings.Cut(string(src), "const hostileYAML = `")
	body, _, ok2 := strings.Cut(rest, "`")
	if !ok || !ok2 {
		t.Fatal("render/hostile_test.go no longer holds `const hostileYAML`; point this test at the corpus")
	}
	return []byte(body)
}

// TestBrowserHostile loads the hostile corpus in the page, opens every
// panel and traces the flows: no payload runs, none is even refused by the
// Content-Security-Policy (the page never made it markup). A control proves
// that the harness sees a payload that was made markup.
func TestBrowserHostile(t *testing.T) {
	b := newBrowser(t)
	data := hostileYAML(t)
	url := serveTopology(t, func() (*topology.Topology, error) { return topology.Parse("hostile.yaml", data) }, render.DefaultCollapseAbove)
	b.do(t,
		chromedp.Navigate(url),
		ready,
		eval(`document.querySelectorAll("details.nsg").forEach(d => { d.open = true; })`),
		eval(`document.querySelectorAll("#flows tbody tr").forEach(tr => tr.click())`),
		click(`.tabs button[data-tab="changes"]`),
		click(`.tabs button[data-tab="findings"]`),
		chromedp.Sleep(1500*time.Millisecond),
	)
	// A rule added on the page with a payload for a name is text too.
	b.do(t,
		click(`.tabs button[data-tab="rules"]`),
		poll(`document.querySelector("details.nsg details.addrule") !== null`),
		eval(`document.querySelector("details.nsg details.addrule").open = true`),
		setInput(`details.nsg details.addrule input[name="name"]`, `<img src=x onerror="document.title='PW'+'NED'">`),
		setInput(`details.nsg details.addrule input[name="priority"]`, "4000"),
		click(`details.nsg details.addrule button`),
		poll(`document.getElementById("changes-count").textContent !== "" || document.querySelector("details.nsg tr.added") !== null`),
		click(`.tabs button[data-tab="changes"]`),
		poll(`document.getElementById("emit").textContent.includes("onerror")`),
	)
	title := get(t, b, chromedp.Title())
	attrs := get(t, b, chromedp.Evaluate[string](`[...document.body.attributes].map(a => a.name + "=" + a.value).join(" ")`))
	if strings.Contains(title, "PWNED") || strings.Contains(attrs, "PWNED") {
		t.Errorf("a payload ran: title %q, body %q", title, attrs)
	}
	injected := get(t, b, chromedp.Evaluate[int](`document.querySelectorAll("script:not([src='/assets/app.js']), iframe, object, img, meta[http-equiv], #evil, svg svg").length`))
	if injected != 0 {
		t.Errorf("%d elements from payloads are in the page", injected)
	}
	for _, l := range b.logged() {
		t.Errorf("browser logged: %s", l)
	}
	// Control: a payload made markup is refused, and the refusal is seen.
	b.do(t,
		eval(`document.body.insertAdjacentHTML("beforeend", "<img src=x onerror=\"document.title='PW'+'NED'\">")`),
		chromedp.Sleep(500*time.Millisecond),
	)
	if logged := strings.Join(b.logged(), "\n"); !strings.Contains(logged, "Content Security Policy") {
		t.Errorf("the control payload's refusal was not seen; logged: %q", logged)
	}
}

// TestBrowserReload: when the file changes on disk, the page loads it again
// and keeps its edits; the file is never written.
func TestBrowserReload(t *testing.T) {
	b := newBrowser(t)
	_, ts, path, data := serveScenarioFile(t, "hub-three-spokes", 60)
	const edge = "flow:bastion-hub/rdp/data-sql-1"
	b.do(t, chromedp.Navigate(ts.URL+"/"), ready,
		toggle("nsg-bastion", "AllowAzureCloudOutbound"),
		poll(`document.getElementById("changes-count").textContent !== ""`),
	)
	if got := get(t, b, chromedp.Evaluate[string](edgeStroke(edge))); got != red {
		t.Fatalf("edge %s = %q before the file changes, want Deny's %s", edge, got, red)
	}
	// Someone fixes the file: DenyRdpFromHub becomes an Allow.
	fixed := bytes.Replace(data, []byte("name: DenyRdpFromHub\n        priority: 100\n        direction: Inbound\n        access: Deny"),
		[]byte("name: DenyRdpFromHub\n        priority: 100\n        direction: Inbound\n        access: Allow"), 1)
	if bytes.Equal(fixed, data) {
		t.Fatal("DenyRdpFromHub moved in the scenario; update the test")
	}
	time.Sleep(20 * time.Millisecond)
	if err := os.WriteFile(path, fixed, 0o644); err != nil {
		t.Fatal(err)
	}
	b.do(t,
		poll(edgeStroke(edge)+` === "`+green+`"`),
		poll(`document.getElementById("banner").textContent.includes("changed on disk")`),
	)
	// The edit survived the reload.
	if got := get(t, b, chromedp.Evaluate[bool](`document.querySelector('details[data-nsg="nsg-bastion"] tr[data-rule="AllowAzureCloudOutbound"] input.enable').checked`)); got {
		t.Error("the switched-off rule is on again after the reload")
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, fixed) {
		t.Error("the page changed the file on disk")
	}
	for _, l := range b.logged() {
		// A request made while the file changed is answered 409, and
		// the page loads the new version: expected here.
		if !strings.Contains(l, "409 (Conflict)") {
			t.Errorf("browser logged: %s", l)
		}
	}
}
