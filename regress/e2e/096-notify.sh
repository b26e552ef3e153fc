#!/bin/sh
# systemd's readiness protocol without systemd: a python3 listener on an
# AF_UNIX datagram socket stands for the service manager.  timed -n (no
# detach, as under Type=notify) sends READY=1 once its engine has said
# hello, STOPPING=1 when it stops, to a socket path and to an abstract
# name; a restarted engine sends no second READY=1.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

BASE=$((20000 + ($$ + 31) % 20000))

# listen ADDRESS OUT: print each datagram as one line, with the engine's
# PID at that moment (is it up yet?), until killed.
listen() {
	python3 -u - "$1" "$2" <<'PY' &
import os, socket, sys
addr, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(out + ".ready", "w").close()
with open(out, "w") as f:
    while True:
        msg = s.recv(4096).decode()
        for l in msg.splitlines():
            f.write(l + "\n")
        f.flush()
PY
	LPID=$!
	PIDS="$PIDS $LPID"
	wait_for 10 test -f "$2.ready"
}

conf() {
	cat <<CONF
clock virtual
local stratum 10
allow 127.0.0.0/8
port $BASE
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $T/$1.sock
CONF
}

stopped() {
	gone "$1" || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat"
}

# A socket path.
listen "$T/notify.sock" "$T/notify.out"
conf path >"$T/path.conf"
NOTIFY_SOCKET=$T/notify.sock "$TIMED" -n -f "$T/path.conf" \
    >"$T/path.log" 2>&1 &
MPID=$!
PIDS="$PIDS $MPID"
check "READY=1 arrives" wait_for 20 grep -qx READY=1 "$T/notify.out"
check "the engine runs when READY=1 has come" test -n "$(engine_of "$MPID")"
check "a STATUS line comes with it" \
    grep -qx "STATUS=engine running" "$T/notify.out"
check "-n does not detach: the monitor is the PID started" kill -0 "$MPID"
check "-n logs to syslog, not to stderr" \
    not_in_log "$T/path.log" "engine ready"

# The engine killed and restarted: no second READY=1.
EPID=$(engine_of "$MPID")
kill -KILL "$EPID"
restarted() {
	e=$(engine_of "$MPID")
	[ -n "$e" ] && [ "$e" != "$EPID" ]
}
check "the engine is restarted" wait_for 20 restarted
sleep 0.5
check "READY=1 was sent once" test "$(grep -c '^READY=1$' "$T/notify.out")" = 1

kill -TERM "$MPID"
check "STOPPING=1 at the end" wait_for 10 grep -qx STOPPING=1 "$T/notify.out"
check "the monitor stops" wait_for 10 stopped "$MPID"
kill "$LPID"

# An abstract name, as systemd gives.
listen "@timed-e2e-$$" "$T/abstract.out"
conf abstract >"$T/abstract.conf"
NOTIFY_SOCKET=@timed-e2e-$$ "$TIMED" -d -f "$T/abstract.conf" \
    >"$T/abstract.log" 2>&1 &
MPID=$!
PIDS="$PIDS $MPID"
check "READY=1 to an abstract socket" \
    wait_for 20 grep -qx READY=1 "$T/abstract.out"
kill -TERM "$MPID"
check "STOPPING=1 to an abstract socket" \
    wait_for 10 grep -qx STOPPING=1 "$T/abstract.out"
check "the monitor stops" wait_for 10 stopped "$MPID"
kill "$LPID"

# No NOTIFY_SOCKET: nothing changes.
conf plain >"$T/plain.conf"
start_timed plain "$T/plain.conf"
check "without NOTIFY_SOCKET the engine starts as before" \
    wait_for 20 grep -q "engine ready" "$T/plain.log"
check "and nothing is said about the socket" \
    not_in_log "$T/plain.log" NOTIFY_SOCKET
kill -TERM "$MPID"
check "no engine was killed by seccomp" not_in_log "$T/abstract.log" \
    "signal 31"
finish
