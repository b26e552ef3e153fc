#!/bin/sh
# NTS serving benchmark on loopback: timed and chronyd 4.3 as NTS servers
# (local stratum 1, -x: neither touches this machine's clock), loaded in
# turn by regress/ntsload: NTS-authenticated answers per second and per
# server CPU-second (after one NTS-KE exchange for the keys and cookies),
# then whole NTS-KE exchanges per second and per server CPU-second, from
# one client (one after the other: latency counts) and from several at
# once (the server's capacity).  Server CPU: timed's monitor and engine,
# chronyd's process and its NTS-KE helper.  The NTS-KE exchanges run
# with each certificate key type of BENCH_KE_KEYS in turn: the server's
# signature is much of a handshake, and the two TLS libraries differ most
# there.  chronyd comes from regress/fetch-chrony.sh (or $CHRONYD);
# without it timed runs alone.  Stops what it started, by PID.
#   sh regress/bench-nts.sh BUILDDIR
# Environment: BENCH_SECONDS (per run, default 5), BENCH_INFLIGHT
# (default 32), BENCH_SOCKETS (default 1), BENCH_KE_CLIENTS (NTS-KE
# clients at once, default 4), BENCH_KE_KEYS (default "p256 rsa2048"),
# BENCH_ROUNDS (default 3), BENCH_PORT (default 11423).
set -u
B=${1:?usage: bench-nts.sh BUILDDIR}
B=$(cd "$B" && pwd) || exit 1
R=$(cd "$(dirname "$0")" && pwd)
secs=${BENCH_SECONDS:-5}
win=${BENCH_INFLIGHT:-32}
socks=${BENCH_SOCKETS:-1}
kec=${BENCH_KE_CLIENTS:-4}
rounds=${BENCH_ROUNDS:-3}
port=${BENCH_PORT:-11423}
keys=${BENCH_KE_KEYS:-p256 rsa2048}
for k in $keys; do
	case $k in
	p256|rsa2048) ;;
	*)	echo "bench-nts: BENCH_KE_KEYS: p256 or rsa2048, not $k" >&2
		exit 1
		;;
	esac
done
case "$secs$win$socks$kec$rounds$port" in
*[!0-9]*)
	echo "bench-nts: BENCH_* must be whole numbers" >&2
	exit 1
	;;
esac

[ -x "$B/timed" ] && [ -x "$B/regress/ntsload" ] ||
    { echo "bench-nts: build timed and regress/ntsload first (make bench)" >&2
    exit 1; }
BENCH=bench-nts
. "$R/bench-lib.sh"
command -v openssl >/dev/null 2>&1 || { say "no openssl command" >&2; exit 1; }

for k in $keys; do
	case $k in
	p256)	new="ec -pkeyopt ec_paramgen_curve:P-256" ;;
	rsa2048) new="rsa:2048" ;;
	esac
	# shellcheck disable=SC2086
	openssl req -x509 -newkey $new -nodes -subj /CN=localhost \
	    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -days 2 \
	    -keyout "$T/$k.key" -out "$T/$k.pem" 2>/dev/null || exit 1
	chmod 644 "$T/$k.key"	# chronyd's helper reads it as nobody
done

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

# best FILE VALUE...: keep in FILE, field by field, the larger value.
best() {
	f=$1
	shift
	if [ -s "$f" ]; then
		echo "$* $(cat "$f")" | awk '{ n = NF / 2
		    for (i = 1; i <= n; i++)
			printf "%s%s", ($i > $(i + n) ? $i : $(i + n)),
			    (i < n ? " " : "\n") }' >"$f.new" && mv "$f.new" "$f"
	else
		echo "$*" >"$f"
	fi
}

# load NAME NTPPORT KEPORT PIDS KEY: one round.  The best figures so far
# go to $T/NAME.KEY.best (NTS answers /s and /CPU-s, with the first key
# only, else 0 0; NTS-KE from 1 client /s and /CPU-s, from N clients /s
# and /CPU-s), the round's lost requests to $T/NAME.lost.
load() {
	nv="0 0"
	if [ "$5" = "$first" ]; then
		n=$("$B/regress/ntsload" -p "$2" -k "$3" -c "$socks" \
		    -w "$win" -t "$secs" -P "$4")
		echo "$n" | awk '{ print $4 }' >"$T/$1.lost"
		nv=$(echo "$n" | awk '{ print $8, $12 }')
	fi
	h1=$("$B/regress/ntsload" -k "$3" -H -t "$secs" -P "$4")
	hn=$("$B/regress/ntsload" -k "$3" -H -c "$kec" -t "$secs" -P "$4")
	best "$T/$1.$5.best" $nv $(echo "$h1" | awk '{ print $8, $12 }') \
	    $(echo "$hn" | awk '{ print $8, $12 }')
}

# serving NAME KEPORT: NAME joins $servers if it answers NTS-KE.
serving() {
	if up "$2"; then
		servers="$servers $1"
	else
		say "$1 does not answer NTS-KE" >&2
		sed "s/^/bench-nts: $1: /" "$T/$1.log" >&2
	fi
}

# start KEY: timed and chronyd (if there is one) with that certificate;
# $servers: the ones that answer NTS-KE.
start() {
	cat >"$T/timed.conf" <<CONF
local stratum 1
allow 127.0.0.0/8
port $port
bindaddress 127.0.0.1
ntsport $((port + 1))
ntsservercert $T/$1.pem
ntsserverkey $T/$1.key
user nobody
chrootdir $T/empty
bindcmdaddress $T/timed.sock
CONF
	"$B/timed" -d -x -f "$T/timed.conf" >"$T/timed.log" 2>&1 &
	tpid=$!
	pids="$pids $tpid"
	servers=""
	serving timed $((port + 1))

	if [ -x "$chronyd" ]; then
		cat >"$T/chrony.conf" <<CONF
local stratum 1
allow 127.0.0.0/8
port $cport
bindaddress 127.0.0.1
ntsport $((cport + 1))
ntsservercert $T/$1.pem
ntsserverkey $T/$1.key
ntsdumpdir $T/chrony
cmdport 0
bindcmdaddress $T/chrony/chronyd.sock
pidfile $T/chrony/chronyd.pid
CONF
		"$chronyd" -x -d -u nobody -f "$T/chrony.conf" >"$T/chronyd.log" 2>&1 &
		cpid=$!
		pids="$pids $cpid"
		serving chronyd $((cport + 1))
	fi
}

chronyd=${CHRONYD:-}
if [ -z "$chronyd" ]; then
	chronyd=$(sh "$R/fetch-chrony.sh" \
	    "${CHRONY_CACHE:-/var/tmp/timed-chrony}" 2>/dev/null | tail -n 1)
fi
[ -x "$chronyd" ] || say "no chronyd: timed alone"
cport=$((port + 2))
cpid=""
first=${keys%% *}

# Rounds in turn, so that both servers see the same machine (its speed
# drifts by tens of percent over minutes here); the best of each figure.
echo "bench-nts: NTS: $socks socket(s), $win in flight each;" \
    "NTS-KE: 1 client, then $kec at once, with each certificate" \
    "($keys); $secs s per run, best of $rounds rounds"
for k in $keys; do
	start "$k"
	r=0
	while [ $r -lt "$rounds" ]; do
		for s in $servers; do
			case $s in
			timed)	load timed $port $((port + 1)) \
			    "$(family $tpid)" "$k" ;;
			chronyd) load chronyd $cport $((cport + 1)) \
			    "$(family $cpid)" "$k" ;;
			esac
		done
		r=$((r + 1))
	done
	stop $tpid $cpid
done

row() {
	printf '%-8s %9s %9s %5s %8s %9s %8s %9s  %s\n' "$@" | sed 's/ *$//'
}
row "" NTS NTS "" NTS-KE NTS-KE NTS-KE NTS-KE ""
row server "ans/s" "ans/CPU-s" lost "1 cl./s" "/CPU-s" "$kec cl./s" \
    "/CPU-s" certificate
for k in $keys; do
	for s in $servers; do
		set -- $(cat "$T/$s.$k.best")
		if [ "$k" = "$first" ]; then
			row "$s" "$1" "$2" "$(cat "$T/$s.lost")" "$3" "$4" \
			    "$5" "$6" "$k"
		else
			row "$s" - - - "$3" "$4" "$5" "$6" "$k"
		fi
	done
done
for k in $keys; do
	[ -s "$T/timed.$k.best" ] && [ -s "$T/chronyd.$k.best" ] || continue
	echo "$(cat "$T/timed.$k.best") $(cat "$T/chronyd.$k.best")" |
	    awk -v n="$kec" -v k="$k" -v first="$first" '{
		if (k == first)
			printf "timed/chronyd: NTS answers %.2f per CPU-second\n", $2 / $8
		printf "timed/chronyd: NTS-KE (%s), 1 client: %.2f per second, %.2f per CPU-second\n", k, $3 / $9, $4 / $10
		printf "timed/chronyd: NTS-KE (%s), %d clients: %.2f per second, %.2f per CPU-second\n", k, n, $5 / $11, $6 / $12
	    }'
done
exit 0
