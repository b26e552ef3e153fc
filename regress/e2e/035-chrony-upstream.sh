#!/bin/sh
# Interop: a timed client (virtual clock 0.3 s ahead, 40 ppm fast) syncs
# from chronyd 4.3 (unpacked from Debian's archive, -x, local stratum 1).
. "${top_srcdir:-.}/regress/e2e/lib.sh"

need_chrony

PORT=$((20000 + ($$ + 17) % 20000))
mkdir -m 770 "$T/chrony"
chown nobody:"$(id -gn nobody)" "$T/chrony"
cat >"$T/chrony.conf" <<CONF
local stratum 1
allow 127.0.0.1
port $PORT
bindaddress 127.0.0.1
bindcmdaddress /
cmdport 0
pidfile $T/chrony/chronyd.pid
CONF
"$chronyd" -x -d -u nobody -f "$T/chrony.conf" >"$T/chronyd.log" 2>&1 &
CPID=$!
PIDS="$PIDS $CPID"

SOCK=$T/client.sock
cat >"$T/client.conf" <<CONF
clock virtual offset 0.3 frequency 40
server 127.0.0.1 port $PORT iburst minpoll -2 maxpoll -2
makestep 0.1 3
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $SOCK
CONF
start_timed client "$T/client.conf"

selected() {
	"$T/timectl" -n -h "$SOCK" sources | grep -q '^\^\* 127\.0\.0\.1 '
}
agrees() {
	"$T/timectl" -h "$SOCK" -j tracking | python3 -c '
import json, sys
t = json.load(sys.stdin)
sys.exit(0 if abs(t["virtual_true_offset"]) < 1e-3 and t["stratum"] == 2
         else 1)'
}
selected_x() {
	"$T/timectl" -n -h "$XSOCK" sources | grep -q '^\^\* 127\.0\.0\.1 '
}
check "the timed client selects chronyd (*)" wait_for 30 selected
check "and agrees with it within 1 ms" wait_for 30 agrees ||
    "$T/timectl" -h "$SOCK" tracking | sed 's/^/# /'
"$T/timectl" -h "$SOCK" sources | sed 's/^/# /'

# xleave: chronyd answers in interleaved mode, and timed says so as
# chronyc does (ntpdata, measurements.log's I).
XSOCK=$T/x.sock
mkdir -m 777 "$T/xlog"
cat >"$T/x.conf" <<CONF
clock virtual offset 0.01
server 127.0.0.1 port $PORT minpoll -2 maxpoll -2 xleave
port 0
logdir $T/xlog
log measurements
user nobody
chrootdir $T/empty
bindcmdaddress $XSOCK
CONF
start_timed x "$T/x.conf"
XPID=$MPID
interleaved() {
	"$T/timectl" -h "$XSOCK" ntpdata | grep -q '^Interleaved *: Yes$'
}
check "xleave: ntpdata says Interleaved : Yes" wait_for 20 interleaved ||
    "$T/timectl" -h "$XSOCK" ntpdata | sed 's/^/# /'
out=$("$T/timectl" -h "$XSOCK" -j ntpdata)
check "xleave: -j ntpdata: interleaved, with the server's response time" \
    json_ok "$out" \
    'o[0]["interleaved"] is True and 0 < o[0]["response_time"] < 0.01'
check "xleave: the interleaved samples are good" selected_x
check "xleave: measurements.log has interleaved samples (I)" \
    wait_for 10 grep -q ' 4I [DK] [DK]$' "$T/xlog/measurements.log"
kill -TERM "$XPID"
check "the xleave client stops" wait_for 5 gone "$XPID"

kill -TERM "$MPID" "$CPID"
check "timed stops" wait_for 5 gone "$MPID"
check "chronyd stops" wait_for 5 gone "$CPID"
finish
