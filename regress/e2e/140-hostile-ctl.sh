#!/bin/sh
# A hostile local user on the control socket, while a prober measures the
# server's NTP answers: pipelined requests, requests interleaved with their
# answers, garbage, truncated and oversized frames, a client table of 50k
# records listed and left unread, 70 connections of one user and 4 of each
# of 15 more, 50 refused commands.  The engine must survive it all (same
# PID), NTP answers keep coming, root gets in within a second, and the
# log does not fill.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

BASE=$((20000 + ($$ + 41) % 20000))
SOCK=$T/timed.sock
ABUSE=$top_srcdir/regress/ctlabuse.py
# a python3 that other users may run (not one under root's home)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

cat >"$T/timed.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.0/8
port $BASE
bindaddress 127.0.0.1
clientloglimit 16777216
user nobody
chrootdir $T/empty
bindcmdaddress $SOCK
CONF
start_timed server "$T/timed.conf"
check "the server is up" wait_for 10 "$T/timectl" -h "$SOCK" tracking
EPID=$(engine_of "$MPID")

# as UID COMMAND...: run as a user with no passwd entry and its own group
as() {
	_u=$1
	shift
	setpriv --reuid="$_u" --regid="$_u" --clear-groups "$@"
}

"$PY" "$ABUSE" measure 127.0.0.1 "$BASE" 40 >"$T/measure.json" &
PROBE=$!
PIDS="$PIDS $PROBE"

out=$(as 4242 "$PY" "$ABUSE" pipeline "$SOCK" 50)
check "50 pipelined requests: each answered, in order" json_ok "$out" \
    'o["answers"] == 50 and o["order_ok"] and o["results"] == 10'
out=$(as 4242 "$PY" "$ABUSE" interleave "$SOCK" 20)
check "requests interleaved with their answers: all answered" \
    json_ok "$out" 'o["answers"] == 40'
out=$(as 4242 "$PY" "$ABUSE" garbage "$SOCK")
check "garbage, truncated, oversized frames: answered or closed" \
    json_ok "$out" 'o["cases"] >= 10'
# the 72 bytes of the report: hello, and two requests at once
out=$(as 4242 "$PY" "$ABUSE" pipeline "$SOCK" 2)
check "hello and two requests in one write: both answered" \
    json_ok "$out" 'o["answers"] == 2 and o["order_ok"]'
check "the engine survived the frames (same PID)" \
    test "$(engine_of "$MPID")" = "$EPID"

# A client table of 50k records.
out=$("$PY" "$ABUSE" fill 127.0.0.1 "$BASE" 50000)
check "50k requests from 50k addresses sent" json_ok "$out" \
    'o["sent"] == 50000'
n=$("$T/timectl" -h "$SOCK" -c clients | wc -l)
check "root lists the whole table ($n clients, paged)" test "$n" -ge 49000
out=$(as 4242 "$T/timectl" -h "$SOCK" clients 2>&1)
check "clients is refused to other users: 501" \
    test "$out" = "501 Not authorised"
out=$(setpriv --reuid=4243 --regid=nogroup --clear-groups \
    "$T/timectl" -h "$SOCK" -c clients | wc -l)
check "clients is open to the timed group" test "$out" -ge 49000
# the timed group asks for the list and reads nothing, twice at once
NOREAD=""
for i in 1 2; do
	setpriv --reuid=4243 --regid=nogroup --clear-groups "$PY" "$ABUSE" \
	    noread "$SOCK" clients 12 >"$T/noread$i.json" &
	NOREAD="$NOREAD $!"
done
PIDS="$PIDS $NOREAD"

# 70 connections of one user, then 4 of each of 15 more: every slot
# that users may take is taken; root and the timed group get in.  Each
# holder says how many it got once connected, and holds on until killed.
mkdir -m 777 "$T/ready"
as 4242 "$PY" "$ABUSE" hold "$SOCK" 70 60 "$T/ready/4242" >/dev/null &
HOLD=$!
check "user 4242 is connected" wait_for 20 test -e "$T/ready/4242"
for u in $(seq 5000 5014); do
	as "$u" "$PY" "$ABUSE" hold "$SOCK" 4 60 "$T/ready/$u" >/dev/null &
	HOLD="$HOLD $!"
done
PIDS="$PIDS $HOLD"
check "15 more users are connected" wait_for 30 sh -c \
    "test \$(ls '$T/ready' | grep -cv tmp) -eq 16"
out=$("$PY" "$ABUSE" ask "$SOCK" tracking)
check "root's tracking answers within a second, every slot held" \
    json_ok "$out" 'o.get("answer") == "one" and o["seconds"] < 1.0'
t0=$(date +%s.%N)
check "root's timectl tracking works" "$T/timectl" -h "$SOCK" tracking
t1=$(date +%s.%N)
check "... within a second" python3 -c "assert $t1 - $t0 < 1.0"
check "root's makestep works" sh -c \
    "'$T/timectl' -h '$SOCK' makestep | grep -qx '200 OK'"
out=$(setpriv --reuid=4243 --regid=nogroup --clear-groups "$PY" \
    "$ABUSE" ask "$SOCK" tracking)
check "the timed group gets in too" json_ok "$out" 'o.get("answer") == "one"'
check "one user holds at most 4 connections" \
    json_ok "$(cat "$T/ready/4242")" 'o["admitted"] == 4'
total=$(cat "$T"/ready/* | python3 -c '
import json, sys
print(sum(json.loads(l)["admitted"] for l in sys.stdin))')
# (the timed group's two unread lists may hold two of the 56 still)
check "users other than root hold 56 slots, no more ($total)" \
    test "$total" -ge 54 -a "$total" -le 56
# shellcheck disable=SC2086
kill $HOLD
# shellcheck disable=SC2086
wait $NOREAD
for i in 1 2; do
	check "an unread clients list costs its connection only ($i)" \
	    json_ok "$(cat "$T/noread$i.json")" 'o["closed_by_timed"]'
done

# Refusals do not fill the log.
before=$(grep -c 'refused' "$T/server.log")
for i in $(seq 50); do
	as 4242 "$T/timectl" -h "$SOCK" offline >/dev/null 2>&1
done
after=$(grep -c 'refused' "$T/server.log")
check "50 refused commands: a few log lines ($((after - before)))" \
    test $((after - before)) -le 6
check "... and they are counted" \
    test "$(stat_of "$SOCK" command_packets_dropped)" -ge 50

wait "$PROBE"
m=$(cat "$T/measure.json")
check "NTP answers kept coming: $m" json_ok "$m" \
    'o["answered"] >= 0.95 * o["sent"] and o["max_gap_s"] < 2.0'
check "the engine survived it all (same PID)" \
    test "$(engine_of "$MPID")" = "$EPID"
check "no engine was killed" not_in_log "$T/server.log" "killing it"
finish
