package prgate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/nsgsim/nsgsim/diff"
	"github.com/nsgsim/nsgsim/report"
)

// Check is one run of the gate on a pull request.
type Check struct {
	Inputs Inputs
	// Summary is the job summary file (GITHUB_STEP_SUMMARY), appended to;
	// "" skips it.
	Summary string
	// SARIF is where to write SARIF for code scanning, from simulating the
	// head side; "" skips it.
	SARIF string
	// CommentOut, when set, receives the comment body ("" when the change
	// touches no flow): the read-only half of the fork-safe pattern.
	CommentOut string
	// Output is the step's output file (GITHUB_OUTPUT): the gate appends
	// broken=N to it; "" skips it.
	Output string
	// Post updates the pull request's comment through Client for Event.
	Post   bool
	Event  Event
	Client *Client
	// Log receives one line per action taken, and warnings.
	Log io.Writer
}

// maxSummary bounds what the gate adds to the job summary: GitHub accepts at
// most 1 MiB per step.
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions#step-isolation-and-limits
const maxSummary = 1 << 20

// Run compares, reports and comments. It returns the number of required
// flows the change breaks; the caller fails the check when it is not zero.
// A fork's read-only token refusing the comment is a warning, not an error:
// the job summary still has the report.
func (c *Check) Run(ctx context.Context) (broken int, err error) {
	if c.Log == nil {
		c.Log = io.Discard
	}
	ds, err := Compare(ctx, c.Inputs)
	if err != nil {
		return 0, err
	}
	body, err := CommentBody(ds)
	if err != nil {
		return 0, err
	}
	if c.Summary != "" {
		if err := appendSummary(c.Summary, ds); err != nil {
			return 0, err
		}
	}
	if c.SARIF != "" {
		if err := writeSARIF(c.SARIF, ds); err != nil {
			return 0, err
		}
	}
	if c.CommentOut != "" {
		if err := os.WriteFile(c.CommentOut, []byte(body), 0o644); err != nil {
			return 0, err
		}
	}
	if c.Post {
		if err := c.post(ctx, body); err != nil {
			return 0, err
		}
	}
	if c.Output != "" {
		if err := appendFile(c.Output, []byte(fmt.Sprintf("broken=%d\n", Broken(ds)))); err != nil {
			return 0, err
		}
	}
	return Broken(ds), nil
}

func (c *Check) post(ctx context.Context, body string) error {
	if c.Event.Fork() {
		fmt.Fprintf(c.Log, "warning: pull request #%d comes from a fork (%s), whose token is read-only: not commenting; the job summary has the report (see the README for the workflow_run pattern that comments safely)\n", c.Event.Number, c.Event.HeadRepo)
		return nil
	}
	outcome, err := c.Client.Sync(ctx, c.Event.Number, body)
	if Forbidden(err) {
		fmt.Fprintf(c.Log, "warning: %v: the token cannot comment (give the job `pull-requests: write`); the job summary has the report\n", err)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Log, "pull request #%d comment: %s\n", c.Event.Number, outcome)
	return nil
}

func appendSummary(path string, ds []FileDiff) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "## %s\n\n", Headline(ds))
	for _, d := range ds {
		if err := diff.WriteMarkdown(&b, d.Diff); err != nil {
			return err
		}
		b.WriteString("\n")
	}
	out := b.Bytes()
	if len(out) > maxSummary {
		const cut = "\n\n_Truncated: the report is longer than a job summary holds; run `nsgsim diff` locally._\n"
		n := maxSummary - len(cut)
		for n > 0 && !utf8.RuneStart(out[n]) {
			n--
		}
		out = append(out[:n], cut...)
	}
	return appendFile(path, out)
}

// appendFile appends to one of the files GitHub gives a step.
func appendFile(path string, out []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(out); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeSARIF writes one SARIF run with the findings of every input's head
// side: code scanning wants one run per tool and category.
func writeSARIF(path string, ds []FileDiff) error {
	var log *report.SARIFLog
	for _, d := range ds {
		l := report.NewSARIF(d.Diff.New)
		if log == nil {
			log = l
			continue
		}
		if len(l.Runs) != 1 || len(log.Runs) != 1 {
			return errors.New("SARIF: expected one run per report")
		}
		log.Runs[0].Results = append(log.Runs[0].Results, l.Runs[0].Results...)
	}
	data, err := json.MarshalIndent(log, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
