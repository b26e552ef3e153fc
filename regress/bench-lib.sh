# What the benchmarks share (bench-server.sh, bench-nts.sh,
# bench-client.sh):
# messages, the root check, a work folder $T (with empty/ for timed's
# chroot and chrony/ for chronyd), and stopping what they started.
# Sourced after BENCH (the script's name) is set, not run.
# Processes to stop go into $pids.

say() {
	echo "$BENCH: $*"
}

if [ "$(id -u)" != 0 ]; then
	say "timed's monitor needs root" >&2
	exit 1
fi

T=$(mktemp -d "/tmp/timed-$BENCH.XXXXXX") || exit 1
chmod 755 "$T"
mkdir -m 755 "$T/empty" "$T/chrony"
chown nobody "$T/chrony"
pids=""

# running PID: alive, and not a zombie.
running() {
	[ -r "/proc/$1/stat" ] &&
	    [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# stop PID...: TERM, up to 3 s, then KILL; only these PIDs, which are
# then forgotten (a PID is never signalled again once it has gone).
stop() {
	for p in "$@"; do
		kill -TERM "$p" 2>/dev/null
	done
	i=0
	alive=""
	while [ $i -lt 30 ]; do
		alive=""
		for p in "$@"; do
			running "$p" && alive="$alive $p"
		done
		[ -z "$alive" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	for p in $alive; do
		kill -KILL "$p" 2>/dev/null
	done
	rest=""
	for q in $pids; do
		keep=1
		for p in "$@"; do
			[ "$q" = "$p" ] && keep=0
		done
		[ $keep = 1 ] && rest="$rest $q"
	done
	pids=$rest
}

cleanup() {
	[ -n "$pids" ] && stop $pids
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
