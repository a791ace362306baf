// Package topotest holds test helpers shared by nsgsim's packages: a stable
// text dump of a topology, golden files updated by NSGSIM_UPDATE=1 (the way
// cue-lang/cue updates its golden files), the real third-party inputs in
// ../shared/fixtures/real beside the module, and checks of importer errors.
//
// It is imported only from _test.go files.
//
// It owns no simulation (package internal/simtest loads and simulates) and
// no hostile names (package internal/hostile), and asserts nothing of its
// own about any package: each helper fails the calling test.
package topotest
