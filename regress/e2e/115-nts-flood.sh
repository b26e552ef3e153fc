#!/bin/sh
# NTS-KE under a flood (doc/DESIGN.md, "Threats": "NTS-KE flood,
# slowloris"): while clients hold more silent connections than the cap,
# and then while clients run whole NTS-KE exchanges back to back, a
# plain NTP client still gets every answer, within a bound; afterwards
# NTS-KE and NTP work as before.  Loopback only; every load is bounded
# in time; the test stops what it started, by PID.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

need_openssl
NTSLOAD=$top_builddir/regress/ntsload
NTPC="python3 $top_srcdir/regress/ntpclient.py"
PORT=$((20000 + ($$ + 17) % 20000))
KEPORT=$((PORT + 1))
SOCK=$T/timed.sock
# An NTP answer may wait for one TLS step (a few ms; tens under the
# sanitizers) and for the scheduler of a busy two-core machine.
# Starvation, not speed: a flood that held the engine would leave requests
# unanswered for its 5 s.  The bound leaves room for a loaded 2-core
# machine running other tests; the figures are printed.
BOUND_MS=${NTS_FLOOD_BOUND_MS:-1000}

make_cert "$T/key.pem" "$T/cert.pem"
cat >"$T/server.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.1
port $PORT
bindaddress 127.0.0.1
ntsport $KEPORT
ntsservercert $T/cert.pem
ntsserverkey $T/key.pem
maxntsconnections 20
user nobody
chrootdir $T/empty
bindcmdaddress $SOCK
CONF

# summary JSON: answers and round-trip times, for the log.
summary() {
	printf '%s\n' "$1" | python3 -c '
import json, sys
o = json.load(sys.stdin)
print("%d of %d answered, round trip median %.2f ms, max %.2f ms" % (
    o["answers"], o["sent"], o["rtt_median_ms"] or 0, o["rtt_max_ms"] or 0))'
}
# probe N: N NTP requests, one every 20 ms, each waiting up to 2 s.
probe() {
	$NTPC -n "$1" -i 0.02 -w 2 127.0.0.1 $PORT
}

# hold N SECONDS: keep N connections to the NTS-KE port open, each with
# the first byte of a ClientHello and nothing more, opening a new one for
# each the server closes, for SECONDS.
hold() {
	python3 - "$KEPORT" "$1" "$2" <<'PY'
import select, socket, sys, time
port, n, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
end = time.monotonic() + secs
socks, opened = [], 0
def one():
    global opened
    s = socket.socket()
    s.settimeout(1)
    try:
        s.connect(("127.0.0.1", port))
        s.send(b"\x16")
    except OSError:
        s.close()
        return
    s.setblocking(False)
    socks.append(s)
    opened += 1
while time.monotonic() < end:
    while len(socks) < n and time.monotonic() < end:
        one()
    r, _, _ = select.select(socks, [], [], 0.1)
    for s in r:
        try:
            gone = s.recv(1) == b""
        except OSError:
            gone = True
        if gone:
            socks.remove(s)
            s.close()
    time.sleep(0.01)	# a slow reconnect: this is a slowloris
print(opened)
PY
}

start_timed server "$T/server.conf"
check "server up" wait_for 10 "$T/timectl" -h "$SOCK" tracking
check "NTS-KE answers" wait_for 10 "$NTSLOAD" -k $KEPORT -H -t 1
out=$(probe 50)
check "before: every NTP request answered" json_ok "$out" \
    'o["answers"] == 50 and o["bad"] == 0'
echo "# before: $(summary "$out")"

# 0. Connections that send nothing are taken, and closed by the engine's
#    timeout (2 s): each sees its end of file within 8 s.
before=$(stat_of "$SOCK" ntske_connections_accepted)
closed=$(python3 -c '
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1])))
         for _ in range(10)]
end, n = time.monotonic() + 8, 0
for s in socks:
    s.settimeout(max(0.01, end - time.monotonic()))
    try:
        n += s.recv(1) == b""
    except OSError:
        pass
print(n)
' $KEPORT)
check "silent connections are closed by the timeout" test "$closed" = 10
check "silent connections were taken" \
    test "$(stat_of "$SOCK" ntske_connections_accepted)" -ge $((before + 10))

# 1. Stalled connections, twice the cap (maxntsconnections 20), for 5 s;
#    the engine's timeout (2 s) closes them and they come back.
hold 40 5 >"$T/hold.out" &
HPID=$!
PIDS="$PIDS $HPID"
sleep 1
out=$(probe 150)
wait $HPID
check "stalled connections were opened" test "$(cat "$T/hold.out")" -ge 40
check "slowloris: every NTP request answered" json_ok "$out" \
    'o["answers"] == 150 and o["bad"] == 0'
check "slowloris: every answer within $BOUND_MS ms" json_ok "$out" \
    "o['rtt_max_ms'] < $BOUND_MS"
echo "# slowloris: $(summary "$out")"
check "connections over maxntsconnections were dropped" \
    test "$(stat_of "$SOCK" ntske_connections_dropped)" -gt 0

# 2. Whole NTS-KE exchanges back to back from 3 clients for 5 s.
"$NTSLOAD" -k $KEPORT -H -t 5 -c 3 >"$T/flood.out" 2>&1 &
FPID=$!
PIDS="$PIDS $FPID"
sleep 1
out=$(probe 150)
wait $FPID
echo "# handshake flood: $(cat "$T/flood.out")"
check "the flood made NTS-KE exchanges" \
    awk '$1 == "handshakes" && $2 > 0 { ok = 1 } END { exit !ok }' \
    "$T/flood.out"
check "handshake flood: every NTP request answered" json_ok "$out" \
    'o["answers"] == 150 and o["bad"] == 0'
check "handshake flood: every answer within $BOUND_MS ms" json_ok "$out" \
    "o['rtt_max_ms'] < $BOUND_MS"
echo "# handshake flood: $(summary "$out")"

# 3. Afterwards: as before.
check "after: NTS-KE works" sh -c "'$NTSLOAD' -k $KEPORT -H -t 1 |
    awk '\$2 > 0 && \$4 == 0 { ok = 1 } END { exit !ok }'"
out=$($NTPC -n 100 -w 2 127.0.0.1 $PORT)
check "after: 100 requests, 100 answers" json_ok "$out" \
    'o["answers"] == 100 and o["bad"] == 0'
check "no engine was killed" not_in_log "$T/server.log" "killed by signal"
kill -TERM "$MPID"
check "server stops" wait_for 10 gone "$MPID"
finish
