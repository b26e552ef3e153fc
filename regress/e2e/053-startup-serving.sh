#!/bin/sh
# A server is not a reference for others before it knows its frequency:
# put right by its source's first sample (50 ms off, 100 ppm fast), it
# answers as unsynchronised (leap 3) until its source has two samples,
# whose line gives the frequency, and as stratum 2 after.  (chronyd waits
# for its first regression, three samples.)
. "${top_srcdir:-.}/regress/e2e/lib.sh"

BASE=$((20000 + ($$ + 41) % 20000))

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
clock virtual offset 0.05 frequency 100
server 127.0.0.1 port $BASE minpoll 2 maxpoll 2
allow 127.0.0.0/8
port $((BASE + 1))
bindaddress 127.0.0.2
CONF
common srv; } >"$T/srv.conf"

start_timed up "$T/up.conf"
start_timed srv "$T/srv.conf"
SRV=$MPID

samples() {
	"$T/timectl" -h "$T/srv.sock" -j sourcestats | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(s[0]["samples"] if s else 0)'
}
has() {
	[ "$(samples)" -ge "$1" ]
}
# ask FILE: one NTP answer of the server, as JSON.
ask() {
	python3 "$top_srcdir/regress/ntpclient.py" -n 1 -w 2 127.0.0.2 \
	    $((BASE + 1)) >"$1"
}

check "the server has its source's first sample" wait_for 20 has 1
ask "$T/early.json"
n=$(samples)
check "still one sample when asked ($n)" [ "$n" -lt 2 ]
check "with one: it answers as unsynchronised (leap 3)" \
    answer "$T/early.json" 'a["answers"] == 1 and a["leap"] == 3' ||
    sed 's/^/# /' "$T/early.json"
check "the server has two samples" wait_for 30 has 2
ask "$T/late.json"
check "with two: it answers synchronised, stratum 2" \
    answer "$T/late.json" \
    'a["answers"] == 1 and a["leap"] == 0 and a["stratum"] == 2' ||
    sed 's/^/# /' "$T/late.json"

kill -TERM "$SRV"
check "the server stops" wait_for 5 gone "$SRV"
finish
