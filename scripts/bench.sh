#!/usr/bin/env bash
# bench.sh times `nsgsim simulate --format json FILE >/dev/null` end to end
# on generated topologies and prints a Markdown table: per shape, the file
# size, the flows, and the median run (by wall time) of BENCH_RUNS runs
# (default 5): wall time, CPU time (user + system) and peak memory (maximum
# resident set size), all from GNU time; then the time per stage (load,
# compile, evaluate, lint, output) of one more run, from scripts/stages.
#
# Usage: scripts/bench.sh [NSGSIM]   (default: build ./cmd/nsgsim into a temp dir)
#
# Shapes: `nsgsim gen --seed 1` at 1,000, 10,000 and 50,000 VMs with the
# proportions of the 50,000-VM target (250 VMs per VNet, 12.5 per subnet,
# 200 rules per workload NSG, which gen shares among 20 VNets), and the shape
# of a large real estate: 50,000 VMs with 2,000 NSGs of 200 rules
# (--nsgs 2000), about 100 MB of YAML. 2000x200-az is the same estate as az
# CLI list output (gen --format az, about 190 MB of JSON: no clients, so
# fewer flows), simulated directly; import-az times `nsgsim import az` of
# that JSON to YAML (no stages). Both read it at the default memory budget
# (2 GiB, under which JSON inputs may be 256 MiB), or with --memory-budget
# $BENCH_AZ_BUDGET when that is set. BENCH_SHAPES picks some of the shapes
# (default: "1k 10k 50k 2000x200 2000x200-az import-az"). Then a second
# table: fix versus simulate on the 10,000-VM estate with 400 NSGs (below).
#
# GNU time is required for CPU time and peak memory; without it the script
# installs it (apt-get, as root) or stops.
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-5}
shapes=${BENCH_SHAPES:-"1k 10k 50k 2000x200 2000x200-az import-az"}
azbudget=${BENCH_AZ_BUDGET:-2GiB}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

nsgsim=${1:-}
if [[ -z $nsgsim ]]; then
	nsgsim=$work/nsgsim
	go build -o "$nsgsim" ./cmd/nsgsim
fi
go build -o "$work/stages" ./scripts/stages

if ! { [[ -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1; }; then
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		apt-get install -y -qq time >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq time >/dev/null 2>&1; } || true
	fi
	if ! /usr/bin/time -f %M true >/dev/null 2>&1; then
		echo "bench.sh: GNU time (/usr/bin/time) is needed: apt-get install time" >&2
		exit 1
	fi
fi

# measure ARGS...: runs nsgsim ARGS once and prints "WALL CPU PEAK_KIB".
# Exit code 1 (simulate: some flow blocked) is a normal outcome; anything
# else is an error.
measure() {
	local code=0
	/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$nsgsim" "$@" >/dev/null || code=$?
	if ((code > 1)); then
		echo "bench.sh: nsgsim $* exited $code" >&2
		cat "$work/time" >&2
		exit 1
	fi
	tail -n 1 "$work/time" | awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }'
}

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "Machine: $(nproc) cores ($cpu), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $(go env GOVERSION) $(go env GOOS)/$(go env GOARCH); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Command: nsgsim simulate --format json FILE >/dev/null (import-az: nsgsim import az FILE >/dev/null); wall, CPU and peak memory: median of $runs runs (GNU time); stages: one run of scripts/stages"
echo
echo "| shape | VMs | NSGs | rules | input | flows | wall | CPU | peak memory | load | compile | evaluate | lint | output |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for shape in $shapes; do
	format=yaml
	case $shape in
	1k) vms=1000 nsgs=0 ;;
	10k) vms=10000 nsgs=0 ;;
	50k) vms=50000 nsgs=0 ;;
	2000x200) vms=50000 nsgs=2000 ;;
	2000x200-az | import-az) vms=50000 nsgs=2000 format=az ;;
	*)
		echo "bench.sh: unknown shape $shape (1k, 10k, 50k, 2000x200, 2000x200-az or import-az)" >&2
		exit 2
		;;
	esac
	vnets=$((vms / 250 > 2 ? vms / 250 : 2))
	subnets=$((vms * 2 / 25))
	file=$work/$vms-$nsgs.$format
	args=(gen --seed 1 --vnets "$vnets" --subnets "$subnets" --vms "$vms" --rules-per-nsg 200 --format "$format" -o "$file")
	if ((nsgs > 0)); then
		args+=(--nsgs "$nsgs")
	fi
	[[ -f $file ]] || "$nsgsim" "${args[@]}"
	size=$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.1f MB", b / 1e6 }')
	budget=() stagesbudget=2GiB
	if [[ $format == az ]]; then
		budget=(--memory-budget "$azbudget") stagesbudget=$azbudget
		# gen --format az writes one resource a line, an NSG's rules with it.
		groups=$(grep -c '^{"type":"Microsoft.Network/networkSecurityGroups"' "$file" || true)
		rules=$(grep -o '"priority":' "$file" | wc -l)
	else
		# gen writes an NSG as "  - name: nsg-..." and a rule on one line.
		groups=$(grep -c '^  - name: nsg-' "$file" || true)
		rules=$(grep -c 'priority: [0-9]*, direction: ' "$file" || true)
	fi
	if [[ $shape == import-az ]]; then
		command=(import az "${budget[@]}" "$file")
		flows=-
	else
		command=(simulate --quiet --format json "${budget[@]}" "$file")
		flows=$("$nsgsim" "${command[@]}" | tail -n 12 | sed -n 's/^ *"flows": \([0-9]*\),$/\1/p') || true
	fi
	results=()
	for ((i = 0; i < runs; i++)); do
		results+=("$(measure "${command[@]}")")
	done
	median=$(printf '%s\n' "${results[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
	read -r wall cputime kib <<<"$median"
	mem=$(awk -v k="$kib" 'BEGIN { printf "%.0f MiB", k / 1024 }')
	if [[ $shape == import-az ]]; then
		stages="| – | – | – | – | – |"
	else
		read -r load compile evaluate lint output <<<"$("$work/stages" -memory-budget "$stagesbudget" "$file")"
		stages="| $load s | $compile s | $evaluate s | $lint s | $output s |"
	fi
	echo "| $shape | $vms | $groups | $rules | $size | $flows | $wall s | $cputime s | $mem $stages"
done

# fix versus simulate (BENCH_FIX=0 skips it): the 10,000-VM estate with 400
# NSGs of 100 rules each, where `nsgsim fix` adds rules to most NSGs. The
# runs alternate, simulate then fix on the same file, and the ratio is taken
# pair by pair, so that it holds when the machine's speed drifts; each
# figure is the median of BENCH_RUNS.
if [[ ${BENCH_FIX:-1} == 1 ]]; then
	file=$work/fix-10k.yaml
	"$nsgsim" gen --seed 1 --vnets 40 --subnets 800 --vms 10000 --nsgs 400 --rules-per-nsg 100 -o "$file"
	added=$("$nsgsim" fix --emit az "$file" 2>/dev/null | sed -n 's/^# nsgsim fix for .*: \([0-9]*\) rules\{0,1\} to add.*/\1/p') || true
	pairs=()
	for ((i = 0; i < runs; i++)); do
		read -r sw sc _ <<<"$(measure simulate --quiet --format json "$file")"
		read -r fw fc _ <<<"$(measure fix --emit az "$file")"
		pairs+=("$sw $sc $fw $fc $(awk -v a="$fw" -v b="$sw" 'BEGIN { printf "%.2f", a / b }') $(awk -v a="$fc" -v b="$sc" 'BEGIN { printf "%.2f", a / b }')")
	done
	col() { printf '%s\n' "${pairs[@]}" | awk -v c="$1" '{ print $c }' | sort -n | sed -n "$(((runs + 1) / 2))p"; }
	echo
	echo "fix versus simulate on the same file (simulate --format json; fix --emit az): median of $runs alternating pairs"
	echo
	echo "| estate | rules added | simulate wall | simulate CPU | fix wall | fix CPU | fix / simulate, wall | fix / simulate, CPU |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	echo "| 10,000 VMs, 400 NSGs × 100 rules | ${added:-?} | $(col 1) s | $(col 2) s | $(col 3) s | $(col 4) s | $(col 5) | $(col 6) |"
fi
