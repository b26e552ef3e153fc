#!/bin/sh
# extfield F323, chrony's experimental extension field, on loopback:
# a timed server (local stratum 1, virtual clock) answers a request that
# carries it with one of its own: 76 bytes, its receive time on the
# mono clock equal to its receive time while it has slewed nothing, and
# 10 ms ahead of it once timectl doffset 0.01 slewed the clock (same
# epoch).  A request without it, or with a wrong magic, gets 48 bytes.
# chronyd 4.3 (-x) with "extfield F323" selects timed, and a timed
# client with it selects chronyd, each reading the other's field.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

need_chrony

PORT=$((20000 + ($$ + 53) % 20000))
CPORT=$((PORT + 1))
SOCK=$T/server.sock
cat >"$T/server.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.1
port $PORT
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $SOCK
CONF
start_timed server "$T/server.conf"
SPID=$MPID
check "timed server up" wait_for 10 "$T/timectl" -h "$SOCK" tracking

# ask KIND: one request to the server; prints the answer's length, then
# (mono receive - receive) in seconds and the epoch if it has the field
cat >"$T/ask.py" <<'PY'
import socket, struct, sys, os
port, kind = int(sys.argv[1]), sys.argv[2]
req = bytearray(48)
req[0] = 0x23
req[40:48] = os.urandom(8)
if kind != "plain":
    magic = 0xF5BEDD9A if kind == "exp1" else 0x12345678
    req += struct.pack(">HHI", 0xF323, 28, magic) + bytes(20)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(bytes(req), ("127.0.0.1", port))
a, _ = s.recvfrom(2048)
assert a[24:32] == req[40:48], "not our answer"
out = [str(len(a))]
if len(a) == 76:
    typ, ln, magic = struct.unpack(">HHI", a[48:56])
    assert (typ, ln, magic) == (0xF323, 28, 0xF5BEDD9A), (typ, ln, magic)
    rx, = struct.unpack(">Q", a[32:40])
    mono, epoch = struct.unpack(">QI", a[64:76])
    d = mono - rx
    if d >= 1 << 63:
        d -= 1 << 64
    out += ["%.9f" % (d / 2**32), str(epoch)]
print(" ".join(out))
PY
ask() {
	python3 "$T/ask.py" "$PORT" "$1"
}

out=$(ask exp1)
set -- $out
check "F323 answered with one: 76 bytes ($out)" [ "${1:-}" = 76 ]
check "no slew yet: mono receive time = receive time" \
    [ "${2:-}" = 0.000000000 ]
EPOCH=${3:-none}
check "a plain request: 48 bytes" [ "$(ask plain)" = 48 ]
check "F323 of a wrong magic: 48 bytes" [ "$(ask badmagic)" = 48 ]
check "doffset 0.01: 200 OK" \
    [ "$("$T/timectl" -h "$SOCK" doffset 0.01)" = "200 OK" ]
out=$(ask exp1)
set -- $out
check "after doffset 0.01: mono 10 ms ahead, same epoch ($out)" sh -c \
    "[ '${3:-}' = '$EPOCH' ] && awk -v d='${2:-x}' \
    'BEGIN { exit !(d > 0.009999 && d < 0.010001) }'"

# chronyd with the field as a client of timed
mkdir -m 770 "$T/chrony"
chown nobody:"$(id -gn nobody)" "$T/chrony"
cat >"$T/chrony.conf" <<CONF
server 127.0.0.1 port $PORT iburst minpoll -2 maxpoll -2 extfield F323
port $CPORT
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 3
bindcmdaddress $T/chrony/chronyd.sock
cmdport 0
pidfile $T/chrony/chronyd.pid
CONF
"$chronyd" -x -d -u nobody -f "$T/chrony.conf" >"$T/chronyd.log" 2>&1 &
HPID=$!
PIDS="$PIDS $HPID"
chronyd_selects() {
	"$chronyc" -h "$T/chrony/chronyd.sock" -c sources |
	    grep -q '^\^,\*,127\.0\.0\.1,1,'
}
check "chronyd with extfield F323 selects timed" wait_for 30 \
    chronyd_selects || sed 's/^/# chronyd: /' "$T/chronyd.log"

# a timed client with the field, of chronyd (stratum 2 by then)
cat >"$T/client.conf" <<CONF
clock virtual offset 0.01
server 127.0.0.1 port $CPORT iburst minpoll -2 maxpoll -2 extfield F323
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $T/client.sock
CONF
start_timed client "$T/client.conf"
CPID=$MPID
timed_selects() {
	"$T/timectl" -h "$T/client.sock" -c -n sources |
	    grep -q '^\^,\*,127\.0\.0\.1,2,'
}
check "timed with extfield F323 selects chronyd" wait_for 30 timed_selects
check "no warning about extfield" not_in_log "$T/client.log" extfield

kill -TERM "$HPID" "$CPID" "$SPID"
for p in $HPID $CPID $SPID; do
	check "process $p stops" wait_for 5 gone "$p"
done
finish
