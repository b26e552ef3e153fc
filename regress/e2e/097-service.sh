#!/bin/sh
# The service files: etc/timed.service passes systemd-analyze verify
# (when it is installed; the man pages are checked by check-man.sh) and keeps what the monitor needs; etc/timed.init
# is valid sh and starts, reports and stops a real timed through its own
# pidfile.  No service manager is involved: nothing is started with
# systemctl.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

UNIT=$top_builddir/etc/timed.service
INIT=$top_builddir/etc/timed.init
BASE=$((20000 + ($$ + 37) % 20000))

check "etc/timed.init is valid sh" sh -n "$INIT"
check "etc/timed.init has LSB headers" \
    grep -q '^### BEGIN INIT INFO$' "$INIT"
check "the paths were substituted" \
    sh -c "! grep -n '@[a-z]*@' '$UNIT' '$INIT'"

# The unit, with ExecStart on this build's timed (verify wants it to exist).
mkdir -p "$T/unit"
sed "s|^ExecStart=[^ ]*|ExecStart=$TIMED|" "$UNIT" >"$T/unit/timed.service"
if command -v systemd-analyze >/dev/null 2>&1; then
	check "systemd-analyze verify accepts timed.service" \
	    sh -c "cd '$T/unit' && systemd-analyze verify --man=no ./timed.service"
else
	echo "# systemd-analyze not installed: verify skipped"
fi
for want in '^Type=notify$' '^ExecStart=[^ ]*/timed -n ' \
    '^NoNewPrivileges=yes$' '^ProtectSystem=strict$' \
    '^Conflicts=.*chronyd.service' '^Conflicts=.*systemd-timesyncd.service'; do
	check "timed.service: $want" grep -q -- "$want" "$UNIT"
done
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
for cap in CAP_SYS_TIME CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID \
    CAP_SYS_CHROOT CAP_SETPCAP CAP_KILL; do
	check "timed.service keeps $cap" contains "$caps" "$cap"
done
check "timed.service: devices closed but PTP clocks (read) and PPS" \
    sh -c "grep -q '^DevicePolicy=closed' '$UNIT' &&
    grep -q '^DeviceAllow=char-ptp r$' '$UNIT' &&
    grep -q '^DeviceAllow=char-pps rw$' '$UNIT' &&
    ! grep -q '^PrivateDevices=yes' '$UNIT'"
check "timed.service does not take the clock (ProtectClock)" \
    not_in_log "$UNIT" '^ProtectClock='

# The rc script on a real daemon, with its own pidfile.
cat >"$T/timed.conf" <<CONF
clock virtual
local stratum 10
allow 127.0.0.0/8
port $BASE
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $T/timed.sock
CONF
# A loaded machine and a sanitizer build stop slowly: a longer wait.
export TIMED_DAEMON="$TIMED" TIMED_CONF="$T/timed.conf" \
    TIMED_PIDFILE="$T/run/timed.pid" TIMED_STOP_WAIT=40
check "init start" sh "$INIT" start
PID=$(cat "$T/run/timed.pid" 2>/dev/null)
PIDS="$PIDS $PID"
check "init status: running (0)" sh "$INIT" status
check "the pidfile holds the monitor" \
    test "$(cat "/proc/$PID/comm" 2>/dev/null)" = timed
check "timectl answers" wait_for 10 "$TIMECTL" -h "$T/timed.sock" tracking
check "init start again: already running" sh -c \
    "sh '$INIT' start | grep -q 'already running'"
check "init restart" sh "$INIT" restart ||
    ps -o pid,stat,wchan:20,etime,args -p "$PID" | sed 's/^/# /'
NPID=$(cat "$T/run/timed.pid" 2>/dev/null)
PIDS="$PIDS $NPID"
check "a new monitor after restart" test "$NPID" != "$PID"
check "init stop" sh "$INIT" stop
sh "$INIT" status >/dev/null
check "init status: not running (3)" test $? = 3
check "the pidfile is gone" test ! -e "$T/run/timed.pid"
echo "server" >"$T/bad.conf"
TIMED_CONF=$T/bad.conf sh "$INIT" start >"$T/bad.out" 2>&1
check "init start refuses a bad configuration (6)" test $? = 6
check "and prints timed's diagnostic" grep -q 'bad.conf:1: ' "$T/bad.out"
check "usage for an unknown action (2)" sh -c "sh '$INIT' frob; test \$? = 2"
finish
