package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nsgsim/nsgsim/input"
	"github.com/nsgsim/nsgsim/prgate"
	"github.com/nsgsim/nsgsim/topology"
)

func init() { subcommands = append(subcommands, newPRCmd) }

// newPRCmd is `nsgsim pr`: the pull-request gate that the repository's
// GitHub Action runs (package prgate).
func newPRCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "pr",
		Short: "the pull-request gate: diff base and head, job summary, SARIF, one comment",
		Long: `Pr runs nsgsim's pull-request gate, as the GitHub Action in nsgsim's repository
does: 'pr check' compares topology files (or a Terraform plan) between the
pull request's base and its head; 'pr comment' posts a comment body that a
read-only job wrote, for pull requests from forks.`,
		Annotations: map[string]string{annotationExitCodes: `  0  no required flow breaks
  1  a required flow goes from Allow to Deny or Partial
  2  bad usage, bad input, or GitHub refused a request`},
		Example: "  nsgsim pr check network/hub.yaml --summary \"$GITHUB_STEP_SUMMARY\" --comment",
	}
	c.RunE = func(_ *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usagef("missing command: check or comment")
		}
		return usagef("unknown command %q; expected check or comment", args[0])
	}
	c.Args = cobra.ArbitraryArgs
	for _, sub := range []*cobra.Command{newPRCheckCmd(e), newPRCommentCmd(e)} {
		sub.SilenceErrors, sub.SilenceUsage = true, true
		sub.Flags().SortFlags = false
		c.AddCommand(sub)
	}
	return c
}

func newPRCheckCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "check [FILE...] [--plan PLAN.json]",
		Short: "compare the pull request's base and head; report, comment, fail on a broken flow",
		Long: `Check compares each topology FILE (any input kind, a path in the repository)
at the base revision with the work tree, or a Terraform plan's prior state with
its planned values, as 'nsgsim diff' does. It appends the Markdown report to
--summary, writes SARIF of the head to --sarif, writes the comment body to
--comment-out and, with --comment, keeps one comment on the pull request up to
date (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_EVENT_PATH).
A deny that an expectation marks intended does not count as broken.`,
		Args: cobra.ArbitraryArgs,
		Annotations: map[string]string{annotationExitCodes: `  0  no required flow breaks
  1  a required flow goes from Allow to Deny or Partial
  2  bad usage or bad input, or the base cannot be checked out`},
		Example: "  nsgsim pr check --base origin/main network/hub.yaml network/spokes.json",
	}
	in := &inputFlags{}
	addReadFlags(c, in)
	plan := c.Flags().String("plan", "", "compare a Terraform plan's prior state with its planned values (`PLAN.json` from terraform show -json)")
	base := c.Flags().String("base", "", "the base `REVISION` (default: the pull request's base commit from GITHUB_EVENT_PATH)")
	summary := c.Flags().String("summary", "", "append the Markdown report to `FILE` (the job summary, GITHUB_STEP_SUMMARY)")
	sarif := c.Flags().String("sarif", "", "write SARIF of the head's findings and blocked flows to `FILE`")
	commentOut := c.Flags().String("comment-out", "", "write the comment body to `FILE` (empty when no flow changed)")
	ghOutput := c.Flags().String("github-output", "", "append broken=N to `FILE` (the step's GITHUB_OUTPUT)")
	post := c.Flags().Bool("comment", false, "create, update or delete the pull request's comment")
	c.RunE = func(c *cobra.Command, args []string) error {
		if err := in.check(); err != nil {
			return err
		}
		if *plan == "" && len(args) == 0 {
			return usagef("name the topology FILEs to compare, or --plan PLAN.json")
		}
		if *plan != "" && len(args) > 0 {
			return usagef("give topology FILEs or --plan, not both")
		}
		for _, out := range []string{*summary, *sarif, *commentOut, *ghOutput} {
			if out == "" {
				continue
			}
			if err := checkNotInput(out, in.files(append([]string{*plan}, args...)...)); err != nil {
				return usagef("%v", err)
			}
		}
		var ev prgate.Event
		if path := os.Getenv("GITHUB_EVENT_PATH"); path != "" && (*base == "" || *post) {
			var err error
			if ev, err = prgate.ReadEvent(path); err != nil {
				return &inputError{err}
			}
		}
		if *base == "" {
			*base = ev.BaseSHA
		}
		if *plan == "" && *base == "" {
			return usagef("no base revision: give --base, or run on a pull_request event (GITHUB_EVENT_PATH)")
		}
		if *post && ev.Number == 0 {
			return usagef("--comment needs a pull_request event (GITHUB_EVENT_PATH)")
		}
		check := &prgate.Check{
			Inputs: prgate.Inputs{
				Dir: ".", Files: args, Base: *base, Plan: *plan,
				Load:     func(path string) (*topology.Topology, error) { return in.load(path) },
				LoadPlan: func(path string) (*topology.Topology, *topology.Topology, error) { return input.Plan(path, in.opts) },
			},
			Summary: *summary, SARIF: *sarif, CommentOut: *commentOut, Output: *ghOutput,
			Post: *post, Event: ev, Client: githubClient(ev.Repo), Log: e.stderr,
		}
		broken, err := check.Run(context.Background())
		if err != nil {
			return &inputError{err}
		}
		fmt.Fprintf(e.stdout, "nsgsim pr check: %s\n", strings.TrimLeft(prgate.HeadlineFor(broken), "✅❌ "))
		if broken > 0 {
			return errFailed
		}
		return nil
	}
	return c
}

func newPRCommentCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "comment --body FILE --number N [--head-sha SHA]",
		Short: "post a comment body that a read-only job wrote (fork pull requests)",
		Long: `Comment posts, updates or deletes (for an empty body) the gate's comment on
pull request N, from a body that 'pr check --comment-out' wrote in a
read-only job. Run it from a workflow_run job that checks out no code of the
pull request. The body must be a gate comment, and with --head-sha the pull
request's head must be that commit, so an artifact cannot aim the comment
elsewhere.`,
		Args: noArgs,
		Annotations: map[string]string{annotationExitCodes: `  0  the comment is as the body says
  2  bad usage, a body that is not a gate comment, or GitHub refused a request`},
		Example: "  nsgsim pr comment --body nsgsim-comment.md --number \"$(cat pr-number)\" --head-sha \"$HEAD_SHA\"",
	}
	body := c.Flags().String("body", "", "the comment body `FILE` from 'pr check --comment-out'")
	number := c.Flags().String("number", "", "the pull request `N`")
	head := c.Flags().String("head-sha", "", "refuse unless the pull request's head is `SHA` (the workflow_run event's head_sha)")
	c.RunE = func(c *cobra.Command, args []string) error {
		n, err := strconv.Atoi(strings.TrimSpace(*number))
		if err != nil || n <= 0 {
			return usagef("--number %q is not a pull request number", *number)
		}
		if *body == "" {
			return usagef("--body FILE is required")
		}
		data, err := input.ReadFile(*body, "comment body")
		if err != nil {
			return &inputError{err}
		}
		repo := os.Getenv("GITHUB_REPOSITORY")
		if repo == "" {
			return usagef("GITHUB_REPOSITORY is not set")
		}
		outcome, err := githubClient(repo).Relay(context.Background(), n, strings.TrimSpace(*head), string(data))
		if err != nil {
			return &inputError{err}
		}
		fmt.Fprintf(e.stdout, "nsgsim pr comment: pull request #%d: %s\n", n, outcome)
		return nil
	}
	return c
}

// githubClient is a client for repo from the environment GitHub Actions
// sets.
func githubClient(repo string) *prgate.Client {
	api := os.Getenv("GITHUB_API_URL")
	if api == "" {
		api = "https://api.github.com"
	}
	return &prgate.Client{API: api, Token: os.Getenv("GITHUB_TOKEN"), Repo: repo}
}
