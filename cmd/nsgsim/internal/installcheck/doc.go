// Package installcheck holds TestInstallFromClone, which checks the
// README's install instructions (go install, make build) from a clean
// clone. It is a package of its own so that its two compilations of nsgsim
// do not count against the time limit of cmd/nsgsim's own tests.
//
// It holds no code the binary uses, and checks installing only: what the
// installed binary does is checked by cmd/nsgsim's own tests.
package installcheck
