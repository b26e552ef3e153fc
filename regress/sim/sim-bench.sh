#!/bin/sh
# Simulation benchmark: each scenario (sim-scenarios.sh) with each daemon
# under test, chronyd 4.3 and, when BUILDDIR/regress/sim/timed-sim exists,
# timed, over the same seeds, in clknetsim's simulated network and clocks
# (sim-lib.sh).  Prints a table: per scenario and daemon, over the seeds
# and the scenario's measured nodes, the median and worst RMS of the true
# time error, the median and worst maximum |error| (both over [from, end]:
# from 210 s, or as the scenario says), the median RMS frequency error
# (ppm), the median and worst time to sync (chrony's check_sync: the last
# second with |error| > the scenario's bound, 1 ms by default, or
# |frequency error| > 500 ppm, plus one; "never" when not in sync at the
# end), the median number of packets a measured node sent, and the wall
# time it took; then per scenario the ratio timed/chronyd of the median
# RMS error.  A median of an even count is the upper middle one.  Numbers
# only: the exit status is 0 when every run finished, whatever the
# figures.
#   sh regress/sim/sim-bench.sh BUILDDIR [SCENARIO...]
# Environment:
#   SIM_SEEDS      seeds 1..N for every scenario and daemon (default 10)
#   SIM_HOURS      simulated hours of every scenario (default: the
#                  scenario's own, 6 for most; leap needs 25 or more)
#   SIM_SCENARIOS  the scenarios when none are given (default all:
#                  sim-scenarios.sh's SIM_ALL_SCENARIOS)
#   SIM_DAEMONS    the daemons (default "chronyd timed", timed when its
#                  program exists)
#   SIM_DAEMON     a program to run as "timed" instead of timed-sim
#   SIM_RESULTS    a file to keep every run's per-node figures in
#   CLKNETSIM_PATH clknetsim's source (default ../shared/clknetsim
#                  beside the source tree)
#   SIM_KEEP=1     keep each run's scratch folder
#   SIM_LOG        log lines for every daemon (e.g. "measurements
#                  statistics"), into logs.N in the scratch folder
# Progress goes to stderr.
set -u
SIM_NAME=sim-bench
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
if [ $# -lt 1 ]; then
	echo "usage: sh regress/sim/sim-bench.sh BUILDDIR [SCENARIO...]" >&2
	exit 2
fi
top_builddir=$(cd "$1" && pwd) || exit 2
shift
. "$here/sim-lib.sh"
. "$here/sim-scenarios.sh"

sim_setup
[ -n "$SIM_CHRONYD" ] || {
	sim_say "no chronyd (regress/fetch-chrony.sh failed)"
	exit 1
}
SEEDS=${SIM_SEEDS:-10}
if [ $# -gt 0 ]; then
	scenarios=$*
else
	scenarios=${SIM_SCENARIOS:-$SIM_ALL_SCENARIOS}
fi
if [ -z "${SIM_DAEMONS:-}" ]; then
	SIM_DAEMONS=chronyd
	if [ -x "$(sim_daemon timed)" ]; then
		SIM_DAEMONS="chronyd timed"
	else
		sim_say "no $(sim_daemon timed): chronyd only"
	fi
fi
out=$(mktemp /tmp/timed-sim-bench.XXXXXX) || exit 1
trap 'sim_stop; rm -f "$out"' EXIT
trap 'exit 1' INT TERM
status=0

# run_one SCENARIO DAEMON SEED: a line per measured node into $out:
# scenario daemon seed node rms max freq_rms sync packets from hours
run_one() {
	sim_begin
	if ! sim_scenario "$1" "$2"; then
		sim_end
		return 1
	fi
	SIM_WARMUP=$SCN_WARMUP
	hours=${SIM_HOURS:-$SCN_HOURS}
	secs=$(awk -v h="$hours" 'BEGIN { printf "%d", h * 3600 }')
	if ! sim_run "$SCN_NODES" "$secs" "$3"; then
		sim_end keep
		return 1
	fi
	sim_results "$SCN_NODES" "$SCN_BOUND" "$SCN_AGAINST" |
	    while read -r n rest; do
		for m in $SCN_MEASURE; do
			[ "$m" = "$n" ] &&
			    echo "$1 $2 $3 $n $rest $SIM_WARMUP $hours"
		done
	done >>"$out"
	sim_end
}

for s in $scenarios; do
	for d in $SIM_DAEMONS; do
		t0=$(date +%s)
		seed=1
		while [ $seed -le "$SEEDS" ]; do
			sim_say "$s $d seed $seed/$SEEDS"
			if ! run_one "$s" "$d" $seed; then
				sim_say "$s $d seed $seed failed"
				status=1
			fi
			seed=$((seed + 1))
		done
		echo "wall $s $d $(($(date +%s) - t0))" >>"$out"
	done
done
[ -n "${SIM_RESULTS:-}" ] && cp "$out" "$SIM_RESULTS"

echo "clknetsim; seeds 1-$SEEDS; n: runs x measured nodes; h: simulated hours;"
echo "errors (rms, max) in us over [from s, end]; sync in s; medians and worst (_max, _w)"
awk '
function sortv(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
}
# median (upper middle for an even count, as a figure actually seen)
function med(key, what,    n, i, a) {
	n = cnt[key]
	for (i = 1; i <= n; i++)
		a[i] = v[key, what, i]
	sortv(a, n)
	return a[int(n / 2) + 1]
}
function worst(key, what,    n, i, m) {
	n = cnt[key]
	m = v[key, what, 1]
	for (i = 2; i <= n; i++)
		if (v[key, what, i] > m)
			m = v[key, what, i]
	return m
}
function fsync(x) { return x >= 1e99 ? "never" : sprintf("%d", x) }
$1 == "wall" { wall[$2 " " $3] = $4; next }
{
	key = $1 " " $2
	if (!(key in cnt)) {
		cnt[key] = 0
		order[++nkeys] = key
	}
	i = ++cnt[key]
	v[key, "rms", i] = $5 * 1e6
	v[key, "max", i] = $6 * 1e6
	v[key, "freq", i] = $7 * 1e6
	v[key, "sync", i] = $8 < 0 ? 1e99 : $8
	v[key, "pkts", i] = $9
	from[key] = $10
	hours[key] = $11
}
END {
	printf "%-13s %-8s %4s %3s %6s %8s %8s %8s %8s %9s %6s %6s %7s %6s\n",
	    "scenario", "daemon", "n", "h", "from", "rms_med", "rms_max",
	    "max_med", "max_max", "freq_ppm", "sync", "sync_w", "packets",
	    "wall_s"
	for (k = 1; k <= nkeys; k++) {
		key = order[k]
		split(key, sd, " ")
		printf "%-13s %-8s %4d %3s %6d %8.3f %8.3f %8.3f %8.3f %9.4f %6s %6s %7d %6s\n",
		    sd[1], sd[2], cnt[key], hours[key], from[key],
		    med(key, "rms"), worst(key, "rms"),
		    med(key, "max"), worst(key, "max"), med(key, "freq"),
		    fsync(med(key, "sync")), fsync(worst(key, "sync")),
		    med(key, "pkts"), (key in wall) ? wall[key] : "-"
		rms[sd[1], sd[2]] = med(key, "rms")
		scen[sd[1]] = 1
	}
	for (k = 1; k <= nkeys; k++) {
		split(order[k], sd, " ")
		s = sd[1]
		if (sd[2] != "timed" || !((s, "chronyd") in rms))
			continue
		if (!hdr++)
			printf "\nratio timed/chronyd of the median RMS error\n"
		if (rms[s, "chronyd"] > 0)
			printf "%-13s %6.2f\n", s, rms[s, "timed"] / rms[s, "chronyd"]
	}
}' "$out"
exit $status
