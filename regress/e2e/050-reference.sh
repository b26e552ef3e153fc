#!/bin/sh
# The reference scenario on loopback: an upstream timed; a server syncing
# from it with iburst, serving everyone, with `local stratum 10`; a client
# syncing from the server.  The upstream stops: the server falls back to
# its local reference at stratum 10 and its client stays synchronised.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

BASE=$((20000 + ($$ + 29) % 20000))

common() {
	cat <<CONF
user nobody
chrootdir $T/empty
bindcmdaddress $T/$1.sock
CONF
}

{ cat <<CONF
clock virtual
local stratum 1
allow 127.0.0.0/8
port $BASE
bindaddress 127.0.0.1
CONF
common up; } >"$T/up.conf"
{ cat <<CONF
clock virtual offset 0.05 frequency 15
server 127.0.0.1 port $BASE iburst minpoll -2 maxpoll -2
makestep 0.01 3
allow 0.0.0.0/0
local stratum 10
port $((BASE + 1))
bindaddress 127.0.0.2
CONF
common srv; } >"$T/srv.conf"
{ cat <<CONF
clock virtual offset -0.04 frequency -10
server 127.0.0.2 port $((BASE + 1)) iburst minpoll -2 maxpoll -2
makestep 0.01 3
port 0
CONF
common cli; } >"$T/cli.conf"

start_timed up "$T/up.conf"
UP=$MPID
start_timed srv "$T/srv.conf"
SRV=$MPID
start_timed cli "$T/cli.conf"
CLI=$MPID

# state NAME EXPR: a Python expression on NAME's tracking JSON holds.
state() {
	"$T/timectl" -h "$T/$1.sock" -j tracking | python3 -c "
import json, sys
t = json.load(sys.stdin)
sys.exit(0 if ($2) else 1)"
}
check "the server syncs from the upstream (stratum 2)" wait_for 60 \
    state srv 't["stratum"] == 2 and abs(t["virtual_true_offset"]) < 1e-4'
check "the client syncs from the server (stratum 3)" wait_for 60 \
    state cli 't["stratum"] == 3 and abs(t["virtual_true_offset"]) < 1e-4'

kill -TERM "$UP"
check "upstream stops" wait_for 5 gone "$UP"
check "the server falls back to local stratum 10 (7F7F0101)" wait_for 15 \
    state srv 't["stratum"] == 10 and t["reference_id"] == "7F7F0101"'
check "the client follows at stratum 11" wait_for 15 \
    state cli 't["stratum"] == 11'
sleep 3
check "the client still selects the server" sh -c \
    "'$T/timectl' -n -h '$T/cli.sock' sources | grep -q '^\^\* 127\.0\.0\.2 '"
check "the client stays within 1 ms of true time" \
    state cli 'abs(t["virtual_true_offset"]) < 1e-3'
check "the server's own error stays within 1 ms" \
    state srv 'abs(t["virtual_true_offset"]) < 1e-3'

kill -TERM "$SRV" "$CLI"
check "server stops" wait_for 5 gone "$SRV"
check "client stops" wait_for 5 gone "$CLI"
for n in up srv cli; do
	check "$n: no engine killed by seccomp" not_in_log "$T/$n.log" "signal 31"
done
finish
