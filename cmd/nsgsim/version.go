package main

import "runtime/debug"

// version is set by release builds (goreleaser and `make build` stamp it):
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/nsgsim
//
// Left empty, the version comes from the build information.
var version string

// versionString is nsgsim's version: the release stamp when there is one,
// else the module version the go command recorded (a `go install
// github.com/nsgsim/nsgsim/cmd/nsgsim@v1.2.3` build says v1.2.3), else
// "(devel)" for a build from a checkout.
func versionString() string {
	if version != "" {
		return version
	}
	return buildVersion(debug.ReadBuildInfo())
}

// buildVersion is the main module's version in info, or "(devel)".
func buildVersion(info *debug.BuildInfo, ok bool) string {
	if !ok || info.Main.Version == "" {
		return "(devel)"
	}
	return info.Main.Version
}
