package diff

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/hostile"
	"github.com/nsgsim/nsgsim/internal/simtest"
	"github.com/nsgsim/nsgsim/topology"
)

// hostileDiff compares the hostile topology of h with a copy whose Deny
// rule moved after an Allow for SSH and whose flow asks another port: flows
// change verdict, and rules are added and changed.
func hostileDiff(t *testing.T, h string) *Result {
	t.Helper()
	moveDeny := func(topo *topology.Topology) {
		g := topo.NetworkSecurityGroups[0]
		deny := *g.SecurityRules[0]
		deny.Priority = 200
		allow := deny
		allow.Name, allow.Priority, allow.Access = h+"allow", 150, topology.Allow
		g.SecurityRules = []*topology.SecurityRule{&allow, &deny}
	}
	return Compare(simtest.Hostile(t, h, nil), simtest.Hostile(t, h, moveDeny))
}

// TestHostileNamesDiff writes the diff of two hostile topologies in every
// format: no unsafe character reaches the table, the Markdown has the
// structure of the same diff with plain names, and the JSON decodes.
func TestHostileNamesDiff(t *testing.T) {
	plain := hostileDiff(t, "z z")
	table, markdown := WriteTable, WriteMarkdown
	plainTable, plainMD := written(t, plain, table), written(t, plain, markdown)
	if len(plain.Changed) == 0 {
		t.Fatal("the change changes no flow")
	}
	for i, h := range hostile.Names {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			d := hostileDiff(t, h)
			for format, out := range map[string]string{"table": written(t, d, table), "markdown": written(t, d, markdown), "json": written(t, d, WriteJSON)} {
				for _, line := range strings.Split(out, "\n") {
					if topology.HasUnsafe(line) {
						t.Errorf("%s carries an unsafe character raw: %q", format, line)
					}
				}
			}
			if got, want := strings.Count(written(t, d, table), "\n"), strings.Count(plainTable, "\n"); got != want {
				t.Errorf("table has %d lines, the plain diff %d:\n%s", got, want, written(t, d, table))
			}
			if got, want := hostile.MarkdownSkeleton(written(t, d, markdown)), hostile.MarkdownSkeleton(plainMD); got != want {
				t.Errorf("Markdown structure differs from the plain diff's:\n%s\nwant\n%s\n%s", got, want, written(t, d, markdown))
			}
			var doc Document
			if err := json.Unmarshal([]byte(written(t, d, WriteJSON)), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Changed) == 0 || !strings.Contains(doc.Changed[0].ID, h) {
				t.Errorf("JSON changed flows %+v do not name %q", doc.Changed, h)
			}
		})
	}
}
