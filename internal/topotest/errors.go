package topotest

import (
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// WantErrors checks that an importer failed with an error that contains
// each of want. call names the importer, for messages; top is what it
// returned, shown when it did not fail.
func WantErrors(t *testing.T, call string, top *topology.Topology, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s = %s, want an error", call, Dump(top))
	}
	for _, w := range want {
		if !strings.Contains(topology.ErrorText(err), w) {
			t.Errorf("%s error:\n%s\nwant it to contain:\n%s", call, topology.ErrorText(err), w)
		}
	}
}

// ErrorPositions checks that every line of an importer error starts with
// the name of the input, as fuzzed importers must keep doing.
func ErrorPositions(t *testing.T, err error, name string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, line := range strings.Split(topology.ErrorText(err), "\n") {
		if !strings.HasPrefix(line, name+":") {
			t.Fatalf("error line %q does not start with %q", line, name+":")
		}
	}
}
