#!/bin/sh
# Memory footprint on loopback: timed and chronyd 4.3 (both -x: neither
# touches this machine's clock) in three roles, measured from
# /proc/PID/smaps_rollup of every process of the daemon (timed: monitor
# and engine; chronyd: its process and its NTS-KE helper, if any):
#   client  a client of 3 local servers (timed servers on 127.0.0.11-13,
#           not counted), after BENCH_CLIENT_WAIT seconds (default 20);
#   server  serving, after one request from each of BENCH_CLIENTS
#           (default 10000) distinct addresses of 127.0.0.0/8
#           (regress/ntpsources.py);
#   nts     an NTS server (P-256 certificate), after BENCH_HANDSHAKES
#           (default 1000) NTS-KE handshakes (regress/ntsload -H) and 2 s.
# PSS (proportional set size: a page shared by N processes counts 1/N in
# each), private (clean + dirty) and dirty (Private_Dirty: the heap,
# stacks and the libraries' relocated data, memory no other process can
# share or the kernel drop) memory, per process and summed over the
# daemon's processes.  Summing PSS counts the pages the daemon's
# processes share with each other (the executable, the libraries) once.
# A library's code is clean and file-backed: here it is private when no
# other process maps that library (chronyd's GnuTLS, timed's OpenSSL on
# a quiet machine), shared on a host where others use it.
# chronyd comes from regress/fetch-chrony.sh (or $CHRONYD); without it
# timed is measured alone.  Stops what it started, by PID.
#   sh regress/bench-mem.sh BUILDDIR
# Environment: BENCH_PORT (default 11523), BENCH_CLIENTS,
# BENCH_HANDSHAKES, BENCH_CLIENT_WAIT, CHRONY_CACHE, CHRONYD.
set -u
B=${1:?usage: bench-mem.sh BUILDDIR}
B=$(cd "$B" && pwd) || exit 1
R=$(cd "$(dirname "$0")" && pwd)
port=${BENCH_PORT:-11523}
nclients=${BENCH_CLIENTS:-10000}
nke=${BENCH_HANDSHAKES:-1000}
cwait=${BENCH_CLIENT_WAIT:-20}
case "$port$nclients$nke$cwait" in
*[!0-9]*)
	echo "bench-mem: BENCH_* must be whole numbers" >&2
	exit 1
	;;
esac
[ "$nclients" -le 1000000 ] && [ "$nke" -le 100000 ] &&
    [ "$cwait" -le 600 ] || {
	echo "bench-mem: BENCH_CLIENTS <= 1000000, BENCH_HANDSHAKES <=" \
	    "100000, BENCH_CLIENT_WAIT <= 600" >&2
	exit 1
}
[ -x "$B/timed" ] && [ -x "$B/regress/ntsload" ] ||
    { echo "bench-mem: build timed and regress/ntsload first (make bench)" >&2
    exit 1; }
BENCH=bench-mem
. "$R/bench-lib.sh"
# A file's pages not yet written back count as dirty in every process
# that maps them: a freshly built timed would look 300 kB bigger.
sync
command -v python3 >/dev/null 2>&1 || { say "no python3" >&2; exit 1; }
command -v openssl >/dev/null 2>&1 || { say "no openssl command" >&2; exit 1; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -days 2 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || exit 1
chmod 644 "$T/key.pem"	# chronyd's helper reads it as nobody

chronyd=${CHRONYD:-}
if [ -z "$chronyd" ]; then
	chronyd=$(sh "$R/fetch-chrony.sh" \
	    "${CHRONY_CACHE:-/var/tmp/timed-chrony}" 2>/dev/null | tail -n 1)
fi
[ -x "$chronyd" ] || say "no chronyd: timed alone"

# family PID: the PID and its children.
family() {
	echo "$1 $(pgrep -P "$1" | tr '\n' ' ')"
}

# children PID: until PID has a child (timed's engine), up to 5 s.
children() {
	i=0
	while [ $i -lt 50 ] && running "$1"; do
		[ -n "$(pgrep -P "$1")" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# timed_up NAME CONF: start timed -x with CONF; its PID in $upid.
timed_up() {
	"$B/timed" -d -x -f "$2" >"$T/$1.log" 2>&1 &
	upid=$!
	pids="$pids $upid"
	children "$upid" || { say "$1 did not start:"; sed 's/^/    /' \
	    "$T/$1.log"; return 1; }
	pids="$pids $(pgrep -P "$upid" | tr '\n' ' ')"
}

# chronyd_up NAME CONF: start chronyd -x with CONF; its PID in $upid.
chronyd_up() {
	"$chronyd" -x -d -u nobody -f "$2" >"$T/$1.log" 2>&1 &
	upid=$!
	pids="$pids $upid"
	sleep 0.5
	running "$upid" || { say "$1 did not start:"; sed 's/^/    /' \
	    "$T/$1.log"; return 1; }
	pids="$pids $(pgrep -P "$upid" | tr '\n' ' ')"
}

row() {
	printf '%-7s %-8s %-22s %7s %8s %6s\n' "$@"
}

# measure ROLE DAEMON PID...: one line per process and one summed, into
# $T/rows; the sum also into $T/sum.ROLE.DAEMON.
measure() {
	role=$1 d=$2
	shift 2
	tp=0 tv=0 tw=0
	for p in "$@"; do
		running "$p" || continue
		set -- $(awk '/^Pss:/ { s = $2 } /^Private_(Clean|Dirty):/ {
		    v += $2 } /^Private_Dirty:/ { w = $2 }
		    END { print s + 0, v + 0, w + 0 }' "/proc/$p/smaps_rollup")
		row "$role" "$d" "$(ps -o args= -p "$p" | sed "s|^[^ ]*/||" | cut -c 1-22)" \
		    "$1" "$2" "$3" >>"$T/rows"
		tp=$((tp + $1))
		tv=$((tv + $2))
		tw=$((tw + $3))
	done
	row "$role" "$d" "sum" "$tp" "$tv" "$tw" >>"$T/rows"
	echo "$tp $tv $tw" >"$T/sum.$role.$d"
}

# server_conf FILE PORT [NTSPORT]: local stratum 1 on 127.0.0.1.
server_conf() {
	cat >"$1" <<CONF
local stratum 1
allow 127.0.0.0/8
port $2
bindaddress 127.0.0.1
CONF
	if [ $# -gt 2 ]; then
		cat >>"$1" <<CONF
ntsport $3
ntsservercert $T/cert.pem
ntsserverkey $T/key.pem
CONF
	fi
}

timed_conf() {
	cat >>"$1" <<CONF
user nobody
chrootdir $T/empty
bindcmdaddress $T/$2.sock
CONF
}

chrony_conf() {
	cat >>"$1" <<CONF
cmdport 0
bindcmdaddress $T/chrony/$2.sock
pidfile $T/chrony/$2.pid
CONF
}

# --- client: 3 timed servers, then timed and chronyd as their client
up=""
for n in 11 12 13; do
	cat >"$T/up$n.conf" <<CONF
local stratum 1
allow 127.0.0.0/8
port $port
bindaddress 127.0.0.$n
CONF
	timed_conf "$T/up$n.conf" "up$n"
	timed_up "up$n" "$T/up$n.conf" && up="$up $(family "$upid")"
done
client_conf() {
	for n in 11 12 13; do
		echo "server 127.0.0.$n port $port iburst minpoll 4 maxpoll 6"
	done >"$1"
	echo "port 0" >>"$1"
}
client_conf "$T/tc.conf"
timed_conf "$T/tc.conf" tc
timed_up timed-client "$T/tc.conf" && tc=$upid || tc=""
cc=""
if [ -x "$chronyd" ]; then
	client_conf "$T/cc.conf"
	chrony_conf "$T/cc.conf" cc
	chronyd_up chronyd-client "$T/cc.conf" && cc=$upid
fi
say "client: waiting ${cwait} s for the samples of 3 servers"
sleep "$cwait"
[ -n "$tc" ] && measure client timed $(family "$tc")
[ -n "$cc" ] && measure client chronyd $(family "$cc")
# shellcheck disable=SC2086
stop $tc $cc $up

# --- server: one request from each of $nclients addresses
server_conf "$T/ts.conf" "$((port + 1))"
timed_conf "$T/ts.conf" ts
timed_up timed-server "$T/ts.conf" && ts=$upid || ts=""
cs=""
if [ -x "$chronyd" ]; then
	server_conf "$T/cs.conf" "$((port + 2))"
	chrony_conf "$T/cs.conf" cs
	chronyd_up chronyd-server "$T/cs.conf" && cs=$upid
fi
sleep 1
for d in timed chronyd; do
	case $d in
	timed)	p=$ts; np=$((port + 1)) ;;
	chronyd) p=$cs; np=$((port + 2)) ;;
	esac
	[ -n "$p" ] || continue
	say "server: $d: $(python3 "$R/ntpsources.py" -n "$nclients" \
	    127.0.0.1 "$np")"
	measure server $d $(family "$p")
done
# shellcheck disable=SC2086
stop $ts $cs

# --- nts: $nke NTS-KE handshakes
server_conf "$T/tn.conf" "$((port + 3))" "$((port + 4))"
timed_conf "$T/tn.conf" tn
timed_up timed-nts "$T/tn.conf" && tn=$upid || tn=""
cn=""
if [ -x "$chronyd" ]; then
	server_conf "$T/cn.conf" "$((port + 5))" "$((port + 6))"
	echo "ntsdumpdir $T/chrony" >>"$T/cn.conf"
	chrony_conf "$T/cn.conf" cn
	chronyd_up chronyd-nts "$T/cn.conf" && cn=$upid
fi
# handshakes KEPORT: $nke NTS-KE exchanges (in runs of 1 s from 2
# clients, up to 60 runs); prints how many.
handshakes() {
	done=0 runs=0
	while [ "$done" -lt "$nke" ] && [ $runs -lt 60 ]; do
		n=$("$B/regress/ntsload" -k "$1" -H -c 2 -t 1 2>/dev/null |
		    awk '{ print $2 + 0 }')
		done=$((done + ${n:-0}))
		runs=$((runs + 1))
	done
	echo "$done"
}
for d in timed chronyd; do
	case $d in
	timed)	p=$tn; kp=$((port + 4)) ;;
	chronyd) p=$cn; kp=$((port + 6)) ;;
	esac
	[ -n "$p" ] || continue
	say "nts: $d: $(handshakes "$kp") NTS-KE handshakes"
	# what stays after the burst (timed trims its heap 1 s after it)
	sleep 2
	measure nts $d $(family "$p")
done
# shellcheck disable=SC2086
stop $tn $cn

echo "bench-mem: memory in kB from /proc/PID/smaps_rollup: PSS, private" \
    "(clean + dirty), dirty (Private_Dirty)"
row role daemon process PSS private dirty
cat "$T/rows"
# The summary: MB, timed and chronyd side by side.
mb() {
	[ -s "$1" ] || { echo "-"; return; }
	awk '{ printf "%.2f / %.2f / %.2f", $1 / 1024, $2 / 1024, $3 / 1024 }' \
	    "$1"
}
echo "bench-mem: summed over each daemon's processes," \
    "PSS / private / dirty in MB"
printf '%-8s %-20s %-20s\n' role timed chronyd
for r in client server nts; do
	printf '%-8s %-20s %-20s\n' "$r" "$(mb "$T/sum.$r.timed")" \
	    "$(mb "$T/sum.$r.chronyd")"
done
exit 0
