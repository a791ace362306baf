package render_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/nsgsim/nsgsim/render"
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/sim"
)

// Render draws a simulation: here as Mermaid, which GitHub shows inline;
// render.FormatFor picks SVG, PNG, DOT, HTML or draw.io from a file name.
func ExampleRender() {
	t, err := scenarios.Load("omit-ssh-rdp-outbound")
	if err != nil {
		panic(err)
	}
	r, err := sim.Simulate(t)
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	if err := render.Render(&b, render.Mermaid, r, render.Options{}); err != nil {
		panic(err)
	}
	fmt.Println(strings.Contains(b.String(), "flowchart LR"))
	f, _ := render.FormatFor("bastion.svg", "")
	fmt.Println(f)
	// Output:
	// true
	// svg
}
