#!/usr/bin/env bash
# bench.sh times `nsgsim simulate --format json` end to end on generated
# topologies of 1,000, 10,000 and 50,000 VMs and prints a Markdown table:
# flows, wall time, peak memory (maximum resident set size) and flows per
# second, each the median of BENCH_RUNS runs (default 3).
#
# Usage: scripts/bench.sh [NSGSIM]   (default: build ./cmd/nsgsim into a temp dir)
#
# The topologies are `nsgsim gen --seed 1` with the proportions of the
# 50,000-VM target: 250 VMs per VNet, 12.5 per subnet, 200 rules per
# workload NSG. Wall time and peak memory come from GNU time; without it the
# script tries to install it (apt-get, as root), then falls back to Python's
# resource module, then to wall time alone.
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-3}
sizes=${BENCH_SIZES:-"1000 10000 50000"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

nsgsim=${1:-}
if [[ -z $nsgsim ]]; then
	nsgsim=$work/nsgsim
	go build -o "$nsgsim" ./cmd/nsgsim
fi

# measure FILE: runs simulate once and prints "WALL_SECONDS PEAK_KIB"
# (PEAK_KIB is "-" when it cannot be measured). Exit code 1 (some flow
# blocked) is a normal outcome; anything else is an error.
timer=none
if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	timer=gnu
elif [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null &&
	{ apt-get install -y -qq time >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq time >/dev/null 2>&1; }; } &&
	/usr/bin/time -f %M true >/dev/null 2>&1; then
	timer=gnu
elif command -v python3 >/dev/null; then
	timer=python
fi

measure() {
	local file=$1 code=0
	case $timer in
	gnu)
		/usr/bin/time -f '%e %M' -o "$work/time" "$nsgsim" simulate --quiet --format json "$file" >/dev/null || code=$?
		;;
	python)
		python3 - "$nsgsim" "$file" >"$work/time" <<'PY' || code=$?
import resource, subprocess, sys, time
t = time.monotonic()
code = subprocess.call([sys.argv[1], "simulate", "--quiet", "--format", "json", sys.argv[2]], stdout=subprocess.DEVNULL)
print("%.2f %d" % (time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
PY
		;;
	*)
		local t0 t1
		t0=$(date +%s.%N)
		"$nsgsim" simulate --quiet --format json "$file" >/dev/null || code=$?
		t1=$(date +%s.%N)
		echo "$(echo "$t1 - $t0" | bc) -" >"$work/time"
		;;
	esac
	if ((code > 1)); then
		echo "bench.sh: nsgsim simulate $file exited $code" >&2
		exit 1
	fi
	tail -n 1 "$work/time"
}

echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)"
echo "Command: nsgsim simulate --format json FILE >/dev/null, median of $runs runs"
echo
echo "| VMs | VNets | subnets | flows | wall time | peak memory | flows/s |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for vms in $sizes; do
	vnets=$((vms / 250 > 2 ? vms / 250 : 2))
	subnets=$((vms * 2 / 25))
	file=$work/gen-$vms.yaml
	"$nsgsim" gen --seed 1 --vnets "$vnets" --subnets "$subnets" --vms "$vms" --rules-per-nsg 200 -o "$file"
	flows=$("$nsgsim" simulate --quiet --format json "$file" | tail -n 12 | sed -n 's/^ *"flows": \([0-9]*\),$/\1/p') || true
	results=()
	for ((i = 0; i < runs; i++)); do
		results+=("$(measure "$file")")
	done
	# The median run by wall time.
	median=$(printf '%s\n' "${results[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
	wall=${median% *}
	kib=${median#* }
	mem="n/a"
	if [[ $kib != "-" ]]; then
		mem=$(awk -v k="$kib" 'BEGIN { printf "%.0f MiB", k / 1024 }')
	fi
	rate=$(awk -v f="$flows" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? f / w : 0) }')
	echo "| $vms | $vnets | $subnets | $flows | $wall s | $mem | $rate |"
done
