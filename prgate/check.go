package prgate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/nsgsim/nsgsim/diff"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// Inputs says what to compare: topology files at two revisions of a git
// repository, or a Terraform plan (whose prior state and planned values are
// the two sides).
type Inputs struct {
	// Dir is the head checkout (the repository's work tree).
	Dir string
	// Files are topology files (any input kind nsgsim reads), relative to
	// Dir, compared between Base and the work tree.
	Files []string
	// Base is the base revision (a commit the local repository has).
	Base string
	// Plan is a Terraform plan JSON (`terraform show -json`), instead of Files.
	Plan string
	// Load reads one topology file of any input kind.
	Load func(path string) (*topology.Topology, error)
	// LoadPlan reads a plan's prior state and planned values.
	LoadPlan func(path string) (prior, planned *topology.Topology, err error)
}

// FileDiff is one compared input.
type FileDiff struct {
	Path string // as the user named it
	Diff *diff.Result
}

// Compare simulates each input on both sides and diffs the reports.
func Compare(ctx context.Context, in Inputs) ([]FileDiff, error) {
	switch {
	case in.Plan != "" && len(in.Files) > 0:
		return nil, errors.New("give topology files or a plan, not both")
	case in.Plan != "":
		prior, planned, err := in.LoadPlan(in.Plan)
		if err != nil {
			return nil, err
		}
		d, err := compare(prior, planned)
		if err != nil {
			return nil, err
		}
		return []FileDiff{{Path: in.Plan, Diff: d}}, nil
	case len(in.Files) == 0:
		return nil, errors.New("no topology files and no plan to compare")
	case in.Base == "":
		return nil, errors.New("no base revision to compare the topology files with")
	}
	baseDir, cleanup, err := checkoutBase(ctx, in.Dir, in.Base)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	var out []FileDiff
	for _, f := range in.Files {
		rel, err := inside(f)
		if err != nil {
			return nil, err
		}
		old, err := loadSide(in.Load, filepath.Join(baseDir, rel), f+" (base)")
		if err != nil {
			return nil, err
		}
		cur, err := loadSide(in.Load, filepath.Join(in.Dir, rel), f)
		if err != nil {
			return nil, err
		}
		d, err := compare(old, cur)
		if err != nil {
			return nil, err
		}
		out = append(out, FileDiff{Path: f, Diff: d})
	}
	return out, nil
}

// inside cleans a repository-relative path and refuses one that leaves the
// repository.
func inside(p string) (string, error) {
	c := filepath.Clean(filepath.FromSlash(p))
	if filepath.IsAbs(c) || c == ".." || strings.HasPrefix(c, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s: topology files must be paths inside the repository", p)
	}
	return c, nil
}

// loadSide loads a topology, or an empty one when the file does not exist on
// that side (a topology added or deleted by the pull request).
func loadSide(load func(string) (*topology.Topology, error), path, name string) (*topology.Topology, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return &topology.Topology{Name: name + ": absent"}, nil
	}
	t, err := load(path)
	if err != nil {
		return nil, err
	}
	t.File = name
	return t, nil
}

func compare(old, cur *topology.Topology) (*diff.Result, error) {
	oldR, err := sim.Simulate(old)
	if err != nil {
		return nil, err
	}
	curR, err := sim.Simulate(cur)
	if err != nil {
		return nil, err
	}
	return diff.Compare(oldR, curR), nil
}

// checkoutBase checks the base revision out into a temporary work tree of
// the same repository (`git worktree add --detach`), so that every file a
// topology refers to (a Service Tags file, say) is there as of the base.
func checkoutBase(ctx context.Context, dir, rev string) (string, func(), error) {
	if strings.HasPrefix(rev, "-") {
		return "", nil, fmt.Errorf("bad base revision %q", rev)
	}
	tmp, err := os.MkdirTemp("", "nsgsim-base-")
	if err != nil {
		return "", nil, err
	}
	wt := filepath.Join(tmp, "base")
	git := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return nil
	}
	if err := git("worktree", "add", "--detach", "--quiet", wt, rev+"^{commit}"); err != nil {
		os.RemoveAll(tmp)
		return "", nil, fmt.Errorf("cannot check out the base revision (fetch it first, e.g. actions/checkout with fetch-depth: 0): %v", err)
	}
	return wt, func() {
		_ = git("worktree", "remove", "--force", wt)
		os.RemoveAll(tmp)
	}, nil
}

// Broken counts required flows that the change breaks over every input.
func Broken(ds []FileDiff) int {
	n := 0
	for _, d := range ds {
		n += d.Diff.Broken()
	}
	return n
}

// Touched reports whether any input's flows changed, appeared or vanished.
func Touched(ds []FileDiff) bool {
	for _, d := range ds {
		if len(d.Diff.Changed)+len(d.Diff.Added)+len(d.Diff.Removed) > 0 {
			return true
		}
	}
	return false
}
