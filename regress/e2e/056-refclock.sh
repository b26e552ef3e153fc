#!/bin/sh
# Reference clocks on this machine, with virtual clocks: a stratum-1
# server fed by gpsd's SOCK protocol (regress/refclock_feed.py writes
# gpsd's samples), serving a client; a server fed through a private SHM
# segment (removed at the end); junk on the socket and a missing device
# cost one log line each and nothing else.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

BASE=$((20000 + ($$ + 41) % 20000))
UNIT=$((100 + $$ % 150))
FEED="${top_srcdir:-.}/regress/refclock_feed.py"

common() {
	cat <<CONF
user nobody
chrootdir $T/empty
bindcmdaddress $T/$1.sock
CONF
}

{ cat <<CONF
clock virtual offset 0.05 frequency 20
refclock SOCK $T/gps.sock poll 0 refid GPS
refclock PHC /dev/ptp-timed-missing poll 0
makestep 0.01 3
allow 127.0.0.0/8
port $BASE
bindaddress 127.0.0.1
logdir $T
log statistics refclocks
CONF
common srv; } >"$T/srv.conf"
{ cat <<CONF
clock virtual offset -0.03 frequency -10
server 127.0.0.1 port $BASE iburst minpoll -2 maxpoll -2
makestep 0.01 3
port 0
CONF
common cli; } >"$T/cli.conf"
{ cat <<CONF
clock virtual offset -0.02 frequency 5
refclock SHM $UNIT poll 0 refid NMEA
makestep 0.01 3
port 0
CONF
common shm; } >"$T/shm.conf"

start_timed srv "$T/srv.conf"
SRV=$MPID
start_timed cli "$T/cli.conf"
start_timed shm "$T/shm.conf"
# the feeders stop by themselves (bounded); the SHM one removes its segment
python3 "$FEED" sock "$T/gps.sock" 50 0 >"$T/feed-sock.log" 2>&1 &
PIDS="$PIDS $!"
python3 "$FEED" shm "$UNIT" 50 0.002 >"$T/feed-shm.log" 2>&1 &
SHMFEED=$!
PIDS="$PIDS $SHMFEED"

# state NAME EXPR: a Python expression on NAME's tracking JSON holds.
state() {
	"$T/timectl" -h "$T/$1.sock" -j tracking | python3 -c "
import json, sys
t = json.load(sys.stdin)
sys.exit(0 if ($2) else 1)"
}
check "SOCK: the server syncs to gpsd's samples (stratum 1, refid GPS)" \
    wait_for 30 state srv 't["stratum"] == 1 and t["reference_name"] == "GPS" and abs(t["virtual_true_offset"]) < 1e-4'
out=$("$T/timectl" -h "$T/srv.sock" sources)
check "SOCK: timectl sources shows the refclock as #*" \
    contains "$out" '^#\* GPS '
check "a missing device: the source is there, unreachable" \
    contains "$out" '^#? PHC1 .* 0 *-'
check "a missing device: one clear log line" \
    test "$(grep -c 'refclock PHC1: cannot open /dev/ptp-timed-missing' "$T/srv.log")" -eq 1
check "the client syncs from the refclock server (stratum 2)" \
    wait_for 30 state cli 't["stratum"] == 2 and abs(t["virtual_true_offset"]) < 1e-3'
check "SHM: synced to the segment's samples, 2 ms ahead (refid NMEA)" \
    wait_for 30 state shm 't["reference_name"] == "NMEA" and abs(t["virtual_true_offset"] - 0.002) < 1e-4'
ENG=$(engine_of "$SRV")
python3 "$FEED" junk "$T/gps.sock"
check "SOCK: junk datagrams are refused, and said in the log" \
    wait_for 30 grep -q 'refclock GPS: sample refused' "$T/srv.log"
check "SOCK: the engine runs on" test "$(engine_of "$SRV")" = "$ENG"
check "SOCK: junk is said once in the log" \
    test "$(grep -c 'refclock GPS: sample refused' "$T/srv.log")" -eq 1
check "SOCK: still synchronised after the junk" \
    state srv 't["stratum"] == 1 and abs(t["virtual_true_offset"]) < 1e-4'
check "statistics.log has the refclock's regressions" \
    grep -q ' GPS ' "$T/statistics.log"
check "refclocks.log has raw samples of GPS" \
    grep -Eq ' GPS +[0-9]+ N 0 ' "$T/refclocks.log"
check "refclocks.log has filtered samples of GPS" \
    grep -Eq ' GPS +- N - ' "$T/refclocks.log"
wait "$SHMFEED"
# no_segment: the key of UNIT is not in the system's table
no_segment() {
	! awk -v k=$((0x4e545030 + UNIT)) '$1 == k { f = 1 } END { exit !f }' \
	    /proc/sysvipc/shm
}
check "the SHM feeder removed its segment" no_segment
kill $SRV 2>/dev/null
check "the server removes its socket at the end" \
    wait_for 10 test ! -e "$T/gps.sock"
finish
