#!/bin/sh
# acquisitionport, as chronyd's: with "acquisitionport" equal to "port"
# the client's requests leave from the NTP port, answers come back to
# it, and the client takes them, with no allow (nothing served).  The
# server is a small NTP responder in python on loopback that notes each
# request's source port (its clock is the system's; the client's is
# virtual).  Without acquisitionport each request comes from a new
# port.  A timed server stays reachable on the client's NTP port only
# with allow: a request from elsewhere gets no answer.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

SPORT=$((20000 + ($$ + 59) % 20000))
CPORT=$((SPORT + 1))

cat >"$T/responder.py" <<'PY'
import socket, struct, sys, time
port, log, limit = int(sys.argv[1]), sys.argv[2], 120
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
s.settimeout(1)
end = time.time() + limit
def ntp(t):
    return int((t + 2208988800) * 2**32) & (2**64 - 1)
while time.time() < end:
    try:
        req, addr = s.recvfrom(1024)
    except socket.timeout:
        continue
    rx = time.time()
    if len(req) < 48 or req[0] & 7 != 3:
        continue
    with open(log, "a") as f:
        f.write("%d\n" % addr[1])
    a = bytearray(48)
    a[0] = 0x24           # leap 0, version 4, mode 4
    a[1] = 1              # stratum 1
    a[2] = req[2]
    a[3] = 0xec           # precision 2^-20
    a[12:16] = b"GPS\0"
    a[16:24] = struct.pack(">Q", ntp(rx - 1))
    a[24:32] = req[40:48]
    a[32:40] = struct.pack(">Q", ntp(rx))
    a[40:48] = struct.pack(">Q", ntp(time.time()))
    s.sendto(bytes(a), addr)
PY
python3 "$T/responder.py" "$SPORT" "$T/ports" &
PIDS="$PIDS $!"

cat >"$T/client.conf" <<CONF
clock virtual offset 0.05
server 127.0.0.1 port $SPORT iburst minpoll -2 maxpoll -2
port $CPORT
acquisitionport $CPORT
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $T/client.sock
CONF
"$TIMED" -p -f "$T/client.conf" >/dev/null 2>"$T/p.err"
check "acquisitionport equal to port: no warning" not_in_log "$T/p.err" \
    acquisitionport
start_timed client "$T/client.conf"
CPID=$MPID
selected() {
	"$T/timectl" -h "$T/client.sock" -c -n sources |
	    grep -q '^\^,\*,127\.0\.0\.1,1,'
}
check "the client selects the responder" wait_for 30 selected
check "three requests" wait_for 10 sh -c "[ \$(wc -l <'$T/ports') -ge 3 ]"
check "every request came from the NTP port" sh -c \
    "[ -s '$T/ports' ] && ! grep -vqx '$CPORT' '$T/ports'"
# no allow: the NTP port answers nothing else
out=$(python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(b"\x23" + bytes(47), ("127.0.0.1", int(sys.argv[1])))
try:
    s.recvfrom(1024)
    print("answered")
except socket.timeout:
    print("silent")
' "$CPORT")
check "the NTP port serves no one without allow" [ "$out" = silent ]
kill -TERM "$CPID"
check "the client stops" wait_for 5 gone "$CPID"

# without acquisitionport: a port a request, none of them the NTP port
rm -f "$T/ports"
sed -i '/^acquisitionport/d' "$T/client.conf"
start_timed client2 "$T/client.conf"
CPID=$MPID
check "without: the client selects the responder" wait_for 30 selected
check "without: three requests" wait_for 10 sh -c \
    "[ \$(wc -l <'$T/ports') -ge 3 ]"
check "without: the requests came from other ports" sh -c \
    "[ \$(sort -u '$T/ports' | wc -l) -ge 2 ] &&
    ! grep -qx '$CPORT' '$T/ports'"

# another port than the NTP port: warned, new ports
sed -i "s/^port .*/port $CPORT\\nacquisitionport $((CPORT + 1))/" \
    "$T/client.conf"
"$TIMED" -p -f "$T/client.conf" >/dev/null 2>"$T/p.err"
check "acquisitionport other than port: warned" grep -q \
    "acquisitionport $((CPORT + 1)): timed sends its requests from the NTP port" \
    "$T/p.err"
kill -TERM "$CPID"
check "the client stops" wait_for 5 gone "$CPID"
finish
