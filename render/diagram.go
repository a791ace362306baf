package render

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/nsgsim/nsgsim/flowgraph"
	"github.com/nsgsim/nsgsim/report"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// diagram is the picture every format draws (SPEC 7): outside endpoints on
// the left and right, VNet and subnet boxes between them, one edge per flow
// (or per group of flows when VMs are collapsed). It is built from a report's
// results alone: no verdict is decided here.
type diagram struct {
	report   *sim.Report
	title    string
	summary  string
	note     string // what focus or collapsing left out
	left     []*node
	right    []*node
	vnets    []*vnetBox
	edges    []*edge
	peerings []peering
	hubs     int                       // the first hubs of vnets host the Bastion hosts; the rest are spokes, by name and address
	refused  map[*topology.Subnet]bool // AzureBastionSubnets whose NSG Azure refuses to attach (NSG001)
	changed  bool                      // Options.Highlight marked an edge
	intended bool                      // an edge carries a flow blocked as intended
}

// vnetBox is a VNet: a cluster of subnet clusters, or one node when
// collapsed.
type vnetBox struct {
	id        string
	vnet      *topology.VirtualNetwork
	subnets   []*subnetBox
	nodes     []*node // in the VNet but in none of its subnets
	collapsed *node   // the VNet drawn as one node, or nil
}

// subnetBox is a subnet: a cluster of VMs, a Bastion host, addresses.
type subnetBox struct {
	id     string
	vnet   *vnetBox
	subnet *topology.Subnet
	nodes  []*node
}

// nodeKind says what a node stands for; it decides the node's shape.
type nodeKind uint8

const (
	nodeSource      nodeKind = iota // outside Azure, where flows come from: clients, GatewayManager, …
	nodeEgress                      // outside Azure, where flows go: AzureCloud, Internet
	nodeBastion                     // a Bastion host in AzureBastionSubnet
	nodeVM                          // a VM
	nodeVMGroup                     // the VMs of one subnet, collapsed
	nodeVNet                        // a whole VNet, collapsed
	nodeAddress                     // an IP or CIDR of a user flow inside a subnet or VNet
	nodePlaceholder                 // keeps an empty subnet or VNet visible
	nodeInstances                   // a Bastion host's other instances, the end of its data-plane flows
)

// node is one box of the picture.
type node struct {
	id      string
	kind    nodeKind
	name    string   // first line, bold
	lines   []string // more lines
	tooltip string

	// What the node stands for, for focus and collapsing.
	vm      *topology.VirtualMachine
	bastion *topology.BastionHost
	subnet  *subnetBox
	vnet    *vnetBox
	used    bool
	vms     []*node // nodeVMGroup: the VMs it stands for
	counted bool    // nodeVMGroup: count the VMs, do not list them
	tone    tone    // a VM: the worst colour of its flows
	flows   int     // a VM: how many flows start or end at it
}

// tone is the colour of an edge: green, orange or red (SPEC 7).
type tone uint8

const (
	toneAllow    tone = iota // Allow
	toneIntended             // blocked, as an expectation with intended: true says it should be
	tonePartial              // Partial, or a blocked recommended flow
	toneDeny                 // Deny
)

// toneOf is the colour of one flow's result.
func toneOf(res *sim.Result) tone {
	switch {
	case res.Verdict == topology.VerdictAllow:
		return toneAllow
	case res.Intended:
		return toneIntended
	case res.Verdict == topology.VerdictPartial, res.Flow.Requirement == topology.Recommended:
		return tonePartial
	}
	return toneDeny
}

// Colours of SPEC 7 (Material palette: green 800, red 800, orange 800).
const (
	colorAllow    = "#2e7d32"
	colorDeny     = "#c62828"
	colorPartial  = "#ef6c00"
	colorIntended = "#546e7a" // blue grey 600: blocked as meant, no alarm
	colorPeering  = "#757575"
)

func (t tone) color() string {
	switch t {
	case toneDeny:
		return colorDeny
	case tonePartial:
		return colorPartial
	case toneIntended:
		return colorIntended
	}
	return colorAllow
}

// edge is one flow, or a group of flows between a collapsed subnet and
// another node.
type edge struct {
	id      string // SVG id: "flow:ID" or "group:N"
	class   string // "flow verdict-deny", …
	from    *node
	to      *node
	tone    tone
	verdict topology.Verdict // the worst verdict of results
	label   []string
	tooltip string
	anchor  string // the first result's trace in the HTML report
	note    string // Options.Highlight note
	group   string // to or from a collapsed VNet: the kind group ("SSH/RDP")
	results []*sim.Result
}

// peering is a peering between two drawn VNets.
type peering struct{ a, b *vnetBox }

// verdictRank orders verdicts from best to worst.
func verdictRank(v topology.Verdict) int {
	switch v {
	case topology.VerdictDeny:
		return 2
	case topology.VerdictPartial:
		return 1
	}
	return 0
}

// builder holds the state of building a diagram.
type builder struct {
	r     *sim.Report
	t     *topology.Topology
	o     Options
	d     *diagram
	vnets map[string]*vnetBox
	g     *flowgraph.Graph
	vms   map[string]*node
	bast  map[string]*node
	outer map[string]*node // "L:key" and "R:key"
	inner map[string]*node // address nodes inside subnets and VNets
	peers map[*node]*node  // a Bastion host's instances node
}

// build makes the diagram of a report's graph of flows.
func build(g *flowgraph.Graph, o Options) (*diagram, error) {
	r := g.Report
	t := r.Topology
	b := &builder{
		r: r, t: t, o: o, g: g,
		d:     &diagram{report: r},
		vnets: map[string]*vnetBox{},
		vms:   map[string]*node{},
		bast:  map[string]*node{},
		outer: map[string]*node{},
		inner: map[string]*node{},
		peers: map[*node]*node{},
	}
	b.d.title = t.Name
	if b.d.title == "" {
		b.d.title = t.File
	}
	if b.d.title == "" {
		b.d.title = "topology"
	}
	b.boxes()

	flows, err := b.focus()
	if err != nil {
		return nil, err
	}
	var kept []flowEnds
	for _, f := range flows {
		res := f.Result
		from, to := b.endpoint(f.Source(), res.Flow.Source, res.Flow, false), b.endpoint(f.Destination(), res.Flow.Destination, res.Flow, true)
		kept = append(kept, flowEnds{res, from, to})
		for _, n := range []*node{from, to} {
			if n.kind == nodeVM {
				n.tone = max(n.tone, toneOf(res))
				n.flows++
			}
		}
	}
	focused := o.Focus != ""

	// Collapse in levels (Options.CollapseAbove): VMs per subnet when
	// there are too many VMs, then whole VNets when that picture still has
	// too many subnet boxes or edges.
	drawn := len(t.VirtualMachines)
	if focused {
		seen := map[*node]bool{}
		for _, p := range kept {
			for _, n := range []*node{p.from, p.to} {
				if n.kind == nodeVM {
					seen[n] = true
				}
			}
		}
		drawn = len(seen)
	}
	level := levelVMs
	var groupOf map[*node]*node
	limit := o.CollapseAbove
	if focused && limit > 0 {
		// What --focus names is drawn in full detail, VM by VM, up to a
		// size Graphviz still lays out in seconds.
		limit = max(limit, focusDetailVMs)
	}
	if limit > 0 && drawn > limit {
		level = levelSubnets
		groupOf = b.collapse(focused, func(yield func(*node)) {
			for _, p := range kept {
				yield(p.from)
				yield(p.to)
			}
		})
	}
	b.d.edges = b.edges(kept, groupOf)
	tooBig := func() bool { return len(b.d.edges) > maxEdges || b.subnetBoxes(b.d.edges, focused) > maxSubnetBoxes }
	if limit > 0 && level == levelVMs && !focused && tooBig() {
		// Few VMs, but too many subnets or flows to draw one by one (3,000
		// empty subnets would take Graphviz minutes).
		level = levelSubnets
		groupOf = b.collapse(false, func(func(*node)) {})
		b.d.edges = b.edges(kept, groupOf)
	}
	if level == levelSubnets && tooBig() {
		level = levelVNets
		b.collapseVNets(kept, groupOf, focused)
		b.d.edges = b.edges(kept, groupOf)
		// The subnets left drawn count their VMs rather than list them.
		for _, g := range groupOf {
			g.counted = true
		}
	}
	for i, e := range b.d.edges {
		e.from.used, e.to.used = true, true
		b.finishEdge(i, e)
	}

	b.layoutNodes(focused, level == levelVNets)
	b.order()
	b.refusedNSGs()
	b.d.summary = summaryLine(r.Summary)
	var notes []string
	if focused {
		notes = append(notes, fmt.Sprintf("only the %d of %d flows that touch %q", len(kept), len(r.Results), o.Focus))
	}
	switch level {
	case levelSubnets:
		notes = append(notes, fmt.Sprintf("%d VMs drawn as one box per subnet (more than %d)", drawn, limit))
	case levelVNets:
		notes = append(notes, b.vnetNote(drawn))
	}
	b.d.note = strings.Join(notes, "; ")
	b.assignIDs()
	return b.d, nil
}

// focusDetailVMs is the most VMs Options.Focus draws one by one, however
// low CollapseAbove is.
const focusDetailVMs = 100

// Levels of collapsing, from the most detailed.
const (
	levelVMs     = iota // every VM drawn
	levelSubnets        // the VMs of a subnet drawn as one box
	levelVNets          // a VNet drawn as one box, but for those that host a Bastion host or hold the focus
)

// Past these sizes a diagram of one box per subnet is collapsed to one box
// per VNet: Graphviz lays out 40 subnet boxes and 150 edges in about a
// second, and a reader follows no more.
const (
	maxSubnetBoxes = 40
	maxEdges       = 150
)

// flowEnds is a flow's result and the nodes of its two ends.
type flowEnds struct {
	res      *sim.Result
	from, to *node
}

// edges makes the edges of the flows: one per flow, or, between a
// collapsed node and another, one per group of flows of one kind (of one
// kind group, for a collapsed VNet). It sets no state of the builder.
func (b *builder) edges(kept []flowEnds, groupOf map[*node]*node) []*edge {
	type groupKey struct {
		from, to *node
		kind     string
		proto    topology.Protocol
		port     uint16
	}
	groups := map[groupKey]*edge{}
	var edges []*edge
	for _, p := range kept {
		from, to := p.from, p.to
		grouped := false
		for _, n := range []**node{&from, &to} {
			if g := groupOf[*n]; g != nil {
				*n, grouped = g, true
			}
			if vb := (*n).vnet; vb != nil && vb.collapsed != nil {
				*n, grouped = vb.collapsed, true
			}
		}
		if from == to && from.kind == nodeBastion {
			to = b.instances(from)
		}
		if !grouped {
			edges = append(edges, &edge{from: from, to: to, results: []*sim.Result{p.res}})
			continue
		}
		f := p.res.Flow
		k := groupKey{from, to, string(f.Kind), f.Protocol, f.Port}
		vnetGroup := ""
		if from.kind == nodeVNet || to.kind == nodeVNet {
			vnetGroup = kindGroup(f.Kind)
			k = groupKey{from: from, to: to, kind: vnetGroup}
		} else if f.Kind == sim.KindCustom {
			k.kind += ":" + f.ID
		}
		e := groups[k]
		if e == nil {
			e = &edge{from: from, to: to, group: vnetGroup}
			groups[k] = e
			edges = append(edges, e)
		}
		e.results = append(e.results, p.res)
	}
	return edges
}

// kindGroup names the group of flow kinds drawn as one edge to a collapsed
// VNet: the sessions to its VMs, over Bastion or its Developer SKU, are
// one group; every other kind is a group of its own.
func kindGroup(kind topology.FlowKind) string {
	switch kind {
	case sim.KindSSH, sim.KindRDP, sim.KindDeveloperSSH, sim.KindDeveloperRDP:
		return "SSH/RDP"
	}
	return string(kind)
}

// subnetBoxes counts the subnet boxes a diagram of these edges draws.
func (b *builder) subnetBoxes(edges []*edge, focused bool) int {
	if !focused {
		n := 0
		for _, vb := range b.d.vnets {
			n += len(vb.subnets)
		}
		return n
	}
	seen := map[*subnetBox]bool{}
	for _, e := range edges {
		for _, n := range []*node{e.from, e.to} {
			if n.subnet != nil {
				seen[n.subnet] = true
			}
		}
	}
	for _, vb := range b.d.vnets {
		for _, sb := range vb.subnets {
			if b.focusedSubnet(sb) {
				seen[sb] = true
			}
		}
	}
	return len(seen)
}

func summaryLine(s sim.Summary) string {
	line := fmt.Sprintf("%d flows: %d allowed, %d denied, %d partial", s.Flows, s.Allowed, s.Denied, s.Partial)
	if s.RequiredBlocked > 0 {
		line += fmt.Sprintf("; %d required blocked", s.RequiredBlocked)
	}
	if s.RecommendedBlocked > 0 {
		line += fmt.Sprintf("; %d recommended blocked", s.RecommendedBlocked)
	}
	return line
}

// boxes makes the VNet and subnet clusters, the VMs and the Bastion hosts.
func (b *builder) boxes() {
	t := b.t
	subnets := map[string]*subnetBox{}
	for _, v := range t.VirtualNetworks {
		vb := &vnetBox{vnet: v}
		b.vnets[v.Name] = vb
		b.d.vnets = append(b.d.vnets, vb)
		for _, s := range v.Subnets {
			sb := &subnetBox{vnet: vb, subnet: s}
			vb.subnets = append(vb.subnets, sb)
			subnets[v.Name+"/"+s.Name] = sb
		}
	}
	for _, bh := range t.BastionHosts {
		n := &node{kind: nodeBastion, name: bh.Name, bastion: bh, lines: bastionLines(bh)}
		n.tooltip = "Bastion host " + bh.Name
		b.bast[bh.Name] = n
		if bh.SKU == topology.Developer {
			continue // drawn outside, as 168.63.129.16
		}
		b.place(n, subnets[bh.VirtualNetwork+"/"+topology.BastionSubnetName], bh.VirtualNetwork)
	}
	for _, vm := range t.VirtualMachines {
		n := &node{kind: nodeVM, name: vm.Name, vm: vm, lines: vmLines(vm)}
		n.tooltip = "VM " + vm.Name
		b.vms[vm.Name] = n
		b.place(n, subnets[vm.VirtualNetwork+"/"+vm.Subnet], vm.VirtualNetwork)
	}
	seen := map[[2]string]bool{}
	for _, v := range t.VirtualNetworks {
		for _, p := range v.Peerings {
			pv := b.vnets[p]
			if pv == nil || p == v.Name {
				continue
			}
			k := [2]string{v.Name, p}
			if k[1] < k[0] {
				k[0], k[1] = k[1], k[0]
			}
			if seen[k] {
				continue
			}
			seen[k] = true
			b.d.peerings = append(b.d.peerings, peering{b.vnets[v.Name], pv})
		}
	}
}

func bastionLines(bh *topology.BastionHost) []string {
	lines := []string{"Azure Bastion " + bh.SKU.String()}
	var feats []string
	for _, f := range []struct {
		on   bool
		name string
	}{
		{bh.EnableTunneling, "native client"},
		{bh.EnableIPConnect, "IP connect"},
		{bh.EnableShareableLink, "shareable link"},
		{bh.EnableFileCopy, "file copy"},
		{bh.EnableKerberos, "Kerberos"},
		{bh.EnableSessionRecording, "session recording"},
		{bh.EnablePrivateOnlyBastion, "private-only"},
	} {
		if f.on {
			feats = append(feats, f.name)
		}
	}
	if len(feats) > 0 {
		lines = append(lines, strings.Join(feats, ", "))
	}
	if len(bh.CustomPorts) > 0 {
		ports := make([]string, len(bh.CustomPorts))
		for i, p := range bh.CustomPorts {
			ports[i] = strconv.Itoa(int(p))
		}
		lines = append(lines, "custom ports "+strings.Join(ports, ", "))
	}
	return lines
}

func vmLines(vm *topology.VirtualMachine) []string {
	first := vm.OS.String()
	if vm.PrivateIPAddress.IsValid() {
		first = vm.PrivateIPAddress.String() + " · " + first
	}
	lines := []string{first}
	if vm.NetworkSecurityGroup != "" {
		lines = append(lines, "NIC NSG "+vm.NetworkSecurityGroup)
	}
	if len(vm.ApplicationSecurityGroups) > 0 {
		lines = append(lines, "ASG "+strings.Join(vm.ApplicationSecurityGroups, ", "))
	}
	if vm.PublicIPAddress.IsValid() {
		lines = append(lines, "public IP "+vm.PublicIPAddress.String())
	}
	return lines
}

// endpoint returns the node a flow's endpoint is drawn as: gn is its node
// in the graph of flows, ep the endpoint as the flow names it, dst which end
// it is (outside endpoints are drawn left as sources, right as
// destinations).
func (b *builder) endpoint(gn *flowgraph.Node, ep sim.Endpoint, f *sim.Flow, dst bool) *node {
	switch gn.Kind {
	case flowgraph.VM:
		if n := b.vms[gn.Name]; n != nil {
			return n
		}
	case flowgraph.Bastion:
		if n := b.bast[gn.Name]; n != nil && !gn.Outside() {
			return n
		}
		if dst {
			return b.outside(dst, "bastion:"+gn.Name, gn.Name, []string{"Azure Bastion Developer", "168.63.129.16"}, "Bastion host "+gn.Name)
		}
		// Bastion Developer: its sessions come from 168.63.129.16.
		return b.outside(dst, "bastion:"+gn.Name, gn.Name, []string{"Azure Bastion Developer", "from 168.63.129.16"}, "Bastion host "+gn.Name+" (Developer) connects from 168.63.129.16")
	case flowgraph.Client:
		var lines []string
		if c := gn.Client; c != nil {
			ps := make([]string, len(c.AddressPrefixes))
			for i, p := range c.AddressPrefixes {
				ps[i] = topology.PrefixString(p)
			}
			lines = append(lines, strings.Join(ps, ", "))
		}
		lines = append(lines, "client")
		return b.outside(dst, "client:"+gn.Name, gn.Name, lines, "client "+gn.Name)
	case flowgraph.ServiceTag:
		return b.outside(dst, "tag:"+gn.Name, gn.Name, tagLines(gn.Name, f, dst), "service tag "+gn.Name)
	case flowgraph.Subnet, flowgraph.Address:
		// An address inside a subnet or VNet, named as the flow writes it.
		vb := b.vnets[gn.VNet]
		if vb == nil {
			break
		}
		var sb *subnetBox
		if gn.Subnet != "" {
			for _, x := range vb.subnets {
				if x.subnet.Name == gn.Subnet {
					sb = x
				}
			}
		}
		return b.innerNode(gn.Key+"|"+ep.Name, ep.Name, sb, vb)
	}
	return b.outside(dst, "ext:"+ep.Name, ep.Name, []string{"outside address"}, ep.Name)
}

func tagLines(tag string, f *sim.Flow, dst bool) []string {
	switch {
	case f.Kind == sim.KindClientHTTPS && !dst:
		return []string{"clients (service tag)"}
	case tag == topology.TagAzureLoadBalancer:
		return []string{"service tag · 168.63.129.16"} // SPEC 2.4
	case dst:
		return []string{"service tag · egress"}
	}
	return []string{"service tag"}
}

// outside returns the node of an endpoint outside the VNets, on the left
// for a source and on the right for a destination.
func (b *builder) outside(dst bool, key, name string, lines []string, tooltip string) *node {
	side, kind := "L:", nodeSource
	if dst {
		side, kind = "R:", nodeEgress
	}
	if n := b.outer[side+key]; n != nil {
		return n
	}
	n := &node{kind: kind, name: name, lines: lines, tooltip: tooltip}
	b.outer[side+key] = n
	if dst {
		b.d.right = append(b.d.right, n)
	} else {
		b.d.left = append(b.d.left, n)
	}
	return n
}

// place draws n in its subnet's box, sb, or, when the subnet is not drawn
// (not declared), in the box of its VNet, vnet, when that is.
func (b *builder) place(n *node, sb *subnetBox, vnet string) {
	if sb != nil {
		n.subnet, n.vnet = sb, sb.vnet
		sb.nodes = append(sb.nodes, n)
	} else if vb := b.vnets[vnet]; vb != nil {
		n.vnet = vb
		vb.nodes = append(vb.nodes, n)
	}
}

func (b *builder) innerNode(key, name string, sb *subnetBox, vb *vnetBox) *node {
	if n := b.inner[key]; n != nil {
		return n
	}
	n := &node{kind: nodeAddress, name: name, lines: []string{"address"}, subnet: sb, vnet: vb, tooltip: name}
	b.inner[key] = n
	if sb != nil {
		sb.nodes = append(sb.nodes, n)
	} else {
		vb.nodes = append(vb.nodes, n)
	}
	return n
}

// collapse replaces the VMs of each subnet by one node. It returns the group
// node of each VM node; with onlyUsed, only VMs among nodes count.
func (b *builder) collapse(onlyUsed bool, nodes func(func(*node))) map[*node]*node {
	used := map[*node]bool{}
	nodes(func(n *node) { used[n] = true })
	groupOf := map[*node]*node{}
	regroup := func(list []*node, sb *subnetBox, vb *vnetBox) []*node {
		var out []*node
		var vms []*node
		at := -1
		for _, n := range list {
			if n.kind != nodeVM {
				out = append(out, n)
				continue
			}
			if onlyUsed && !used[n] {
				continue
			}
			if at < 0 {
				at = len(out)
				out = append(out, nil)
			}
			vms = append(vms, n)
		}
		if len(vms) == 0 {
			return out
		}
		var byOS osCensus
		for _, n := range vms {
			byOS[n.vm.OS]++
		}
		g := &node{kind: nodeVMGroup, subnet: sb, vnet: vb}
		g.name = fmt.Sprintf("%d VMs", len(vms))
		if len(vms) == 1 {
			g.name = "1 VM"
		}
		g.lines = []string{strings.Join(byOS.parts(), ", ")}
		names := make([]string, len(vms))
		for i, n := range vms {
			names[i] = n.name
			groupOf[n] = g
		}
		g.vms = vms
		g.tooltip = strings.Join(names, ", ")
		out[at] = g
		return out
	}
	for _, vb := range b.d.vnets {
		vb.nodes = regroup(vb.nodes, nil, vb)
		for _, sb := range vb.subnets {
			sb.nodes = regroup(sb.nodes, sb, vb)
		}
	}
	return groupOf
}

// collapseVNets draws each VNet as one node, but for the VNets that host a
// Bastion host the flows start from, or that hold the focus: those keep
// their subnet boxes. groupOf is the group node of each VM drawn. Peerings
// of a collapsed VNet are written in its node instead of drawn.
func (b *builder) collapseVNets(kept []flowEnds, groupOf map[*node]*node, focused bool) {
	expanded := map[*vnetBox]bool{}
	for _, p := range kept {
		for _, n := range []*node{p.from, p.to} {
			if n.kind == nodeBastion && n.vnet != nil {
				expanded[n.vnet] = true
			}
		}
	}
	for vb := range b.focusVNets() {
		expanded[vb] = true
	}

	// The drawn VMs of each VNet, and the subnets that hold them.
	type census struct {
		byOS    osCensus
		subnets map[*subnetBox]bool
	}
	counts := map[*vnetBox]*census{}
	for _, vm := range b.t.VirtualMachines {
		n := b.vms[vm.Name]
		if n == nil || n.vnet == nil || groupOf[n] == nil {
			continue
		}
		c := counts[n.vnet]
		if c == nil {
			c = &census{subnets: map[*subnetBox]bool{}}
			counts[n.vnet] = c
		}
		c.byOS[vm.OS]++
		if n.subnet != nil {
			c.subnets[n.subnet] = true
		}
	}
	peers := map[*vnetBox][]string{}
	for _, pe := range b.d.peerings {
		peers[pe.a] = append(peers[pe.a], pe.b.vnet.Name)
		peers[pe.b] = append(peers[pe.b], pe.a.vnet.Name)
	}

	for _, vb := range b.d.vnets {
		if expanded[vb] {
			continue
		}
		c := counts[vb]
		if c == nil {
			c = &census{subnets: map[*subnetBox]bool{}}
		}
		subnets := vb.subnets
		if focused {
			subnets = slices.DeleteFunc(slices.Clone(subnets), func(sb *subnetBox) bool { return !c.subnets[sb] })
		}
		n := &node{kind: nodeVNet, name: vb.vnet.Name, vnet: vb}
		if s := prefixList(vb.vnet.AddressSpace); s != "" {
			n.lines = append(n.lines, s)
		}
		n.lines = append(n.lines, fmt.Sprintf("%s, %s", plural(len(subnets), "subnet"), vmCount(c.byOS)))
		if s := nsgSummary(subnets); s != "" {
			n.lines = append(n.lines, s)
		}
		if p := peers[vb]; len(p) > 0 {
			n.lines = append(n.lines, "peered with "+listSome(p, 2))
		}
		names := make([]string, len(subnets))
		for i, sb := range subnets {
			names[i] = sb.subnet.Name
		}
		n.tooltip = "VNet " + vb.vnet.Name
		if len(names) > 0 {
			n.tooltip += "\nsubnets " + listSome(names, 40)
		}
		vb.collapsed = n
	}
	b.d.peerings = slices.DeleteFunc(b.d.peerings, func(p peering) bool { return p.a.collapsed != nil || p.b.collapsed != nil })
}

// focusVNets returns the VNets that Options.Focus names, or whose subnet
// or VM it names: their detail stays drawn.
func (b *builder) focusVNets() map[*vnetBox]bool {
	name := b.o.Focus
	if name == "" {
		return nil
	}
	eq := strings.EqualFold
	in := map[*vnetBox]bool{}
	for _, vb := range b.d.vnets {
		if eq(vb.vnet.Name, name) || slices.ContainsFunc(vb.subnets, b.focusedSubnet) {
			in[vb] = true
		}
	}
	for _, n := range b.vms {
		if n.vnet != nil && eq(n.vm.Name, name) {
			in[n.vnet] = true
		}
	}
	return in
}

// vnetNote says how the diagram was collapsed to one node per VNet.
func (b *builder) vnetNote(vms int) string {
	var kept []string
	for _, vb := range b.d.vnets {
		if vb.collapsed == nil {
			kept = append(kept, vb.vnet.Name)
		}
	}
	s := "collapsed: one node per VNet"
	if len(kept) > 0 {
		s += " but " + listSome(kept, 3) + ", drawn by subnet"
	}
	return s + " (" + plural(vms, "VM") + "); use --focus NAME to see a VNet's subnets and VMs"
}

// osCensus counts VMs by operating system (topology.OS).
type osCensus [topology.UnknownOS + 1]int

// parts is ["7 Linux", "5 Windows", "1 of unknown OS"], leaving out zeros.
func (c osCensus) parts() []string {
	var out []string
	for os, label := range [...]string{topology.Linux: "%d Linux", topology.Windows: "%d Windows", topology.UnknownOS: "%d of unknown OS"} {
		if c[os] > 0 {
			out = append(out, fmt.Sprintf(label, c[os]))
		}
	}
	return out
}

// vmCount is "12 VMs (7 Linux, 5 Windows)".
func vmCount(c osCensus) string {
	s := plural(c[topology.Linux]+c[topology.Windows]+c[topology.UnknownOS], "VM")
	if oses := c.parts(); len(oses) > 0 {
		s += " (" + strings.Join(oses, ", ") + ")"
	}
	return s
}

// nsgSummary names the NSGs of subnets, the most used first, and counts
// the subnets that have none.
func nsgSummary(subnets []*subnetBox) string {
	uses := map[string]int{}
	var names []string
	none := 0
	for _, sb := range subnets {
		nsg := sb.subnet.NetworkSecurityGroup
		if nsg == "" {
			none++
			continue
		}
		if uses[nsg] == 0 {
			names = append(names, nsg)
		}
		uses[nsg]++
	}
	slices.SortStableFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(uses[b], uses[a]), cmp.Compare(a, b))
	})
	var parts []string
	switch len(names) {
	case 0:
	case 1:
		parts = append(parts, "NSG "+names[0])
	default:
		parts = append(parts, "NSGs "+listSome(names, 2))
	}
	if none > 0 {
		parts = append(parts, plural(none, "subnet")+" without NSG")
	}
	return strings.Join(parts, " · ")
}

// listSome joins the first max names and says how many more there are.
func listSome(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}

// plural is "1 VM", "2 VMs".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// finishEdge sets an edge's colour, label and tooltip from its results.
func (b *builder) finishEdge(i int, e *edge) {
	eng := b.r.Engine
	first := e.results[0]
	f := first.Flow
	worst := first
	for _, res := range e.results {
		if verdictRank(res.Verdict) > verdictRank(worst.Verdict) {
			worst = res
		}
	}
	e.verdict = worst.Verdict
	e.tone = groupTone(e.results)
	e.anchor = traceID(f.ID)
	proto := fmt.Sprintf("%s/%d", f.Protocol, f.Port)
	switch {
	case e.group != "":
		e.id = "group:" + strconv.Itoa(i)
		b.groupLabel(e)
	case len(e.results) == 1:
		e.id = "flow:" + escapeID(f.ID)
		head := proto
		switch {
		case f.Kind == sim.KindCustom:
			head = f.ID + ": " + proto
		case f.Requirement == topology.Recommended:
			head = proto + " (recommended)"
		}
		e.label = []string{head}
		switch {
		case first.Intended:
			e.label = append(e.label, "blocked as intended by "+blockedBy(first.Hops))
		case first.Verdict == topology.VerdictDeny:
			e.label = append(e.label, blockedBy(first.Hops))
		case first.Verdict == topology.VerdictPartial:
			allowed, _ := report.Subsets(eng, first)
			e.label = append(e.label, "allowed only "+allowed, "rest: "+blockedBy(first.Hops))
		}
		e.tooltip = fmt.Sprintf("%s: %s; %s", f.ID, report.VerdictText(eng, first), report.DecidedBy(first.Hops))
	default:
		e.id = "group:" + strconv.Itoa(i)
		kind := string(f.Kind)
		if f.Kind == sim.KindCustom {
			kind = f.ID
		}
		e.label = []string{fmt.Sprintf("%s %s × %d", kind, proto, len(e.results)), countsLine(e.results)}
		if anchor := firstBlocked(e.results); anchor != nil {
			e.anchor = traceID(anchor.Flow.ID)
		}
		e.tooltip = flowList(e.results)
	}
	for _, res := range e.results {
		if note, ok := b.o.Highlight[res.Flow.ID]; ok {
			e.note = note
			break
		}
	}
	if e.note != "" {
		e.label = append(e.label, "▲ "+e.note)
		b.d.changed = true
	}
	e.class = "flow verdict-" + strings.ToLower(e.verdict.String())
	if e.tone == tonePartial && e.verdict == topology.VerdictDeny {
		e.class += " recommended"
	}
	if len(e.results) > 1 && e.tone == tonePartial {
		e.class += " mixed"
	}
	if e.tone == toneIntended {
		e.class += " intended"
	}
	if slices.ContainsFunc(e.results, func(res *sim.Result) bool { return toneOf(res) == toneIntended }) {
		b.d.intended = true // the legend explains the mark
	}
	if e.note != "" {
		e.class += " changed"
	}
}

// groupTone is the colour of an edge of one or more flows: green when
// every flow is allowed, red when every one is denied and required,
// orange otherwise: a mix of verdicts, a partial verdict, or a blocked
// recommended flow. A red edge never hides an allowed flow. Flows blocked
// as intended count for neither: an edge of them alone is grey.
func groupTone(results []*sim.Result) tone {
	all := toneIntended
	for _, res := range results {
		switch t := toneOf(res); {
		case t == toneIntended:
		case all == toneIntended:
			all = t
		case t != all:
			return tonePartial
		}
	}
	return all
}

// countsLine says how many flows of an edge had each verdict, and which
// rules denied them: "114 allowed · 1 denied by nsg-x/DenyRdp/100".
func countsLine(results []*sim.Result) string {
	var allowed, partial int
	var rules, meant []string
	by, byMeant := map[string]int{}, map[string]int{}
	for _, res := range results {
		switch {
		case res.Verdict == topology.VerdictAllow:
			allowed++
		case res.Intended:
			r := blockedBy(res.Hops)
			if byMeant[r] == 0 {
				meant = append(meant, r)
			}
			byMeant[r]++
		case res.Verdict == topology.VerdictPartial:
			partial++
		default:
			r := blockedBy(res.Hops)
			if by[r] == 0 {
				rules = append(rules, r)
			}
			by[r]++
		}
	}
	intended := 0
	for _, n := range byMeant {
		intended += n
	}
	denied := len(results) - allowed - partial - intended
	var parts []string
	if allowed > 0 {
		parts = append(parts, fmt.Sprintf("%d allowed", allowed))
	}
	if denied > 0 {
		// The rule that denied most first; of rules as common, the first met.
		slices.SortStableFunc(rules, func(a, b string) int { return cmp.Compare(by[b], by[a]) })
		d := fmt.Sprintf("%d denied by %s", denied, rules[0])
		switch len(rules) {
		case 1:
		case 2:
			d = fmt.Sprintf("%d denied, %d by %s and %d by %s", denied, by[rules[0]], rules[0], by[rules[1]], rules[1])
		default:
			d = fmt.Sprintf("%d denied, %d by %s and %d by %d other rules", denied, by[rules[0]], rules[0], denied-by[rules[0]], len(rules)-1)
		}
		parts = append(parts, d)
	}
	if partial > 0 {
		parts = append(parts, fmt.Sprintf("%d partial", partial))
	}
	if intended > 0 {
		d := fmt.Sprintf("%d blocked as intended by %s", intended, meant[0])
		if len(meant) > 1 {
			d = fmt.Sprintf("%d blocked as intended, by %d rules", intended, len(meant))
		}
		parts = append(parts, d)
	}
	return strings.Join(parts, " · ")
}

// firstBlocked returns the first result that is not an Allow, or nil.
func firstBlocked(results []*sim.Result) *sim.Result {
	for _, res := range results {
		if res.Verdict != topology.VerdictAllow {
			return res
		}
	}
	return nil
}

// flowList is the tooltip of an edge of several flows: each flow and its
// verdict, the blocked ones first, at most 40.
func flowList(results []*sim.Result) string {
	ids := make([]string, 0, len(results))
	for _, blocked := range []bool{true, false} {
		for _, res := range results {
			if (res.Verdict != topology.VerdictAllow) == blocked {
				ids = append(ids, res.Flow.ID+": "+res.Verdict.String())
			}
		}
	}
	const maxTip = 40
	if len(ids) > maxTip {
		ids = append(ids[:maxTip], fmt.Sprintf("… and %d more", len(ids)-maxTip))
	}
	return strings.Join(ids, "\n")
}

// groupLabel labels an edge to or from a collapsed VNet: its kind group,
// how many flows, their protocols and ports, and how many flows had each
// verdict with the rules that denied them. The tooltip lists the flows.
func (b *builder) groupLabel(e *edge) {
	var ports []string
	seen := map[string]bool{}
	for _, res := range e.results {
		f := res.Flow
		if pp := fmt.Sprintf("%s/%d", f.Protocol, f.Port); !seen[pp] {
			seen[pp] = true
			ports = append(ports, pp)
		}
	}
	slices.Sort(ports)
	const maxPorts = 4
	e.label = []string{
		fmt.Sprintf("%s %s: %s", e.group, plural(len(e.results), "flow"), listSome(ports, maxPorts)),
		countsLine(e.results),
	}
	if anchor := firstBlocked(e.results); anchor != nil {
		e.anchor = traceID(anchor.Flow.ID)
	}
	e.tooltip = flowList(e.results)
}

// blockedBy names the rule that ended a path: "nsg/rule/priority", and
// "(default)" after one of the default rules.
func blockedBy(hops []sim.Hop) string {
	if len(hops) == 0 {
		return "no address to reach"
	}
	h := hops[len(hops)-1]
	s := fmt.Sprintf("%s/%s/%d", h.NSG.Name, h.Rule.Name, h.Rule.Priority)
	if h.Rule.Default {
		s += " (default)"
	}
	return s
}

// instances returns the node of a Bastion host's other instances, where
// its data-plane flows to itself end: drawn beside the host, so that each
// flow is an edge with a label of its own rather than a loop.
func (b *builder) instances(bastion *node) *node {
	if n := b.peers[bastion]; n != nil {
		return n
	}
	n := &node{kind: nodeInstances, name: "instances", lines: []string{"of " + bastion.name}, subnet: bastion.subnet, vnet: bastion.vnet,
		tooltip: "the other instances of Bastion host " + bastion.name + " (data plane)"}
	b.peers[bastion] = n
	switch {
	case bastion.subnet != nil:
		bastion.subnet.nodes = append(bastion.subnet.nodes, n)
	case bastion.vnet != nil:
		bastion.vnet.nodes = append(bastion.vnet.nodes, n)
	}
	return n
}

// order puts the VNets that host the drawn Bastion hosts first, as the
// hubs, in the topology's order, then the spokes by name and address.
func (b *builder) order() {
	hub := func(vb *vnetBox) bool {
		if vb.collapsed != nil {
			return false
		}
		has := func(ns []*node) bool {
			return slices.ContainsFunc(ns, func(n *node) bool { return n.kind == nodeBastion })
		}
		return has(vb.nodes) || slices.ContainsFunc(vb.subnets, func(sb *subnetBox) bool { return has(sb.nodes) })
	}
	slices.SortStableFunc(b.d.vnets, func(x, y *vnetBox) int {
		hx, hy := hub(x), hub(y)
		switch {
		case hx && !hy:
			return -1
		case hy && !hx:
			return 1
		case hx && hy:
			return 0
		}
		return cmp.Or(cmp.Compare(x.vnet.Name, y.vnet.Name), comparePrefixes(x.vnet.AddressSpace, y.vnet.AddressSpace))
	})
	b.d.hubs = 0
	for _, vb := range b.d.vnets {
		if hub(vb) {
			b.d.hubs++
		}
	}
}

// comparePrefixes orders address spaces by their first prefix.
func comparePrefixes(a, b []netip.Prefix) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := cmp.Or(a[i].Addr().Compare(b[i].Addr()), cmp.Compare(a[i].Bits(), b[i].Bits())); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// refusedNSGs finds the AzureBastionSubnets whose NSG lacks an explicit
// Allow of a documented rule (NSG001): Azure refuses to attach it, so the
// subnet box carries a badge.
func (b *builder) refusedNSGs() {
	if b.r.Engine == nil {
		return
	}
	for _, c := range b.r.Engine.BastionRuleChecks() {
		if len(c.Missing) > 0 {
			if b.d.refused == nil {
				b.d.refused = map[*topology.Subnet]bool{}
			}
			b.d.refused[c.Subnet] = true
		}
	}
}

// layoutNodes drops what focus left out and keeps empty boxes visible.
func (b *builder) layoutNodes(focused, vnetLevel bool) {
	keep := func(list []*node) []*node {
		if !focused {
			return list
		}
		return slices.DeleteFunc(list, func(n *node) bool { return !n.used })
	}
	b.d.left = slices.DeleteFunc(b.d.left, func(n *node) bool { return !n.used })
	b.d.right = slices.DeleteFunc(b.d.right, func(n *node) bool { return !n.used })
	var vnets []*vnetBox
	for _, vb := range b.d.vnets {
		if vb.collapsed != nil {
			if !focused || vb.collapsed.used {
				vnets = append(vnets, vb)
			}
			continue
		}
		vb.nodes = keep(vb.nodes)
		var subnets []*subnetBox
		var empty []string
		for _, sb := range vb.subnets {
			sb.nodes = keep(sb.nodes)
			if len(sb.nodes) == 0 {
				if focused && !b.focusedSubnet(sb) {
					continue
				}
				if vnetLevel {
					// A hub drawn by subnet in a collapsed picture names
					// its empty subnets in one line.
					empty = append(empty, sb.subnet.Name)
					continue
				}
				sb.nodes = []*node{{kind: nodePlaceholder, name: "no VMs", subnet: sb, vnet: vb}}
			}
			subnets = append(subnets, sb)
		}
		vb.subnets = subnets
		if len(empty) > 0 {
			vb.nodes = append(vb.nodes, &node{kind: nodePlaceholder, name: plural(len(empty), "subnet") + " without VMs: " + listSome(empty, 3), vnet: vb})
		}
		if len(vb.subnets) == 0 && len(vb.nodes) == 0 {
			if focused {
				continue
			}
			vb.nodes = []*node{{kind: nodePlaceholder, name: "no subnets", vnet: vb}}
		}
		vnets = append(vnets, vb)
	}
	b.d.vnets = vnets
	drawn := map[*vnetBox]bool{}
	for _, vb := range vnets {
		drawn[vb] = true
	}
	b.d.peerings = slices.DeleteFunc(b.d.peerings, func(p peering) bool { return !drawn[p.a] || !drawn[p.b] })
}

func (b *builder) focusedSubnet(sb *subnetBox) bool {
	return strings.EqualFold(sb.subnet.Name, b.o.Focus) || strings.EqualFold(sb.vnet.vnet.Name+"/"+sb.subnet.Name, b.o.Focus)
}

// assignIDs numbers nodes and clusters in drawing order, so that the same
// topology always gives the same names.
func (b *builder) assignIDs() {
	n := 0
	name := func(x *node) {
		x.id = "n" + strconv.Itoa(n)
		n++
	}
	for _, x := range b.d.left {
		name(x)
	}
	for i, vb := range b.d.vnets {
		vb.id = fmt.Sprintf("v%d", i)
		if vb.collapsed != nil {
			name(vb.collapsed)
			continue
		}
		for j, sb := range vb.subnets {
			sb.id = fmt.Sprintf("v%ds%d", i, j)
			for _, x := range sb.nodes {
				name(x)
			}
		}
		for _, x := range vb.nodes {
			name(x)
		}
	}
	for _, x := range b.d.right {
		name(x)
	}
}

// anchorOf returns a node of a VNet box to hang a peering edge on.
func (vb *vnetBox) anchorOf() *node {
	if vb.collapsed != nil {
		return vb.collapsed
	}
	for _, sb := range vb.subnets {
		if len(sb.nodes) > 0 {
			return sb.nodes[0]
		}
	}
	if len(vb.nodes) > 0 {
		return vb.nodes[0]
	}
	return nil
}

// focus returns the flows to draw: all of them, or, with Options.Focus,
// those of the neighbourhood of what it names in the graph of flows (and,
// for an NSG, every flow whose trace crosses it). A name that is no VM,
// Bastion host, subnet, VNet or NSG is an error listing the names it could
// be.
func (b *builder) focus() ([]*flowgraph.Flow, error) {
	name := b.o.Focus
	if name == "" {
		return b.g.Flows(), nil
	}
	nodes, nsg := b.g.Find(name)
	if len(nodes) == 0 && !nsg && !b.namesBox(name) {
		return nil, b.unknownFocus()
	}
	flows := b.g.Neighbourhood(nodes)
	if nsg {
		in := map[*flowgraph.Flow]bool{}
		for _, f := range flows {
			in[f] = true
		}
		for _, f := range b.g.Flows() {
			if !in[f] && flowgraph.Crosses(f.Result, name) {
				flows = append(flows, f)
			}
		}
		slices.SortFunc(flows, func(x, y *flowgraph.Flow) int { return cmp.Compare(x.ID(), y.ID()) })
	}
	return flows, nil
}

// namesBox reports whether a name is a VNet's or subnet's, which may hold
// no endpoint.
func (b *builder) namesBox(name string) bool {
	for _, vb := range b.d.vnets {
		if strings.EqualFold(vb.vnet.Name, name) || slices.ContainsFunc(vb.subnets, b.focusedSubnet) {
			return true
		}
	}
	return false
}

func (b *builder) unknownFocus() error {
	t := b.t
	focus := b.o.Focus
	var groups []topology.NameGroup
	add := func(what string, names []string) {
		if len(names) > 0 {
			groups = append(groups, topology.NameGroup{What: what, Names: names})
		}
	}
	var nsgs, subnets, vnets, bastions, vms []string
	for _, n := range t.NetworkSecurityGroups {
		nsgs = append(nsgs, n.Name)
	}
	for _, v := range t.VirtualNetworks {
		vnets = append(vnets, v.Name)
		for _, s := range v.Subnets {
			subnets = append(subnets, v.Name+"/"+s.Name)
		}
	}
	for _, h := range t.BastionHosts {
		bastions = append(bastions, h.Name)
	}
	for _, v := range t.VirtualMachines {
		vms = append(vms, v.Name)
	}
	add("NSGs", nsgs)
	add("subnets", subnets)
	add("VNets", vnets)
	add("Bastion hosts", bastions)
	add("VMs", vms)
	if len(groups) == 0 {
		return fmt.Errorf("--focus %q: the topology has no VM, Bastion host, subnet, VNet or NSG to focus on", focus)
	}
	return topology.UnknownName(fmt.Sprintf("--focus %q: no VM, Bastion host, subnet, VNet or NSG has that name", focus), focus, groups, nil)
}

// escapeID makes a flow ID safe as an SVG id or an HTML fragment: letters,
// digits and "._:/-" stay, every other byte is written %XX.
func escapeID(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("._:/-", c) >= 0:
			sb.WriteByte(c)
		default:
			fmt.Fprintf(&sb, "%%%02X", c)
		}
	}
	return sb.String()
}

// traceID is the HTML id of a flow's trace in the report.
func traceID(flowID string) string { return "trace:" + escapeID(flowID) }
