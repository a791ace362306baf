package azure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/nsgsim/nsgsim/internal/bom"
	"github.com/nsgsim/nsgsim/topology"
)

// Azure Resource Graph output
// (https://learn.microsoft.com/en-us/cli/azure/graph#az-graph-query): `az
// graph query` prints one page of rows as {"count", "data": [...],
// "skip_token", "total_records"}; each row is a resource of the Resources
// table in the ARM REST shape, with its type in lower case and
// subscriptionId and resourceGroup beside it. A tenant is exported in
// pages, across subscriptions; ImportAz and ImportARG read any number of
// pages, with duplicates counted once and names that collide across
// subscriptions or resource groups made unique as for az output.

// graphRows returns the rows of a Resource Graph page.
func graphRows(v map[string]any) ([]any, bool) {
	rows, ok := v["data"].([]any)
	if !ok {
		return nil, false
	}
	for _, k := range []string{"count", "skip_token", "total_records", "totalRecords", "$skipToken", "skipToken"} {
		if _, ok := v[k]; ok {
			return rows, true
		}
	}
	return nil, false
}

// IsResourceGraph reports whether data looks like a page of Azure Resource
// Graph output (`az graph query -o json`): a JSON object with a "data"
// array and the paging keys. It is cheap: for telling input kinds apart.
func IsResourceGraph(data []byte) bool {
	trimmed := bytes.TrimLeft(bom.Trim(data), " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(trimmed, &top) != nil {
		return false
	}
	if d := bytes.TrimSpace(top["data"]); len(d) == 0 || d[0] != '[' {
		return false
	}
	for _, k := range []string{"count", "skip_token", "total_records", "totalRecords", "$skipToken", "skipToken"} {
		if _, ok := top[k]; ok {
			return true
		}
	}
	return false
}

// ImportARG imports pages of Azure Resource Graph output, files by name
// (`nsgsim import arg FILE...`). It is ImportAzWith, where a peering to a
// VNet that is not in the export becomes an external placeholder.
func ImportARG(files map[string][]byte, o Options) (*topology.Topology, error) {
	return importAz(files, o, true)
}

// externalVNet makes (once) the placeholder for remote VNet id, which the
// peering r of VNet p names and the inputs lack: a VNet with the address
// space the peering records (remoteAddressSpace), no subnets, and a
// warning that says what it is. Without an address space the peering is
// dropped with a warning.
func (a *assembler) externalVNet(t *topology.Topology, r, p *rec, id resourceID) *topology.VirtualNetwork {
	if v, ok := a.placeholders[id.Key()]; ok {
		return v
	}
	var space []netip.Prefix
	for _, field := range []string{"remoteAddressSpace", "remoteVirtualNetworkAddressSpace"} {
		for _, pn := range r.n.field(field).key("addressPrefixes").list() {
			s, _ := pn.v.(string)
			if pfx, err := parsePrefix(strings.TrimSpace(s)); err == nil && pfx.Addr().Is4() {
				space = append(space, pfx)
			}
		}
		if len(space) > 0 {
			break
		}
	}
	if len(space) == 0 {
		a.warnf(r.file, r.n, "peering %q of virtual network %q: remote virtual network %q is not in the export, and the peering records no IPv4 address space for it; the peering is left out",
			r.name, p.name, id.String())
		return nil
	}
	name := id.Name()
	taken := func(n string) bool {
		for _, v := range t.VirtualNetworks {
			if strings.EqualFold(v.Name, n) {
				return true
			}
		}
		return false
	}
	if taken(name) {
		base := name + "-external"
		name = base
		for i := 2; taken(name); i++ {
			name = fmt.Sprintf("%s-%d", base, i)
		}
	}
	v := &topology.VirtualNetwork{Origin: topology.Origin{Pos: a.posOf(r.file, r.n)}, Name: name, AddressSpace: space}
	a.placeholders[id.Key()] = v
	t.VirtualNetworks = append(t.VirtualNetworks, v)
	var spaces []string
	for _, s := range space {
		spaces = append(spaces, s.String())
	}
	a.warnf(r.file, r.n, "peering %q of virtual network %q: remote virtual network %q is not in the export; it is added as the external placeholder %q, with the address space the peering records (%s) and no subnets or VMs",
		r.name, p.name, id.String(), name, strings.Join(spaces, ", "))
	return v
}
