package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// Progress bar timing: nothing is drawn for work shorter than progressDelay;
// after that the line is redrawn every progressTick.
const (
	progressDelay = time.Second
	progressTick  = 100 * time.Millisecond
	progressWidth = 30 // cells of the bar
)

// progress draws one status line on standard error while a long command
// runs: the phase, a bar when the amount of work is known, and the time
// spent. It draws only when standard error is a terminal and --quiet is not
// given, and only once the command has run for about a second, so that
// scripts, pipes, CI logs and quick runs see nothing. The zero of a disabled
// progress is silent and cheap; every method may be called on it.
type progress struct {
	w     io.Writer
	start time.Time
	done  atomic.Int64
	total atomic.Int64

	mu    sync.Mutex
	label string
	drawn bool // a line is on the screen
	stop  chan struct{}
	ended chan struct{}
}

// newProgress starts a progress line for e's standard error, or returns a
// disabled one when quiet is set or standard error is not a terminal.
func newProgress(e *env, quiet bool) *progress {
	if quiet || !isTerminal(e.stderr) {
		return &progress{}
	}
	p := &progress{w: e.stderr, start: time.Now(), stop: make(chan struct{}), ended: make(chan struct{})}
	go p.run()
	return p
}

// isTerminal reports whether w is a character device, such as a terminal,
// without a terminal library: a file, a pipe or /dev/null under a test
// harness is not.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	return os.Getenv("TERM") != "dumb" && f.Name() != os.DevNull
}

func (p *progress) enabled() bool { return p.w != nil }

// phase starts a phase of the work; total is its amount (flows), or 0 when
// unknown.
func (p *progress) phase(label string, total int) {
	if !p.enabled() {
		return
	}
	p.mu.Lock()
	p.label = label
	p.mu.Unlock()
	p.done.Store(0)
	p.total.Store(int64(total))
}

// set records how much of the phase is done; it is safe to call from
// several goroutines.
func (p *progress) set(done, total int) {
	if !p.enabled() {
		return
	}
	p.done.Store(int64(done))
	p.total.Store(int64(total))
}

// finish stops drawing and clears the line, so that what the command
// prints next starts on a clean line.
func (p *progress) finish() {
	if !p.enabled() || p.stop == nil {
		return
	}
	close(p.stop)
	<-p.ended
	p.stop = nil
}

func (p *progress) run() {
	defer close(p.ended)
	t := time.NewTicker(progressTick)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			p.mu.Lock()
			if p.drawn {
				fmt.Fprint(p.w, "\r\033[K")
			}
			p.mu.Unlock()
			return
		case now := <-t.C:
			if now.Sub(p.start) >= progressDelay {
				p.draw(now)
			}
		}
	}
}

func (p *progress) draw(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	done, total := p.done.Load(), p.total.Load()
	elapsed := now.Sub(p.start).Truncate(100 * time.Millisecond)
	line := p.label
	if total > 0 {
		filled := int(int64(progressWidth) * min(done, total) / total)
		line = fmt.Sprintf("%s [%s%s] %d/%d", p.label,
			strings.Repeat("=", filled), strings.Repeat(" ", progressWidth-filled), done, total)
	}
	fmt.Fprintf(p.w, "\r\033[K%s %v", line, elapsed)
	p.drawn = true
}

// loadAndSimulate loads the topology of path (or the scenario of in) and
// simulates it, under progress phases; an error is an *inputError.
func loadAndSimulate(p *progress, in *inputFlags, path string) (*topology.Topology, *sim.Report, error) {
	t, err := loadWithProgress(p, in, path)
	if err != nil {
		return nil, nil, &inputError{err}
	}
	r, err := simulateWithProgress(p, t)
	if err != nil {
		return nil, nil, &inputError{err}
	}
	return t, r, nil
}

// loadWithProgress loads a topology under a progress phase.
func loadWithProgress(p *progress, in *inputFlags, path string) (*topology.Topology, error) {
	name := path
	if in.scenario != "" {
		name = "scenario " + in.scenario
	}
	p.phase("loading "+name, 0)
	return in.load(path)
}

// simulateWithProgress compiles and simulates a topology, showing the flows
// decided so far, then the findings phase.
func simulateWithProgress(p *progress, t *topology.Topology) (*sim.Report, error) {
	p.phase("compiling", 0)
	e, err := sim.Compile(t)
	if err != nil {
		return nil, err
	}
	if !p.enabled() {
		return e.Simulate()
	}
	p.phase("simulating flows", 0)
	return e.SimulateProgress(func(done, total int) {
		if done == total {
			p.phase("checking findings", 0)
			return
		}
		p.set(done, total)
	})
}
