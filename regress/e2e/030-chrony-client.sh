#!/bin/sh
# Interop: chronyd 4.3 from Debian's archive (unpacked, never installed,
# always -x) as a client of a timed server on loopback selects it, in
# basic mode and then with xleave in interleaved mode.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

need_chrony

PORT=$((20000 + ($$ + 7) % 20000))
SOCK=$T/timed.sock
cat >"$T/server.conf" <<CONF
clock virtual
local stratum 10
allow 127.0.0.1
port $PORT
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $SOCK
CONF
mkdir -m 770 "$T/chrony"
chown nobody:"$(id -gn nobody)" "$T/chrony"
cat >"$T/chrony.conf" <<CONF
server 127.0.0.1 port $PORT iburst minpoll -2 maxpoll -2
bindcmdaddress $T/chrony/chronyd.sock
cmdport 0
pidfile $T/chrony/chronyd.pid
CONF

start_timed server "$T/server.conf"
check "timed server up" wait_for 10 "$T/timectl" -h "$SOCK" tracking
"$chronyd" -x -d -u nobody -f "$T/chrony.conf" >"$T/chronyd.log" 2>&1 &
CPID=$!
PIDS="$PIDS $CPID"

selected() {
	"$chronyc" -h "$T/chrony/chronyd.sock" -c sources |
	    grep -q "^\^,\*,127\.0\.0\.1,10,-2,377,"
}
check "chronyd selects timed (^*) with reach 377" wait_for 30 selected ||
    sed 's/^/# chronyd: /' "$T/chronyd.log"
out=$("$chronyc" -h "$T/chrony/chronyd.sock" sources)
printf '%s\n' "$out" | sed 's/^/# /'
# RFC 5905's tests (first six) pass on every answer; chrony's delay
# tests (last four) can flag one sample on a loaded machine: the last
# sample must pass them all.
tests_pass() {
	"$chronyc" -h "$T/chrony/chronyd.sock" -c ntpdata 127.0.0.1 |
	    grep -q ',111,111,1111,'
}
check "chronyd's packet tests all pass on timed's answers" \
    wait_for 10 tests_pass
json=$("$T/timectl" -h "$SOCK" -j serverstats)
check "timed counted chronyd's requests as answered" python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["ntp_answers_sent"] >= 8 and s["ntp_packets_dropped"] == 0, s
' "$json"

kill -TERM "$CPID"
check "chronyd stops" wait_for 5 gone "$CPID"

# chronyd with xleave: timed answers in interleaved mode, correctly.
sed -i 's/maxpoll -2$/maxpoll -2 xleave/' "$T/chrony.conf"
"$chronyd" -x -d -u nobody -f "$T/chrony.conf" >"$T/chronyd-xl.log" 2>&1 &
CPID=$!
PIDS="$PIDS $CPID"
check "chronyd (xleave) selects timed (^*) with reach 377" \
    wait_for 30 selected || sed 's/^/# chronyd: /' "$T/chronyd-xl.log"
interleaved() {
	"$chronyc" -h "$T/chrony/chronyd.sock" ntpdata 127.0.0.1 |
	    grep -q '^Interleaved *: Yes'
}
check "timed answers chronyd in interleaved mode" wait_for 10 interleaved
check "chronyd's packet tests all pass on interleaved answers" \
    wait_for 10 tests_pass
"$chronyc" -h "$T/chrony/chronyd.sock" ntpdata 127.0.0.1 |
    grep -E '^(Interleaved|Offset|Peer delay|Total (TX|RX|valid))' |
    sed 's/^/# /'
# timed's clock is the system's (virtual, offset 0): chronyd -x sees it
# within a few microseconds; 50 us allows for a loaded machine.
agrees() {
	"$chronyc" -h "$T/chrony/chronyd.sock" -c sourcestats |
	    awk -F, '$1 == "127.0.0.1" { o = $7 < 0 ? -$7 : $7;
	    exit !(o < 50e-6) }'
}
check "chronyd (xleave) measures timed within 50 us" wait_for 10 agrees
check "serverstats counts interleaved answers and held timestamps" \
    python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["interleaved_ntp_packets"] > 0 and s["ntp_timestamps_held"] > 0, s
' "$("$T/timectl" -h "$SOCK" -j serverstats)"
kill -TERM "$CPID"
check "chronyd (xleave) stops" wait_for 5 gone "$CPID"
kill -TERM "$MPID"
check "timed stops" wait_for 5 gone "$MPID"
finish
