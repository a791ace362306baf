package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressSilentWhenNotATerminal(t *testing.T) {
	var stderr bytes.Buffer
	for _, quiet := range []bool{false, true} {
		p := newProgress(&env{stderr: &stderr}, quiet)
		if p.enabled() {
			t.Errorf("newProgress(buffer, quiet=%v) is enabled; want silent off a terminal", quiet)
		}
		p.phase("loading", 10)
		p.set(5, 10)
		p.finish()
	}
	if stderr.Len() != 0 {
		t.Errorf("a disabled progress wrote %q", stderr.String())
	}
}

func TestProgressDraw(t *testing.T) {
	var w bytes.Buffer
	p := &progress{w: &w, start: time.Unix(0, 0)}
	p.phase("simulating flows", 200)
	p.set(50, 200)
	p.draw(time.Unix(2, 0))
	want := "\r\033[Ksimulating flows [=======                       ] 50/200 2s"
	if got := w.String(); got != want {
		t.Errorf("draw = %q, want %q", got, want)
	}
	w.Reset()
	p.phase("checking findings", 0)
	p.draw(time.Unix(3, 500_000_000))
	if got := w.String(); !strings.HasSuffix(got, "checking findings 3.5s") {
		t.Errorf("draw = %q, want a line ending in %q", got, "checking findings 3.5s")
	}
}
