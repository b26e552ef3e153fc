#!/bin/sh
# One-shot modes, as chronyd's: timed -Q prints the offset and changes
# nothing; timed -q steps the clock once and exits.  Both run beside a
# running daemon: they open no control socket and no server port.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

PORT=$((20000 + ($$ + 41) % 20000))
cat >"$T/server.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.1
port $PORT
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $T/server.sock
CONF
start_timed server "$T/server.conf"
SPID=$MPID
check "server up" wait_for 10 "$T/timectl" -h "$T/server.sock" tracking

cat >"$T/client.conf" <<CONF
clock virtual offset 0.3 frequency 10
server 127.0.0.1 port $PORT minpoll -2 maxpoll -2
user nobody
chrootdir $T/empty
bindcmdaddress $T/server.sock
CONF
out=$(timeout 40 "$TIMED" -Q -f "$T/client.conf" 2>"$T/Q.err")
rc=$?
check "-Q exits 0" test "$rc" = 0
check "-Q prints the offset, ignored" python3 -c '
import re, sys
m = re.fullmatch(r"System clock wrong by (-?[0-9.]+) seconds \(ignored\)",
                 sys.argv[1])
assert m and abs(float(m.group(1)) + 0.3) < 0.001, sys.argv[1]
' "$out"
check "the running daemon's control socket is untouched" \
    "$T/timectl" -h "$T/server.sock" tracking

out=$(timeout 40 "$TIMED" -q -f "$T/client.conf" 2>"$T/q.err")
rc=$?
check "-q exits 0" test "$rc" = 0
check "-q prints the offset, stepped" python3 -c '
import re, sys
m = re.fullmatch(r"System clock wrong by (-?[0-9.]+) seconds \(step\)",
                 sys.argv[1])
assert m and abs(float(m.group(1)) + 0.3) < 0.001, sys.argv[1]
' "$out"
check "-q: the monitor applied the step" grep -q "clock stepped by" "$T/q.err"

kill -TERM "$SPID"
check "server stops" wait_for 5 gone "$SPID"
out=$(timeout 60 "$TIMED" -Q -f "$T/client.conf" 2>&1)
rc=$?
check "-Q with no server: status 1" test "$rc" = 1
check "-Q with no server: says so" contains "$out" "no selectable source"
finish
