# TAP-style results, shared by the end-to-end tests (regress/e2e/lib.sh)
# and the simulation check (regress/sim/sim-check.sh).  Sourced, not run;
# the caller sets pass=0 and fail=0.

ok() {
	pass=$((pass + 1))
	echo "ok $pass - $1"
}

# not_ok DESCRIPTION [DETAILS]: DETAILS follow, indented as comments.
not_ok() {
	fail=$((fail + 1))
	echo "not ok - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'
	return 0
}
