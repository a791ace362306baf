// Package hostile holds the corpus of hostile names that the tests of every
// output run through: names a colleague or a pull request could put in a
// topology to make an output do something other than what nsgsim means
// (end a comment, close a quote, start an expansion, forge what a terminal
// or a pull-request comment shows). It is used by tests only.
//
// It owns the corpus (Names), a small topology in which every kind of name
// reaches a report (Base, Build, Rename; package simtest simulates it), the
// Markdown structure an escaped output must keep (MarkdownSkeleton), and the
// crafted rule sets that push evaluation towards its budgets
// (DistinctRules, StaggeredRules, Staircase). It imports no package above
// topology, so that sim's own tests can use it.
//
// What each output must escape, and how, is the output's package's; this
// package only supplies the names and the checks' common parts.
package hostile
