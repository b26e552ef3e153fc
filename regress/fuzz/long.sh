#!/bin/sh
# The long fuzzing run (make fuzz): every libFuzzer target in
# regress/fuzz, or the ones named as arguments (make fuzz FUZZ="conf
# pkt"), for FUZZ_LONG_RUNS executions each (default 10 million),
# optionally capped at FUZZ_LONG_TIME seconds a target (default 0: no
# cap).  Each target starts from its seed corpus and a working corpus
# kept in FUZZ_WORK (default $top_builddir/regress/fuzz/work/NAME), so a
# second run continues where the first stopped.  Prints one line a
# target: executions, exec/s, seconds, coverage (edges), corpus size,
# peak RSS, and OK or CRASH; a crash leaves its input as
# regress/fuzz/crash-NAME-* in the build directory, its log in
# FUZZ_WORK/NAME.log, and fails the run.
# Run it under nice: it keeps one core busy for as long as it runs.
set -u
top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
runs=${FUZZ_LONG_RUNS:-10000000}
cap=${FUZZ_LONG_TIME:-0}
work=${FUZZ_WORK:-$top_builddir/regress/fuzz/work}
. "$top_srcdir/regress/fuzz/targets.sh"
[ $# -gt 0 ] && fuzz_targets="$*"

stat() {
	sed -n "s/^stat::$1: *//p" "$2" | tail -n 1
}

status=0
for t in $fuzz_targets; do
	bin=$top_builddir/regress/fuzz/fuzz_$t
	if [ ! -x "$bin" ]; then
		echo "fuzz_$t: $bin not built (make fuzz builds it; needs" \
		    "configure to find clang with -fsanitize=fuzzer)"
		status=1
		continue
	fi
	mkdir -p "$work/$t" || exit 1
	start=$(date +%s)
	"$bin" -runs="$runs" -max_total_time="$cap" -timeout=10 \
	    -max_len=4096 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$top_builddir/regress/fuzz/crash-$t-" \
	    "$work/$t" "$top_srcdir/regress/fuzz/corpus/$t" \
	    >"$work/$t.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	result=OK
	if [ $rc -ne 0 ]; then
		result="CRASH (exit $rc, log $work/$t.log)"
		status=1
	fi
	cov=$(grep -a -o 'DONE *cov: [0-9]*' "$work/$t.log" | tail -n 1)
	echo "fuzz_$t: $(stat number_of_executed_units "$work/$t.log")" \
	    "executions, $(stat average_exec_per_sec "$work/$t.log") exec/s," \
	    "$secs s, ${cov##* } edges, corpus $(ls "$work/$t" | wc -l)" \
	    "inputs, peak RSS $(stat peak_rss_mb "$work/$t.log") MB: $result"
done
exit $status
