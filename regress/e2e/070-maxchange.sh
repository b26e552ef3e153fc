#!/bin/sh
# maxchange, as chronyd's: once the source jumps by more than the offset
# allowed, the updates are ignored (logged) `ignore` times, then the whole
# daemon stops with status 1.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

PORT=$((20000 + ($$ + 53) % 20000))
server_conf() {
	cat <<CONF
clock virtual offset $1
local stratum 1
allow 127.0.0.1
port $PORT
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $T/server.sock
CONF
}
server_conf 0 >"$T/s0.conf"
server_conf 5 >"$T/s5.conf"
cat >"$T/client.conf" <<CONF
clock virtual
server 127.0.0.1 port $PORT iburst minpoll -2 maxpoll -2
maxchange 0.5 1 2
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $T/client.sock
CONF

start_timed s0 "$T/s0.conf"
S0=$MPID
start_timed client "$T/client.conf"
CPID=$MPID
synced() {
	"$T/timectl" -n -h "$T/client.sock" sources | grep -q '^\^\* 127\.0\.0\.1 '
}
check "client syncs" wait_for 20 synced
kill -TERM "$S0"
check "first server stops" wait_for 5 gone "$S0"
start_timed s5 "$T/s5.conf"
check "the server now 5 s off answers" wait_for 10 \
    "$T/timectl" -h "$T/server.sock" tracking
check "the client stops on its own" wait_for 30 gone "$CPID"
# still running (the check failed): stopped, so that wait returns
gone "$CPID" || kill -KILL "$CPID"
wait "$CPID"
rc=$?
check "with status 1" test "$rc" = 1
check "it logged the ignored updates" grep -q "maxchange: offset .* ignored" \
    "$T/client.log"
check "and why it stopped" grep -q "gives up (maxchange)" "$T/client.log"
kill -TERM "$MPID"
check "server stops" wait_for 5 gone "$MPID"
finish
