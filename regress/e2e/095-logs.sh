#!/bin/sh
# chrony's log files: a timed server and a timed client (virtual clock
# 0.3 s ahead, 40 ppm fast) on loopback; the client writes
# measurements.log, statistics.log and tracking.log into logdir (which it
# creates), in chrony 4.3's columns with the banner every logbanner lines;
# logchange warns as chronyd; SIGHUP after the file was moved away (as
# logrotate does) makes a new file and leaves the old one alone; the loss
# of the server is a tracking line of its own.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

BASE=$((20000 + ($$ + 29) % 20000))
# check runs in a subshell, which cannot reap our children: zombies count
stopped() {
	gone "$1" || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat"
}
CSOCK=$T/client.sock
LOGDIR=$T/log/timed

cat >"$T/server.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.0/8
port $BASE
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $T/server.sock
CONF
start_timed server "$T/server.conf"
SPID=$MPID

cat >"$T/client.conf" <<CONF
clock virtual offset 0.3 frequency 40
server 127.0.0.1 port $BASE iburst minpoll -2 maxpoll -2
makestep 0.1 3
logchange 0.1
local stratum 10
logdir $LOGDIR
log measurements statistics tracking
logbanner 4
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $CSOCK
CONF
start_timed client "$T/client.conf"
CPID=$MPID

# lines FILE: the entries, without the banners
entries() {
	grep -v -e '^=*$' -e '^   Date (UTC) Time' "$1"
}
enough() {
	for f in measurements statistics tracking; do
		[ -f "$LOGDIR/$f.log" ] &&
		    [ "$(entries "$LOGDIR/$f.log" | wc -l)" -ge 6 ] || return 1
	done
}
check "logdir is created and the three logs get 6 entries in 30 s" \
    wait_for 30 enough || ls -la "$LOGDIR" | sed 's/^/# /'
for f in measurements statistics tracking; do
	head -n 4 "$LOGDIR/$f.log" | sed "s/^/# $f: /"
done
check "log files are 0644" test "$(stat -c %a "$LOGDIR/tracking.log")" = 644

# The columns: header, counts and each field's form, per file.
check "measurements.log: chrony's header and 20 well-formed columns" \
    python3 - "$LOGDIR/measurements.log" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
hdr = ("   Date (UTC) Time     IP Address   L St 123 567 ABCD  LP RP Score"
       "    Offset  Peer del. Peer disp.  Root del. Root disp. Refid     MTxRx")
assert lines[0] == "=" * len(hdr) and lines[1] == hdr and lines[2] == lines[0], lines[:3]
e = r"[ -]\d\.\d{3}e[-+]\d\d"
row = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 127\.0\.0\.1       [N+?-] [ \d]\d "
                 r"[01]{3} [01]{3} [01]{4}  [ -]\d [ -]\d \d\.\d\d" + (" " + e) * 5 +
                 r" [0-9A-F]{8} 4B [DK] [DK]$")
n = 0
for l in lines:
    if l.startswith("=") or l.startswith("   Date"):
        continue
    assert row.match(l), repr(l)
    assert len(l.split()) == 20, l
    n += 1
assert n >= 6
PY
check "statistics.log: chrony's header and 13 well-formed columns" \
    python3 - "$LOGDIR/statistics.log" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
hdr = ("   Date (UTC) Time     IP Address    Std dev'n Est offset  Offset sd"
       "  Diff freq   Est skew  Stress  Ns  Bs  Nr  Asym")
assert lines[1] == hdr, lines[:3]
e = r"[ -]\d\.\d{3}e[-+]\d\d"
row = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 127\.0\.0\.1      " + (" " + e) * 5 +
                 r" \d\.\de[-+]\d\d [ \d]{3} [ \d]{3} [ \d]{3} [ -]\d\.\d\d$")
for l in lines:
    if l.startswith("=") or l.startswith("   Date"):
        continue
    assert row.match(l), repr(l)
    assert len(l.split()) == 13, l
PY
check "tracking.log: chrony's header, 14 columns, stratum 2, frequency near 40" \
    python3 - "$LOGDIR/tracking.log" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
hdr = ("   Date (UTC) Time     IP Address   St   Freq ppm   Skew ppm     Offset"
       " L Co  Offset sd Rem. corr. Root delay Root disp. Max. error")
assert lines[1] == hdr, lines[:3]
e = r"[ -]\d\.\d{3}e[-+]\d\d"
row = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 127\.0\.0\.1 {8}2 [ \d-]{5}\d\.\d{3} "
                 r"[ \d]{5}\d\.\d{3} " + e + r" [N+?-] [ \d]\d" + (" " + e) * 5 + "$")
rows = [l for l in lines if not l.startswith("=") and not l.startswith("   Date")]
for l in rows:
    assert row.match(l), repr(l)
    assert len(l.split()) == 14, l
# within its own error: a few seconds of samples under load may leave a
# skew of several ppm
last = rows[-1].split()
assert abs(float(last[4]) - 40) < 5 + 2 * float(last[5]), rows[-1]
PY
# logbanner 4: a banner before entries 1, 5, 9, ...
check "logbanner 4: a banner every 4 entries" python3 - \
    "$LOGDIR/tracking.log" <<'PY'
import sys
n = 0
for l in open(sys.argv[1]).read().splitlines():
    if l.startswith("   Date"):
        assert n % 4 == 0, n
    elif not l.startswith("="):
        n += 1
PY
check "logchange 0.1: chronyd's warning for the 0.3 s step" \
    grep -q "System clock wrong by -0.3[0-9]* seconds, adjustment started" \
    "$T/client.log"

# logrotate: move away, SIGHUP, a new file; the old one stops growing.
for f in measurements statistics tracking; do
	mv "$LOGDIR/$f.log" "$LOGDIR/$f.log.1"
done
kill -HUP "$CPID"
renewed() {
	for f in measurements statistics tracking; do
		[ -s "$LOGDIR/$f.log" ] || return 1
	done
}
check "SIGHUP: new files after the old ones were moved away" \
    wait_for 20 renewed
check "the new file starts with the banner" \
    sh -c "head -n 2 '$LOGDIR/measurements.log' | grep -q '^   Date (UTC) Time'"
old=$(wc -l <"$LOGDIR/measurements.log.1")
sleep 1
check "the moved file no longer grows" \
    test "$(wc -l <"$LOGDIR/measurements.log.1")" = "$old"
check "SIGHUP is logged" grep -q "SIGHUP received: log files reopened" \
    "$T/client.log"
check "the daemon is still running after SIGHUP" kill -0 "$CPID"

# Its server gone: chronyd's line for the loss of synchronisation, as the
# client hands over to its local reference (without one it would hold
# over on the silent source: e2e 051).
kill -TERM "$SPID"
unsync() {
	grep -Eq '^[-0-9]+ [0-9:]+ 0\.0\.0\.0 +0 .* \?  0 ' \
	    "$LOGDIR/tracking.log"
}
check "tracking.log: 0.0.0.0, stratum 0, leap ? once the source is lost" \
    wait_for 30 unsync || tail -n 3 "$LOGDIR/tracking.log" | sed 's/^/# /'

# A logdir that cannot be made: a clear error, and no daemon.
sed "s|^logdir .*|logdir $T/server.conf/log|" "$T/client.conf" >"$T/bad.conf"
sed -i "s|^bindcmdaddress .*|bindcmdaddress $T/bad.sock|" "$T/bad.conf"
if out=$("$TIMED" -d -f "$T/bad.conf" 2>&1); then
	not_ok "a logdir that cannot be created stops the start" "$out"
else
	check "a logdir that cannot be created: a clear error" \
	    contains "$out" "logdir $T/server.conf/log: cannot create it: "
fi

kill -TERM "$CPID"
check "client stops" wait_for 10 stopped "$CPID"
check "no engine was killed by seccomp" not_in_log "$T/client.log" "signal 31"
check "no record was refused" not_in_log "$T/client.log" "record refused"
finish
