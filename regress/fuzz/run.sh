#!/bin/sh
# Run every libFuzzer target in regress/fuzz for a bounded number of
# inputs (FUZZ_RUNS, default 20000 each; FUZZ_SEED to replay a run),
# starting from the seed corpus in regress/fuzz/corpus/NAME.  New inputs
# go to a scratch directory that is removed afterwards; a crash leaves
# its input in the build directory (crash-*) and fails the test.  Skipped
# (77) when configure found no compiler for -fsanitize=fuzzer.
set -u
top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
runs=${FUZZ_RUNS:-20000}
seed=${FUZZ_SEED:-0}
. "$top_srcdir/regress/fuzz/targets.sh"
targets=$fuzz_targets

for t in $targets; do
	if [ ! -x "$top_builddir/regress/fuzz/fuzz_$t" ]; then
		echo "fuzz: $top_builddir/regress/fuzz/fuzz_$t not built" \
		    "(configure found no clang with -fsanitize=fuzzer): skipped"
		exit 77
	fi
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/timed-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT INT TERM
status=0
for t in $targets; do
	mkdir -p "$scratch/$t"
	start=$(date +%s)
	# -seed=0 lets libFuzzer pick one; it prints it ("Seed: N")
	if "$top_builddir/regress/fuzz/fuzz_$t" -runs="$runs" -seed="$seed" \
	    -max_total_time=60 -timeout=10 -max_len=2048 \
	    -artifact_prefix="$top_builddir/regress/fuzz/crash-$t-" \
	    "$scratch/$t" "$top_srcdir/regress/fuzz/corpus/$t" \
	    >"$scratch/$t.log" 2>&1; then
		echo "fuzz_$t: $runs runs, $(($(date +%s) - start)) s," \
		    "$(grep -m1 -o 'Seed: [0-9]*' "$scratch/$t.log")"
	else
		echo "fuzz_$t: FAILED"
		tail -n 60 "$scratch/$t.log"
		status=1
	fi
done
exit $status
