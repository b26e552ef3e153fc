#!/bin/sh
# The syscall audit: a timed NTS and symmetric-key server and a timed
# client of both run under strace -ff through the workloads of a real
# deployment (NTS-KE, NTS and MAC-protected polls, every timectl command,
# refusals, reload sources, SIGHUP, an engine restart, a clean stop with
# the drift file, logs and NTS dumps written).  regress/syscall_audit.py
# sorts each process's calls into monitor and engine and checks them
# against the allow-lists compiled into timed (regress/sandbox_list): a
# call off its list fails, a listed call never seen is reported, so a new
# syscall is a conscious change.  A third timed, with no cryptography,
# runs timed-engine-plain through the same workloads without NTS and
# keys, as a client of the server and a server of its own.  ptrace does not change what seccomp
# sees (since Linux 4.8 the filter runs after the tracer's stop).
. "${top_srcdir:-.}/regress/e2e/lib.sh"

for c in strace openssl python3; do
	if ! command -v $c >/dev/null 2>&1; then
		echo "SKIP: no $c command"
		exit 77
	fi
done
LIST=$top_builddir/regress/sandbox_list
"$LIST" engine >"$T/engine.pfc" && "$LIST" monitor >"$T/monitor.pfc" ||
    { not_ok "sandbox_list prints the allow-lists"; finish; }

PORT=$((20000 + ($$ + 43) % 20000))
KEPORT=$((PORT + 1))
PPORT=$((PORT + 2))
PSOCK=$T/plain.sock
SSOCK=$T/server.sock
CSOCK=$T/client.sock
mkdir -m 755 "$T/trace" "$T/sources.d" "$T/log"
mkdir -m 700 "$T/sdump" "$T/cdump"
make_cert "$T/key.pem" "$T/cert.pem"
cat >"$T/timed.keys" <<KEYS
1 SHA1 HEX:0123456789abcdef0123456789abcdef01234567
3 AES128 HEX:000102030405060708090a0b0c0d0e0f
KEYS
chmod 600 "$T/timed.keys"

cat >"$T/server.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.0/8
port $PORT
bindaddress 127.0.0.1
bindaddress 127.0.0.2
bindaddress 127.0.0.3
ntsport $KEPORT
ntsservercert $T/cert.pem
ntsserverkey $T/key.pem
ntsdumpdir $T/sdump
keyfile $T/timed.keys
user nobody
chrootdir $T/empty
bindcmdaddress $SSOCK
CONF
cat >"$T/client.conf" <<CONF
clock virtual offset 0.01
server 127.0.0.1 port $PORT nts ntsport $KEPORT iburst minpoll -2 maxpoll -2
server 127.0.0.2 port $PORT key 1 iburst minpoll -2 maxpoll -2
ntstrustedcerts $T/cert.pem
ntsdumpdir $T/cdump
keyfile $T/timed.keys
driftfile $T/drift
sourcedir $T/sources.d
logdir $T/log
log measurements statistics tracking
makestep 1 3
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $CSOCK
CONF

cat >"$T/plain.conf" <<CONF
clock virtual offset 0.01
server 127.0.0.1 port $PORT iburst minpoll -2 maxpoll -2
driftfile $T/pdrift
logdir $T/log
log measurements statistics tracking
makestep 1 3
allow 127.0.0.0/8
port $PPORT
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $PSOCK
CONF

# traced NAME CONF: a monitor under strace -ff ($T/trace/NAME.PID);
# sets MPID to the monitor, strace's child.
traced() {
	strace -ff -qq -s 64 -o "$T/trace/$1" "$TIMED" -d -f "$2" \
	    >"$T/$1.log" 2>&1 &
	_st=$!
	PIDS="$PIDS $_st"
	wait_for 10 pgrep -P "$_st"
	MPID=$(pgrep -P "$_st" | head -n 1)
	PIDS="$PIDS $MPID"
}
traced server "$T/server.conf"
SPID=$MPID
traced client "$T/client.conf"
CPID=$MPID
traced plain "$T/plain.conf"
PPID_=$MPID
check "the monitors run under strace" test -n "$SPID" -a -n "$CPID" \
    -a -n "$PPID_"

tc() {
	"$T/timectl" -h "$CSOCK" "$@"
}
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$T/timectl" -h "$CSOCK" "$@"
}
both_polled() {
	[ "$(tc -c sources | grep -c '^\^,[*+-],')" -ge 2 ]
}
check "the client selects the NTS and the keyed source" wait_for 40 \
    both_polled

# Every timectl command, plain and -j, as root and as nobody.
for cmd in tracking sources sourcestats activity ntpdata authdata \
    serverstats clients metrics "sources -v" "sourcestats -v"; do
	# shellcheck disable=SC2086
	check "client: timectl $cmd" tc $cmd
	# shellcheck disable=SC2086
	check "server: timectl -j $cmd" "$T/timectl" -h "$SSOCK" -j $cmd
	# shellcheck disable=SC2086
	check "client as nobody: timectl -c $cmd" as_nobody -c $cmd
done
check "waitsync" tc waitsync 1 0 0 0.1
check "makestep" tc makestep
check "makestep 0.5 -1" tc makestep 0.5 -1
check "burst 2/4" tc burst 2/4
check "offline" tc offline
check "online" tc online
check "offline as nobody is refused" sh -c \
    "! setpriv --reuid=nobody --regid=nogroup --clear-groups \
    '$T/timectl' -h '$CSOCK' offline"
echo "server 127.0.0.3 port $PORT key 3 minpoll -2 maxpoll -2" \
    >"$T/sources.d/extra.sources"
check "reload sources adds a source" [ "$(tc reload sources)" = "200 OK" ]
three() {
	[ "$(tc -c sources | wc -l)" = 3 ]
}
check "three sources" wait_for 5 three
check "server: clients" "$T/timectl" -h "$SSOCK" clients

# The plain engine: a client and a server, every timectl command.
ptc() {
	"$T/timectl" -h "$PSOCK" "$@"
}
plain_polled() {
	ptc -c sources | grep -q '^\^,[*+-],127\.0\.0\.1,'
}
check "plain: timed-engine-plain runs" test \
    "$(readlink "/proc/$(engine_of "$PPID_")/exe")" = \
    "$(readlink -f "$top_builddir/timed-engine-plain")"
check "plain: the client selects its source" wait_for 40 plain_polled
for cmd in tracking sources sourcestats activity ntpdata authdata \
    serverstats clients metrics; do
	# shellcheck disable=SC2086
	check "plain: timectl -j $cmd" ptc -j $cmd
done
check "plain: makestep" ptc makestep
check "plain: burst 2/4" ptc burst 2/4
# answers N ARGS...: ntpclient.py ARGS to the plain server gets N answers.
answers() {
	_n=$1
	shift
	python3 "$top_srcdir/regress/ntpclient.py" -w 0.3 "$@" 127.0.0.1 \
	    "$PPORT" | grep -q "\"answers\": $_n,"
}
check "plain: an NTP request is answered" answers 1
check "plain: a request with an extension field is answered" answers 1 -e 64
# 48 bytes of header, key 1 and a 20-byte digest: no keys, no answer
mac="23$(printf ' 00%.0s' $(seq 47)) 00 00 00 01$(printf ' 00%.0s' $(seq 20))"
check "plain: a request with a MAC is dropped" answers 0 -x "$mac"

# SIGHUP: certificates, trusted certificates, keys and logs again.
kill -HUP "$SPID" "$CPID" "$PPID_"
check "SIGHUP: the server reloads its certificate" wait_for 5 grep -q \
    "SIGHUP: 1 NTS server certificate" "$T/server.log"
check "SIGHUP: the client reopens its logs" wait_for 5 grep -q \
    "SIGHUP received: log files reopened" "$T/client.log"

# An engine restart on each side: exec, privilege drop, NTS-KE again.
for m in "$SPID" "$CPID" "$PPID_"; do
	e=$(engine_of "$m")
	kill -KILL "$e"
	check "a new engine under $m" wait_for 10 sh -c \
	    "p=\$(pgrep -P $m); [ -n \"\$p\" ] && [ \"\$p\" != $e ]"
done
nts_polled() {
	tc -c sources | grep -q '^\^,[*+-],127\.0\.0\.1,'
}
check "the client's new engine uses the NTS source again" wait_for 30 \
    nts_polled
check "tracking after the restart" tc tracking
# the drift file is written at the stop once a frequency was applied
freq_set() {
	tc -j tracking | python3 -c '
import json, sys
sys.exit(0 if json.load(sys.stdin)["frequency_ppm"] != 0 else 1)'
}
check "the client's frequency is corrected" wait_for 30 freq_set

kill -TERM "$CPID" "$PPID_"
check "the client stops" wait_for 10 gone "$CPID"
check "the plain timed stops" wait_for 10 gone "$PPID_"
kill -TERM "$SPID"
check "the server stops" wait_for 10 gone "$SPID"
check "the drift file is written" test -s "$T/drift"
check "the plain timed's drift file is written" test -s "$T/pdrift"
check "the client's NTS state is dumped" test -n "$(ls "$T/cdump")"
check "the server's NTS keys are dumped" test -n "$(ls "$T/sdump")"
# strace exits with its tracees
sleep 0.5

for side in server client plain; do
	check "$side: no process killed by seccomp" not_in_log \
	    "$T/$side.log" "signal 31"
	m=$SPID
	[ $side = client ] && m=$CPID
	[ $side = plain ] && m=$PPID_
	out=$(python3 "$top_srcdir/regress/syscall_audit.py" \
	    "$T/engine.pfc" "$T/monitor.pfc" "$m" "$T/trace/$side".*)
	rc=$?
	printf '%s\n' "$out" | sed "s/^/# $side: /"
	check "$side: every call on its process's allow-list" test "$rc" = 0
done

finish
