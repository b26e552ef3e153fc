#!/bin/sh
# Hold-over: a server without a local reference whose only upstream goes
# silent keeps serving its last estimate, synchronised (leap 0, stratum
# 2), its root dispersion growing with the time since the last sample,
# as chronyd does; it does not answer "unsynchronised" (leap 3) after 8
# missed polls, which made every client drop it during short outages.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

BASE=$((20000 + ($$ + 31) % 20000))

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
allow 127.0.0.0/8
port $((BASE + 1))
bindaddress 127.0.0.2
CONF
common srv; } >"$T/srv.conf"

start_timed up "$T/up.conf"
UP=$MPID
start_timed srv "$T/srv.conf"
SRV=$MPID

# state EXPR: a Python expression on the server's tracking JSON holds.
state() {
	"$T/timectl" -h "$T/srv.sock" -j tracking | python3 -c "
import json, sys
t = json.load(sys.stdin)
sys.exit(0 if ($1) else 1)"
}
# ask FILE: one NTP answer of the server, as JSON.
ask() {
	python3 "$top_srcdir/regress/ntpclient.py" -n 1 127.0.0.2 \
	    $((BASE + 1)) >"$1"
}

check "the server syncs from the upstream (stratum 2)" wait_for 60 \
    state 't["stratum"] == 2 and abs(t["virtual_true_offset"]) < 1e-4'
# and knows its frequency: a server serves as synchronised from its
# source's second sample on (053-startup-serving)
estimated() {
	"$T/timectl" -h "$T/srv.sock" -j sourcestats | python3 -c "
import json, sys
sys.exit(0 if json.load(sys.stdin)[0]['samples'] >= 4 else 1)"
}
check "its source has a frequency estimate (4 samples)" wait_for 30 estimated
kill -TERM "$UP"
check "upstream stops" wait_for 5 gone "$UP"
# 8 polls missed: the reachability register is empty, the moment the
# source was dropped before
silent() {
	"$T/timectl" -h "$T/srv.sock" -j sources | python3 -c "
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if len(s) == 1 and s[0]['reach'] == 0 else 1)"
}
check "its source's register empties (8 polls missed)" wait_for 30 silent
check "the server still says it is synchronised to 127.0.0.1" \
    state 't["stratum"] == 2 and t["leap_status"] == "normal" and
t["reference_id"] == "7F000001"'
check "its source is still selected" sh -c \
    "'$T/timectl' -n -h '$T/srv.sock' sources | grep -q '^\^\* 127\.0\.0\.1 '"
ask "$T/a1"
check "it answers clients synchronised (leap 0, stratum 2)" \
    answer "$T/a1" 'a["answers"] == 1 and a["leap"] == 0 and
a["stratum"] == 2'
# grown: a new answer's root dispersion is above the first's
grown() {
	ask "$T/a2" && python3 -c "
import json, sys
a, b = (json.load(open(f))['last'] for f in ('$T/a1', '$T/a2'))
sys.exit(0 if b['leap'] == 0 and
    b['root_dispersion'] > a['root_dispersion'] else 1)"
}
check "its root dispersion grows with the silence, still leap 0" \
    wait_for 60 grown
check "its own error stays within 1 ms" \
    state 'abs(t["virtual_true_offset"]) < 1e-3'

kill -TERM "$SRV"
check "server stops" wait_for 5 gone "$SRV"
check "srv: no engine killed by seccomp" not_in_log "$T/srv.log" "signal 31"
finish
