// Package prgate is nsgsim's pull-request gate: the logic behind the GitHub
// Action in the repository's action.yml and the `nsgsim pr` command.
//
// For a pull request it compares each topology (or a Terraform plan) at the
// base revision with the head, as `nsgsim diff` does; writes the Markdown
// report to the job summary; writes SARIF for code scanning from the head;
// and keeps one comment on the pull request up to date, found again by a
// hidden marker, updated in place, or deleted when the change no longer
// touches any flow. The check fails when a required Bastion flow goes from
// Allow to Deny or Partial; a deny the design marks as intended does not
// count.
//
// Pull requests from forks get a read-only token. The gate never needs to
// run code from the pull request with write permissions: the check job
// writes the comment body to a file, and a separate `workflow_run` job with
// write permissions posts it (`nsgsim pr comment`) without checking out the
// pull request.
//
// GitHub's REST API for issue comments:
// https://docs.github.com/en/rest/issues/comments
// Job summaries:
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions#adding-a-job-summary
//
// It owns the gate: which files to compare, when the check fails, the
// comment's life cycle and the GitHub REST calls. The comparison itself is
// package diff's, the report forms are package report's, and every verdict
// is package sim's.
package prgate
