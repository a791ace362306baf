#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 30s):
# the YAML loader, the Service Tags reader, each importer, and the engine
# against the reference evaluator. Targets are found with
# `go test -list`, so a new Fuzz function is picked up without editing
# this script.
#
# A failing input is written by `go test` to the package's
# testdata/fuzz/FuzzNAME/ directory; fix the bug and keep the file there as
# a seed, so that `go test ./...` replays it from then on.
#
#   FUZZTIME=5s scripts/fuzz.sh            # every target, 5 s each
#   scripts/fuzz.sh FuzzParse FuzzEngine   # only these
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-30s}
only=" $* "

# "PACKAGE TARGET" lines: go test -list prints a package's targets, then
# its "ok  PACKAGE" line.
if ! listing=$(go test -list '^Fuzz' ./... 2>&1); then
	printf '%s\n' "$listing" >&2
	echo "fuzz.sh: go test -list failed" >&2
	exit 1
fi
targets=$(printf '%s\n' "$listing" | awk '
	/^Fuzz/ { names[n++] = $1; next }
	/^ok/   { for (i = 0; i < n; i++) print $2, names[i]; n = 0 }
')
if [ -z "$targets" ]; then
	echo "fuzz.sh: no fuzz targets found" >&2
	exit 1
fi

# corpus lists the saved failing inputs of a target.
corpus() {
	local dir
	dir=$(go list -f '{{.Dir}}' "$1")/testdata/fuzz/$2
	if [ -d "$dir" ]; then ls "$dir"; fi
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
summary=()
while read -r pkg target; do
	if [ "$only" != "  " ] && [[ "$only" != *" $target "* ]]; then
		continue
	fi
	echo "=== $target ($pkg) for $fuzztime"
	start=$SECONDS
	before=$(corpus "$pkg" "$target")
	if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" </dev/null 2>&1 | tee "$log"; then
		summary+=("ok     $target  $((SECONDS - start))s")
		continue
	fi
	# Go 1.26's fuzzing coordinator can fail a run with a bare "context
	# deadline exceeded" when -fuzztime ends while a worker is busy
	# (https://go.dev/issue/75804, fixed in Go 1.27). That is no finding
	# when no failing input was written and the saved inputs still pass.
	if grep -q '^    context deadline exceeded$' "$log" && ! grep -q 'Failing input written' "$log" &&
		[ "$(corpus "$pkg" "$target")" = "$before" ] && go test -run "^${target}\$" "$pkg" </dev/null >/dev/null; then
		echo "fuzz.sh: $target: the deadline race of go.dev/issue/75804, not a finding"
		summary+=("ok     $target  $((SECONDS - start))s (stopped by go.dev/issue/75804)")
		continue
	fi
	summary+=("FAIL   $target  $((SECONDS - start))s")
	failed+=("$target")
done <<<"$targets"

echo
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz.sh: ${failed[*]} failed; the failing inputs are under the packages' testdata/fuzz/" >&2
	exit 1
fi
