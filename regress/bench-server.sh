#!/bin/sh
# Serving benchmark on loopback: timed and chronyd 4.3 as NTP servers at
# local stratum 1, loaded in turn by regress/ntpload.c with 1 and 16 client
# sockets; prints answers/s, answers per server CPU-second (timed: monitor
# and engine; chronyd: its process and any child), latency and losses, and
# the ratio timed/chronyd of answers per CPU-second.  Neither server may
# touch this machine's clock: both run with -x.  chronyd comes from
# regress/fetch-chrony.sh (or $CHRONYD); without it timed runs alone.
# Stops what it started, by PID.
#   sh regress/bench-server.sh BUILDDIR
# Environment: BENCH_SECONDS (per run, default 5), BENCH_INFLIGHT (requests
# in flight per socket, default 32), BENCH_SOCKETS (default "1 16"),
# BENCH_PORT (first port tried, default 11123), BENCH_ROUNDS (runs of each
# case, alternating servers; the ratio takes each one's best answers per
# CPU-second; default 1), CHRONY_CACHE, CHRONYD.
set -u
B=${1:?usage: bench-server.sh BUILDDIR}
B=$(cd "$B" && pwd) || exit 1
R=$(cd "$(dirname "$0")" && pwd)
secs=${BENCH_SECONDS:-5}
win=${BENCH_INFLIGHT:-32}
counts=${BENCH_SOCKETS:-1 16}
port0=${BENCH_PORT:-11123}
rounds=${BENCH_ROUNDS:-1}
case "$rounds$secs$win$port0" in
*[!0-9.]*)
	echo "bench-server: BENCH_* must be numbers" >&2
	exit 1
	;;
esac
[ "$rounds" -ge 1 ] && [ "$rounds" -le 20 ] || {
	echo "bench-server: BENCH_ROUNDS must be 1 to 20" >&2
	exit 1
}
bestof=""
[ "$rounds" -gt 1 ] && bestof=" (best of $rounds)"
CC=${CC:-cc}

[ -x "$B/timed" ] || { echo "bench-server: no $B/timed: build it first" >&2
    exit 1; }
BENCH=bench-server
. "$R/bench-lib.sh"

"$CC" -O2 -Wall -Wextra -Werror -o "$T/ntpload" "$R/ntpload.c" -lm || {
	say "cannot build ntpload" >&2
	exit 1
}

# A UDP port on 127.0.0.1 that nothing listens on, from $1 up.
free_port() {
	p=$1
	while [ "$p" -lt $(($1 + 50)) ]; do
		if ! command -v ss >/dev/null 2>&1 ||
		    [ -z "$(ss -Hlun "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
		p=$((p + 1))
	done
	echo "$1"
}

# answering PORT: up to 3 one-second runs (a warm-up) until one answers.
answering() {
	n=0
	while [ $n -lt 3 ]; do
		"$T/ntpload" -p "$1" -t 1 -q >/dev/null 2>&1 && return 0
		n=$((n + 1))
	done
	return 1
}

clockcheck() {
	cs=$R/../../shared/bin/clockstate
	[ -x "$cs" ] && command -v python3 >/dev/null 2>&1 || return 0
	"$cs" | sed "s/^/bench-server: clock $1: /"
}

# --- timed
tport=$(free_port "$port0")
cat >"$T/timed.conf" <<CONF
local stratum 1
allow 127.0.0.0/8
port $tport
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $T/timed.sock
CONF
"$B/timed" -d -x -f "$T/timed.conf" >"$T/timed.log" 2>&1 &
tpid=$!
pids="$pids $tpid"
tok=0
eng=""
i=0
while [ $i -lt 50 ]; do
	eng=$(pgrep -P "$tpid" | head -n 1)
	[ -n "$eng" ] && break
	running "$tpid" || break
	sleep 0.1
	i=$((i + 1))
done
if [ -z "$eng" ] || ! running "$tpid"; then
	say "timed did not start:"
	sed 's/^/    /' "$T/timed.log"
else
	pids="$pids $eng"
	tok=1
fi

# --- chronyd
chronyd=${CHRONYD:-}
if [ -z "$chronyd" ]; then
	chronyd=$(sh "$R/fetch-chrony.sh" "${CHRONY_CACHE:-/tmp/timed-chrony}" |
	    tail -n 1)
fi
cok=0
if [ -z "$chronyd" ] || [ ! -x "$chronyd" ]; then
	say "chronyd unavailable: benchmarking timed alone"
else
	cport=$(free_port $((tport + 1)))
	cat >"$T/chrony.conf" <<CONF
local stratum 1
allow 127.0.0.0/8
port $cport
bindaddress 127.0.0.1
cmdport 0
bindcmdaddress /
pidfile $T/chrony/chronyd.pid
CONF
	"$chronyd" -x -d -u nobody -f "$T/chrony.conf" >"$T/chronyd.log" \
	    2>&1 &
	cpid=$!
	pids="$pids $cpid"
	sleep 0.5
	if running "$cpid"; then
		cok=1
	else
		say "chronyd did not start:"
		sed 's/^/    /' "$T/chronyd.log"
	fi
fi

clockcheck before
if [ $tok = 1 ] && ! answering "$tport"; then
	say "timed: no answers (port $tport)"
	tok=0
fi
if [ $cok = 1 ] && ! answering "$cport"; then
	say "chronyd: no answers (port $cport)"
	cok=0
fi

jf() {
	printf '%s\n' "$2" | sed -n "s/.*\"$1\": \([^,}]*\).*/\1/p"
}

row() {
	printf '%-8s %7s %10s %13s %9s %8s %8s %7s\n' "$@"
}

# note NAME SOCKETS TEXT: a row without numbers.
note() {
	printf '%-8s %7s  %s\n' "$@"
}

# measure NAME PORT PID SOCKETS: one run, one row; keeps the best answers
# per CPU-second in r_NAME_SOCKETS.
measure() {
	out=$("$T/ntpload" -s 127.0.0.1 -p "$2" -c "$4" -w "$win" \
	    -t "$secs" -P "$3" -A -j 2>&1)
	rc=$?
	if [ $rc = 2 ]; then
		note "$1" "$4" "no answers"
		return
	elif [ $rc != 0 ]; then
		note "$1" "$4" "error: $out"
		return
	fi
	apc=$(jf answers_per_cpu_s "$out")
	eval "best=\${r_$1_$4:-0}"
	if [ "$apc" != null ] &&
	    awk "BEGIN { exit !($apc > $best) }"; then
		eval "r_$1_$4=\$apc"
	fi
	row "$1" "$4" "$(jf answers_per_s "$out")" "$apc" \
	    "$(jf server_cpu_s "$out")" "$(jf p50_us "$out")" \
	    "$(jf p99_us "$out")" "$(jf lost "$out")"
}

say "$secs s per run, $win requests in flight per socket," \
    "$(getconf _NPROCESSORS_ONLN) CPUs"
row server sockets answers/s answers/CPU-s "CPU s" "p50 us" "p99 us" lost
round=0
while [ $round -lt "$rounds" ]; do
	for c in $counts; do
		if [ $tok = 1 ]; then
			measure timed "$tport" "$tpid" "$c"
		else
			note timed "$c" "no answers"
		fi
		[ $cok = 1 ] && measure chronyd "$cport" "$cpid" "$c"
	done
	round=$((round + 1))
done
if [ $cok = 1 ]; then
	for c in $counts; do
		eval "a=\${r_timed_$c:-}; b=\${r_chronyd_$c:-}"
		if [ -n "$a" ] && [ -n "$b" ] && [ "$b" != null ] &&
		    [ "$a" != null ]; then
			say "timed/chronyd answers per CPU-second$bestof," \
			    "$c sockets: $(awk "BEGIN { printf \"%.2f\", \
			    $a / ($b > 0 ? $b : 1) }")"
		else
			say "timed/chronyd answers per CPU-second$bestof," \
			    "$c sockets: n/a"
		fi
	done
fi
clockcheck after
for p in $tpid ${cpid:-}; do
	running "$p" || say "warning: server $p exited during the run"
done
exit 0
