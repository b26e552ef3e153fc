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
# BENCH_ROUNDS (default 5), BENCH_PORT (default 11423).
set -u
B=${1:?usage: bench-nts.sh BUILDDIR}
B=$(cd "$B" && pwd) || exit 1
R=$(cd "$(dirname "$0")" && pwd)
secs=${BENCH_SECONDS:-5}
win=${BENCH_INFLIGHT:-32}
socks=${BENCH_SOCKETS:-1}
kec=${BENCH_KE_CLIENTS:-4}
rounds=${BENCH_ROUNDS:-5}
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

# measure NAME WHAT NTPPORT KEPORT PIDS: one run of WHAT against NAME,
# appended to $T/NAME.$k.WHAT as "per-second per-CPU-second": nts (NTS
# answers; the lost requests go to $T/NAME.lost), ke1 (NTS-KE exchanges
# from one client), keN (from $kec at once).
measure() {
	case $2 in
	nts)	n=$("$B/regress/ntsload" -p "$3" -k "$4" -c "$socks" \
		    -w "$win" -t "$secs" -P "$5")
		echo "$n" | awk '{ print $4 }' >"$T/$1.lost" ;;
	ke1)	n=$("$B/regress/ntsload" -k "$4" -H -t "$secs" -P "$5") ;;
	keN)	n=$("$B/regress/ntsload" -k "$4" -H -c "$kec" -t "$secs" \
		    -P "$5") ;;
	esac
	echo "$n" | awk '{ print $8, $12 }' >>"$T/$1.$k.$2"
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

# The machine's speed drifts by tens of percent over minutes here.  So
# each figure is taken from both servers back to back, in turn, first
# timed then chronyd, then the other way round in the next round; each
# round gives a ratio, and the ratios' median is the comparison.  The
# table shows each server's best run.
echo "bench-nts: NTS: $socks socket(s), $win in flight each;" \
    "NTS-KE: 1 client, then $kec at once, with each certificate" \
    "($keys); $secs s per run, $rounds rounds"
for k in $keys; do
	start "$k"
	order=$servers
	r=0
	while [ $r -lt "$rounds" ]; do
		for m in nts ke1 keN; do
			[ $m = nts ] && [ "$k" != "$first" ] && continue
			for s in $order; do
				case $s in
				timed)	measure timed $m $port $((port + 1)) \
				    "$(family $tpid)" ;;
				chronyd) measure chronyd $m $cport \
				    $((cport + 1)) "$(family $cpid)" ;;
				esac
			done
		done
		order=$(echo "$order" | awk '{ for (i = NF; i > 0; i--)
		    printf "%s%s", $i, (i > 1 ? " " : "\n") }')
		r=$((r + 1))
	done
	stop $tpid $cpid
done

# best FILE: the best per-second and per-CPU-second figures of FILE's runs.
best() {
	awk '$1 > s { s = $1 } $2 > c { c = $2 } END { print s + 0, c + 0 }' "$1"
}

# ratios A B: the median of the rounds' ratios A/B, per second and per
# CPU-second, each with its lowest and highest.
ratios() {
	paste -d ' ' "$1" "$2" | awk '$3 > 0 && $4 > 0 {
	    n++; s[n] = $1 / $3; c[n] = $2 / $4 }
	function med(a, n,  i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	END {
		if (n == 0)
			exit 1
		ms = med(s, n); mc = med(c, n)
		printf "%.2f per second (%.2f-%.2f), %.2f per CPU-second (%.2f-%.2f)\n",
		    ms, s[1], s[n], mc, c[1], c[n]
	}'
}

row() {
	printf '%-8s %9s %9s %5s %8s %9s %8s %9s  %s\n' "$@" | sed 's/ *$//'
}
row "" NTS NTS "" NTS-KE NTS-KE NTS-KE NTS-KE ""
row server "ans/s" "ans/CPU-s" lost "1 cl./s" "/CPU-s" "$kec cl./s" \
    "/CPU-s" certificate
for k in $keys; do
	for s in $servers; do
		if [ "$k" = "$first" ]; then
			set -- $(best "$T/$s.$k.nts") $(best "$T/$s.$k.ke1") \
			    $(best "$T/$s.$k.keN")
			row "$s" "$1" "$2" "$(cat "$T/$s.lost")" "$3" "$4" \
			    "$5" "$6" "$k"
		else
			set -- $(best "$T/$s.$k.ke1") $(best "$T/$s.$k.keN")
			row "$s" - - - "$1" "$2" "$3" "$4" "$k"
		fi
	done
done
[ -s "$T/timed.$first.ke1" ] && [ -s "$T/chronyd.$first.ke1" ] || exit 0
echo "timed/chronyd, the median of $rounds rounds (lowest-highest):"
for k in $keys; do
	if [ "$k" = "$first" ]; then
		echo "  NTS answers: $(ratios "$T/timed.$k.nts" \
		    "$T/chronyd.$k.nts")"
	fi
	echo "  NTS-KE ($k), 1 client: $(ratios "$T/timed.$k.ke1" \
	    "$T/chronyd.$k.ke1")"
	echo "  NTS-KE ($k), $kec clients: $(ratios "$T/timed.$k.keN" \
	    "$T/chronyd.$k.keN")"
done
exit 0
