package serve

import (
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/topology"
)

func TestProbeShots(t *testing.T) {
	b := newBrowser(t)
	url := serveTopology(t, func() (*topology.Topology, error) { return scenarios.Load("hub-three-spokes") })
	b.do(t, chromedp.Navigate(url), ready, chromedp.Sleep(300*time.Millisecond))
	os.WriteFile("/tmp/serve-p1.png", screenshot(t, b), 0o644)
	clickEdge(t, b, "flow:bastion-hub/ssh/hub-dns-1")
	b.do(t, chromedp.Sleep(800*time.Millisecond))
	os.WriteFile("/tmp/serve-p2.png", screenshot(t, b), 0o644)
	b.do(t, toggle("nsg-bastion", "AllowSshRdpOutbound"), chromedp.Sleep(1500*time.Millisecond))
	os.WriteFile("/tmp/serve-p3.png", screenshot(t, b), 0o644)
	// zoom in
	b.do(t, click("#zoom-in"), click("#zoom-in"), chromedp.Sleep(300*time.Millisecond))
	os.WriteFile("/tmp/serve-p4.png", screenshot(t, b), 0o644)

	topo, _ := gen.Generate(estate2000)
	url2 := serveTopology(t, func() (*topology.Topology, error) { return topo, nil })
	b.do(t, chromedp.Navigate(url2), ready, chromedp.Sleep(500*time.Millisecond))
	os.WriteFile("/tmp/serve-p5.png", screenshot(t, b), 0o644)
	info := get(t, b, chromedp.Evaluate[string](`(function(){ const out = []; for (const g of [...document.querySelectorAll("g.node, g.cluster")].slice(0, 12)) { const a = g.querySelector("a"); out.push(g.getAttribute("class") + " " + g.querySelector("title").textContent + " | " + (a ? a.getAttributeNS("http://www.w3.org/1999/xlink", "title") : "-")); } return out.join("\n"); })()`))
	t.Log(info)
	b.do(t, eval(`(function(){ for (const g of document.querySelectorAll("g.node")) { const a = g.querySelector("a"); const tip = a ? a.getAttributeNS("http://www.w3.org/1999/xlink", "title") : ""; if (tip && tip.startsWith("VNet vnet-") && !tip.includes("hub")) { g.querySelector("text").dispatchEvent(new MouseEvent("click", {bubbles:true})); return; } } })()`),
		chromedp.Sleep(3*time.Second))
	os.WriteFile("/tmp/serve-p6.png", screenshot(t, b), 0o644)
	loc := get(t, b, chromedp.Location())
	t.Log(loc)
}
