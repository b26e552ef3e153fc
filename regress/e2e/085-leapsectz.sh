#!/bin/sh
# leapsectz, as chrony's: the monitor reads the leap seconds of a time
# zone (a TZif file made here, with a leap second at the end of today,
# UTC, in a zoneinfo folder of the test's: TIMED_ZONEINFO_DIR) and hands
# them to the engine, which announces the leap on the right day although
# its source announces none; with the system's right/UTC (no leap
# second today) nothing is announced.  Virtual clocks only: the kernel's
# leap status is never touched.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

PORT=$((20000 + ($$ + 91) % 20000))
mkdir -p "$T/zoneinfo/test"
python3 - "$T/zoneinfo/test/LEAP" <<'PY'
import struct, sys, time
mid = (int(time.time()) // 86400 + 1) * 86400   # the next midnight, UTC
# 2016's leap (27 in all since 1972), then one more tonight
leaps = [(1483228826, 27), (mid + 27, 28)]
def block(tsize):
    hdr = b"TZif2" + bytes(15) + struct.pack(">6I", 0, 0, len(leaps), 0, 1, 4)
    data = bytes(6) + b"UTC\0"
    for occ, corr in leaps:
        data += struct.pack(">q" if tsize == 8 else ">i", occ)
        data += struct.pack(">i", corr)
    return hdr + data
with open(sys.argv[1], "wb") as f:
    f.write(block(4) + block(8) + b"\nUTC0\n")
PY
chmod -R a+rX "$T/zoneinfo"

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
check "server up" wait_for 10 "$T/timectl" -h "$T/server.sock" tracking

for c in leap right; do
	zone=test/LEAP
	[ $c = right ] && zone=right/UTC
	cat >"$T/$c.conf" <<CONF
clock virtual offset 0.01
server 127.0.0.1 port $PORT iburst minpoll -2 maxpoll -2
makestep 0.001 3
leapsectz $zone
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $T/$c.sock
CONF
	TIMED_ZONEINFO_DIR=$T/zoneinfo start_timed $c "$T/$c.conf"
done
leap_status() {
	"$T/timectl" -h "$T/$1.sock" -j tracking | python3 -c '
import json, sys
t = json.load(sys.stdin)
sys.exit(0 if t["stratum"] == 2 and t["leap_status"] == sys.argv[1]
         else 1)' "$2"
}
check "the monitor read the zone's leap seconds" \
    wait_for 10 grep -q "leapsectz test/LEAP: 1 leap seconds" "$T/leap.log"
check "a leap second tonight is announced (Insert second)" \
    wait_for 20 leap_status leap insert ||
    "$T/timectl" -h "$T/leap.sock" tracking | sed 's/^/# /'
check "and logged" grep -q "leap second announced: insert" "$T/leap.log"
# (tzdata without right/UTC: the daemon warns and goes on, the same)
check "right/UTC from the system: synchronised, no leap second" \
    wait_for 20 leap_status right normal
check "the server announces no leap second itself" \
    not_in_log "$T/server.log" "leap second announced"
for c in server leap right; do
	check "$c: no engine was killed by seccomp" \
	    not_in_log "$T/$c.log" "signal 31"
done
finish
