// Package diff compares two simulations of a topology — before and after a
// change — flow by flow and finding by finding: what-if analysis before an
// NSG edit reaches Azure. A flow is matched by its stable ID (SPEC 3), so a
// renamed rule or a moved priority shows as a changed deciding rule, and a
// verdict that changes shows with the rule that decided it on each side.
// Beside the flows, the security rules added, removed and changed are shown
// field by field (rules.go), as terraform plan shows resources, and each
// changed flow names the rule change that decided it.
//
// It owns the comparison (Compare, Result, the rule changes) and its table,
// Markdown and JSON forms (write.go). It decides no verdict (each side is a
// sim.Report), escapes through package report's escapers rather than its
// own, and leaves the pull-request gate (comments, exit status in CI) to
// package prgate.
package diff
