#!/bin/sh
# hwtimestamp where no card timestamps (issue 15): loopback has no
# hardware timestamping and "nosuch0" does not exist.  Each named
# interface gets one clear line in the log, "*" one line for all, and
# the daemons run on with the kernel's timestamps: the server serves,
# the client syncs, ntpdata says Kernel and the measurements log K.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

PORT=$((20000 + ($$ + 46) % 20000))
CSOCK=$T/client.sock

cat >"$T/server.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.1
port $PORT
bindaddress 127.0.0.1
hwtimestamp lo
hwtimestamp nosuch0 minpoll -2 rxfilter ntp
hwtimestamp lo
user nobody
chrootdir $T/empty
bindcmdaddress $T/server.sock
CONF
start_timed server "$T/server.conf"

cat >"$T/client.conf" <<CONF
clock virtual offset 0.2 frequency 20
server 127.0.0.1 port $PORT iburst minpoll -2 maxpoll -2 xleave
makestep 0.1 3
hwtimestamp *
hwtimestamp lo rxcomp 1e-6
port 0
log measurements
logdir $T
user nobody
chrootdir $T/empty
bindcmdaddress $CSOCK
CONF
start_timed client "$T/client.conf"

check "the server says loopback cannot, once" wait_for 10 sh -c \
    "[ \"\$(grep -c 'hwtimestamp lo: no hardware timestamping; kernel timestamps are used' '$T/server.log')\" = 1 ]"
check "and that nosuch0 is not there, once" [ "$(grep -c \
    'hwtimestamp nosuch0: no such interface; kernel timestamps are used' \
    "$T/server.log")" = 1 ]
check "the client says lo cannot, once" wait_for 10 sh -c \
    "[ \"\$(grep -c 'hwtimestamp lo: no hardware timestamping; kernel timestamps are used' '$T/client.log')\" = 1 ]"
check "and that no interface can, for *, once" [ "$(grep -c \
    'hwtimestamp \*: no interface has hardware timestamping; kernel timestamps are used' \
    "$T/client.log")" = 1 ]
check "no other hwtimestamp line" [ "$(grep -c hwtimestamp \
    "$T/server.log" "$T/client.log" | awk -F: '{ n += $2 } END { print n }')" = 4 ]

synced() {
	"$T/timectl" -n -h "$CSOCK" sources | grep -q '^\^\* 127\.0\.0\.1 '
}
check "the client syncs from the server" wait_for 30 synced
converged() {
	"$T/timectl" -h "$CSOCK" -j tracking | python3 -c '
import json, sys
t = json.load(sys.stdin)
sys.exit(0 if abs(t["virtual_true_offset"]) < 1e-3 else 1)'
}
check "to within 1 ms of true time" wait_for 30 converged
nd=$("$T/timectl" -h "$CSOCK" ntpdata 127.0.0.1)
check "ntpdata: kernel receive timestamps" sh -c \
    "printf '%s\n' '$nd' | grep -q '^RX timestamping : Kernel$'"
check "ntpdata: kernel transmit timestamps" sh -c \
    "printf '%s\n' '$nd' | grep -q '^TX timestamping : Kernel$'"
check "ntpdata: no interface shown" sh -c \
    "! printf '%s\n' '$nd' | grep -q '^HW interface'"
check "measurements.log: K K" wait_for 10 grep -q ' K K$' \
    "$T/measurements.log"
check "the server's engine was never restarted" [ "$(grep -c \
    'engine ready' "$T/server.log")" = 1 ]
finish
