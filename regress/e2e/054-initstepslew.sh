#!/bin/sh
# initstepslew, through the monitor: its hosts (port 123, as chronyd's)
# alone first, then one correction, then the configured sources.  A
# client 1000 s ahead with "initstepslew 30 HOST" is stepped by the
# monitor although no makestep is configured, logs chronyd's message,
# drops HOST and syncs from its configured server, and an engine started
# again after a crash does not repeat it; one 0.5 s behind is slewed;
# one whose host is silent gives up and is never stepped.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

BASE=$((20000 + ($$ + 41) % 20000))
# a loopback address of our own for port 123 (initstepslew has no port)
HOST=127.54.$(($$ % 250 + 1)).$((($$ / 250) % 250 + 1))
if ! python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 123))' "$HOST" 2>/dev/null; then
	echo "SKIP: cannot bind $HOST port 123 (something holds port 123)"
	exit 77
fi

cat >"$T/h.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.0/8
port 123
bindaddress $HOST
user nobody
chrootdir $T/empty
bindcmdaddress $T/h.sock
CONF
start_timed h "$T/h.conf"

cat >"$T/up.conf" <<CONF
clock virtual
local stratum 2
allow 127.0.0.0/8
port $BASE
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $T/up.sock
CONF
start_timed up "$T/up.conf"

# client CONF_NAME OFFSET HOST: a client whose clock is OFFSET s ahead
client() {
	cat >"$T/$1.conf" <<CONF
clock virtual offset $2
initstepslew 30 $3
server 127.0.0.1 port $BASE iburst minpoll -2 maxpoll -2
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $T/$1.sock
CONF
	start_timed "$1" "$T/$1.conf"
}
client ahead 1000 "$HOST"
AHEAD=$MPID
client behind -0.5 "$HOST"
client silent 0.2 127.54.0.254

tr_num() {
	"$T/timectl" -h "$T/$1.sock" -j tracking | python3 -c '
import json, sys
v = json.load(sys.stdin)[sys.argv[1]]
print(v if v is not None else "nan")' "$2"
}
below() {
	awk -v a="$1" -v b="$2" \
	    'BEGIN { exit !(a == a + 0 && (a < 0 ? -a : a) < b) }'
}
K='\(999\.9\|1000\.0\)'		# 1000 s, up to the server's noise
stepped() {
	grep -q "System's initial offset : $K[0-9]* seconds fast of true (step)" \
	    "$T/ahead.log"
}
check "1000 s ahead: chronyd's message, a step" wait_for 30 stepped
check "the monitor stepped the clock without makestep" \
    grep -q "clock stepped by -$K" "$T/ahead.log"
near() {
	below "$(tr_num ahead virtual_true_offset)" 0.01
}
check "1000 s ahead: within 10 ms of true" wait_for 10 near
moved() {
	_s=$("$T/timectl" -n -h "$T/ahead.sock" sources)
	contains "$_s" "127\.0\.0\.1" && ! contains "$_s" "$HOST"
}
check "then the host is dropped and the configured server polled" \
    wait_for 10 moved
synced() {
	"$T/timectl" -n -h "$T/ahead.sock" sources | grep -q "^\^\* 127\.0\.0\.1"
}
check "and selected" wait_for 20 synced

# an engine killed and started again does not take the hosts again: the
# monitor's state says the clock was corrected already
EPID=$(engine_of "$AHEAD")
kill -KILL "$EPID"
skipped() {
	grep -q "initstepslew: the clock was corrected already; skipped" \
	    "$T/ahead.log"
}
check "a new engine skips initstepslew" wait_for 20 skipped
check "and makes one step in all" \
    [ "$(grep -c "clock stepped by" "$T/ahead.log")" = 1 ]
check "and selects its server again" wait_for 20 synced

slewed() {
	grep -q "System's initial offset : 0\.[0-9]* seconds slow of true (slew)" \
	    "$T/behind.log"
}
check "0.5 s behind: a slew" wait_for 30 slewed
check "0.5 s behind: no step" not_in_log "$T/behind.log" "clock stepped"

# the silent host: its burst goes on, 2 s apart; once its seventh
# request is out (12 s) it cannot give three samples in eight polls; the
# configured server's samples never step (no makestep)
gave_up() {
	grep -q "No suitable source for initstepslew" "$T/silent.log"
}
check "a silent host: given up" wait_for 120 gave_up
check "a silent host: the clock never stepped" \
    not_in_log "$T/silent.log" "clock stepped"
finish
