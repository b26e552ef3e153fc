#!/bin/sh
# A hung or dying engine, while a prober measures the server's NTP
# answers: an engine stopped with SIGSTOP is noticed by the monitor's
# watchdog, killed and replaced within a few seconds, and what timectl
# asked meanwhile is answered 504; an engine killed five times in a row
# comes back at once each time (every gap in serving under a second); a
# request in progress at two deaths of the engine is cut off, for that
# user only, and so is a peer whose packet was being handled at two
# crashes.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

BASE=$((20000 + ($$ + 43) % 20000))
SOCK=$T/timed.sock
ABUSE=$top_srcdir/regress/ctlabuse.py
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

cat >"$T/timed.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.0/8
port $BASE
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $SOCK
CONF
start_timed server "$T/timed.conf"
check "the server is up" wait_for 10 "$T/timectl" -h "$SOCK" tracking
EPID=$(engine_of "$MPID")

# new_engine OLD: a new engine (not OLD) has said hello
new_engine() {
	_p=$(engine_of "$MPID")
	[ -n "$_p" ] && [ "$_p" != "$1" ] &&
	    "$T/timectl" -h "$SOCK" tracking >/dev/null 2>&1
}

# The engine hangs: SIGSTOP.
kill -STOP "$EPID"
out=$("$PY" "$ABUSE" ask "$SOCK" tracking)
check "a request to a hung engine: 504 within 8 s ($out)" json_ok "$out" \
    'o.get("result") == 504 and o["seconds"] < 8'
check "a new engine serves within 5 s" wait_for 5 new_engine "$EPID"
out=$("$PY" "$ABUSE" measure 127.0.0.1 "$BASE" 1)
check "NTP is answered again" json_ok "$out" 'o["answered"] >= 90'
check "the watchdog said why" grep -q "engine (pid $EPID) has not answered" \
    "$T/server.log"
check "the hung engine was killed" wait_for 5 gone "$EPID"
check "the restart was at once" grep -q "restarting the engine now" \
    "$T/server.log"
out=$("$T/timectl" -h "$SOCK" makestep 2>&1)
check "makestep works with the new engine" test "$out" = "200 OK"

# Five SIGKILLs in a row, a second apart: every gap under a second.
"$PY" "$ABUSE" measure 127.0.0.1 "$BASE" 9 >"$T/measure.json" &
PROBE=$!
PIDS="$PIDS $PROBE"
sleep 1
for i in 1 2 3 4 5; do
	EPID=$(engine_of "$MPID")
	kill -KILL "$EPID"
	wait_for 5 new_engine "$EPID" || break
	sleep 1
done
wait "$PROBE"
m=$(cat "$T/measure.json")
check "five SIGKILLs: every gap in serving under a second: $m" \
    json_ok "$m" 'o["max_gap_s"] < 1.0 and o["answered"] > 0.8 * o["sent"]'
check "five restarts at once" test \
    "$(grep -c 'restarting the engine now' "$T/server.log")" -ge 6

# A request in progress at two deaths of the engine is cut off (its user
# only); the engine is stopped, the request waits, the watchdog kills.
for i in 1 2; do
	EPID=$(engine_of "$MPID")
	kill -STOP "$EPID"
	setpriv --reuid=4242 --regid=4242 --clear-groups "$PY" "$ABUSE" ask \
	    "$SOCK" sourcestats >"$T/ask$i.json"
	wait_for 8 new_engine "$EPID"
done
check "the request was answered 504 at each death" sh -c \
    "grep -q '\"result\": 504' '$T/ask1.json' &&
    grep -q '\"result\": 504' '$T/ask2.json'"
out=$(setpriv --reuid=4242 --regid=4242 --clear-groups "$PY" "$ABUSE" ask \
    "$SOCK" sourcestats)
check "then it is refused to that user: 500" json_ok "$out" \
    'o.get("result") == 500'
check "... and the monitor said why" grep -q \
    "sourcestats from uid 4242 was in progress at 2 deaths" "$T/server.log"
out=$(setpriv --reuid=4243 --regid=4243 --clear-groups "$PY" "$ABUSE" ask \
    "$SOCK" sourcestats)
check "another user still gets it" json_ok "$out" 'o.get("rows") == 0'
check "and user 4242 still gets the rest" setpriv --reuid=4242 \
    --regid=4242 --clear-groups "$T/timectl" -h "$SOCK" tracking
check "the monitor is still the same" test -d "/proc/$MPID"

# A peer whose packet was being handled at two crashes of the engine is
# ignored, the others still served.  A flood from 127.0.0.77 keeps the
# engine busy with it; SIGSEGV stands in for the crash it would cause.
kill -TERM "$MPID"
wait_for 5 gone "$MPID"
sed -i "s/^port .*/port $((BASE + 1))/" "$T/timed.conf"
start_timed server2 "$T/timed.conf"
check "a second server is up" wait_for 10 "$T/timectl" -h "$SOCK" tracking
"$PY" "$ABUSE" flood 127.0.0.1 $((BASE + 1)) 40 127.0.0.77 &
FLOOD=$!
PIDS="$PIDS $FLOOD"
for i in $(seq 20); do
	grep -q "peer 127.0.0.77: input in progress at 2 deaths" \
	    "$T/server2.log" && break
	EPID=$(engine_of "$MPID")
	kill -SEGV "$EPID"
	wait_for 8 new_engine "$EPID"
	sleep 0.2
done
check "the flooding peer was blamed twice and cut off" grep -q \
    "peer 127.0.0.77: input in progress at 2 deaths" "$T/server2.log"
check "the monitor named what the engine was handling" grep -q \
    "the engine was handling NTP from 127.0.0.77" "$T/server2.log"
kill "$FLOOD"
out=$("$PY" "$ABUSE" probe 127.0.0.1 $((BASE + 1)) 127.0.0.77)
check "that peer is ignored by the new engine" json_ok "$out" \
    'not o["answered"]'
out=$("$PY" "$ABUSE" probe 127.0.0.1 $((BASE + 1)) 127.0.0.78)
check "another peer is served" json_ok "$out" 'o["answered"]'
finish
