#!/bin/sh
# NTS serving benchmark on loopback: timed and chronyd 4.3 as NTS servers
# (local stratum 1, -x: neither touches this machine's clock), loaded in
# turn by regress/ntsload: NTS-authenticated answers per server
# CPU-second (after one NTS-KE exchange for the keys and cookies), then
# NTS-KE handshakes per server CPU-second (timed: monitor and engine;
# chronyd: its process and its NTS-KE helper).  chronyd comes from
# regress/fetch-chrony.sh (or $CHRONYD); without it timed runs alone.
# Stops what it started, by PID.
#   sh regress/bench-nts.sh BUILDDIR
# Environment: BENCH_SECONDS (per run, default 5), BENCH_INFLIGHT
# (default 32), BENCH_SOCKETS (default 1), BENCH_PORT (default 11423).
set -u
B=${1:?usage: bench-nts.sh BUILDDIR}
B=$(cd "$B" && pwd) || exit 1
R=$(cd "$(dirname "$0")" && pwd)
secs=${BENCH_SECONDS:-5}
win=${BENCH_INFLIGHT:-32}
socks=${BENCH_SOCKETS:-1}
port=${BENCH_PORT:-11423}
case "$secs$win$socks$port" in
*[!0-9]*)
	echo "bench-nts: BENCH_* must be whole numbers" >&2
	exit 1
	;;
esac

say() {
	echo "bench-nts: $*"
}

[ -x "$B/timed" ] && [ -x "$B/regress/ntsload" ] ||
    { say "build timed and regress/ntsload first (make bench)" >&2; exit 1; }
if [ "$(id -u)" != 0 ]; then
	say "timed's monitor needs root" >&2
	exit 1
fi
command -v openssl >/dev/null 2>&1 || { say "no openssl command" >&2; exit 1; }

T=$(mktemp -d /tmp/timed-bench-nts.XXXXXX) || exit 1
chmod 755 "$T"
mkdir -m 755 "$T/empty" "$T/chrony"
chown nobody "$T/chrony"
pids=""

running() {
	[ -r "/proc/$1/stat" ] &&
	    [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat")" != Z ]
}

cleanup() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null
	done
	i=0
	while [ $i -lt 30 ]; do
		alive=""
		for p in $pids; do
			running "$p" && alive="$alive $p"
		done
		[ -z "$alive" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	for p in $alive; do
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -days 2 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || exit 1
chmod 644 "$T/key.pem"	# chronyd's helper reads it as nobody

# family PID: the PID and its children, comma-separated.
family() {
	echo "$1$(pgrep -P "$1" | sed 's/^/,/' | tr -d '\n')"
}

# up KEPORT: until an NTS-KE exchange works (10 s).
up() {
	i=0
	while [ $i -lt 50 ]; do
		"$B/regress/ntsload" -k "$1" -H -t 1 >/dev/null 2>&1 &&
		    return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# load NAME NTPPORT KEPORT PIDS
load() {
	n=$("$B/regress/ntsload" -p "$2" -k "$3" -c "$socks" -w "$win" \
	    -t "$secs" -P "$4")
	h=$("$B/regress/ntsload" -k "$3" -H -t "$secs" -P "$4")
	printf '%-8s %10s %14s %6s %12s %16s\n' "$1" \
	    "$(echo "$n" | awk '{ print $8 }')" \
	    "$(echo "$n" | awk '{ print $12 }')" \
	    "$(echo "$n" | awk '{ print $4 }')" \
	    "$(echo "$h" | awk '{ print $8 }')" \
	    "$(echo "$h" | awk '{ print $12 }')"
	echo "$n" | awk '{ print $12 }' >"$T/$1.nts"
	echo "$h" | awk '{ print $12 }' >"$T/$1.ke"
}

printf '%-8s %10s %14s %6s %12s %16s\n' server "NTS ans/s" "ans/CPU-s" \
    lost "NTS-KE/s" "NTS-KE/CPU-s"

cat >"$T/timed.conf" <<CONF
local stratum 1
allow 127.0.0.0/8
port $port
bindaddress 127.0.0.1
ntsport $((port + 1))
ntsservercert $T/cert.pem
ntsserverkey $T/key.pem
user nobody
chrootdir $T/empty
bindcmdaddress $T/timed.sock
CONF
"$B/timed" -d -x -f "$T/timed.conf" >"$T/timed.log" 2>&1 &
tpid=$!
pids="$pids $tpid"
if up $((port + 1)); then
	load timed $port $((port + 1)) "$(family $tpid)"
else
	say "timed does not answer NTS-KE" >&2
	sed 's/^/bench-nts: timed: /' "$T/timed.log" >&2
fi
kill -TERM "$tpid" 2>/dev/null

chronyd=${CHRONYD:-}
if [ -z "$chronyd" ]; then
	chronyd=$(sh "$R/fetch-chrony.sh" "${CHRONY_CACHE:-/var/tmp/timed-chrony}" 2>/dev/null |
	    tail -n 1)
fi
if [ -x "$chronyd" ]; then
	cport=$((port + 2))
	cat >"$T/chrony.conf" <<CONF
local stratum 1
allow 127.0.0.0/8
port $cport
bindaddress 127.0.0.1
ntsport $((cport + 1))
ntsservercert $T/cert.pem
ntsserverkey $T/key.pem
ntsdumpdir $T/chrony
cmdport 0
bindcmdaddress $T/chrony/chronyd.sock
pidfile $T/chrony/chronyd.pid
CONF
	"$chronyd" -x -d -u nobody -f "$T/chrony.conf" >"$T/chronyd.log" 2>&1 &
	cpid=$!
	pids="$pids $cpid"
	if up $((cport + 1)); then
		load chronyd $cport $((cport + 1)) "$(family $cpid)"
	else
		say "chronyd does not answer NTS-KE" >&2
		sed 's/^/bench-nts: chronyd: /' "$T/chronyd.log" >&2
	fi
else
	say "no chronyd: timed alone"
fi
if [ -s "$T/timed.nts" ] && [ -s "$T/chronyd.nts" ]; then
	awk -v a="$(cat "$T/timed.nts")" -v b="$(cat "$T/chronyd.nts")" \
	    -v c="$(cat "$T/timed.ke")" -v d="$(cat "$T/chronyd.ke")" \
	    'BEGIN { printf "timed/chronyd per CPU-second: NTS answers %.2f, NTS-KE %.2f\n", a / b, c / d }'
fi
exit 0
