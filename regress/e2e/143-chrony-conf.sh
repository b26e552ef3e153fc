#!/bin/sh
# A chrony user's configuration (issue 16): timed -p and the start agree,
# and both take what chronyd 4.3 takes.
# - Lines chronyd 4.3 accepts (chronyd -x -p) are accepted by timed -p,
#   and lines it refuses are refused, each error with FILE:LINE.
# - What timed accepts and ignores is warned about (maxsources on a
#   server), every warning whole on a FILE:LINE line of its own.
# - A missing keyfile (Debian's chrony.conf names one that often does
#   not exist) is a warning: timed -p passes, the daemon starts, and
#   SIGHUP reads the keyfile once it is there.
# - A missing NTS certificate is an error of timed -p and of the start,
#   with the same FILE:LINE; a missing chroot or pid file directory is
#   made at start, as chronyd makes its directories.
. "${top_srcdir:-.}/regress/e2e/lib.sh"
need_chrony

# agree LINE: chronyd -x -p and timed -p give the same status on LINE.
agree() {
	printf '%s\n' "$1" >"$T/one.conf"
	"$chronyd" -x -p -f "$T/one.conf" >/dev/null 2>&1
	c=$?
	"$TIMED" -p -f "$T/one.conf" >/dev/null 2>"$T/one.err"
	t=$?
	[ "$c" = "$t" ] || { echo "chronyd $c, timed $t:" \
	    "$(cat "$T/one.err")"; return 1; }
	# an error names the file and the line
	[ "$t" = 0 ] || grep -q "^$T/one.conf:1: " "$T/one.err"
}

while IFS= read -r line; do
	check "as chronyd 4.3: $line" agree "$line"
done <<'LINES'
server c minpoll 6 maxpoll 4
log
ratelimit burst 300
pool c maxsources 20
server c maxdelay -1
server c key 1 nts
server c polltarget 6 version 3 filter 3 minsamples 4 maxsamples 8
server c offset -5e-5 minstratum 3 mindelay 1e-4 asymmetry 0.2 version 3 maxdelayratio 2
server c version 5 minstratum 20
peer c minpoll 4 key 1
fallbackdrift 16 19
fallbackdrift 10 6
leapsecmode slew
leapsecmode smear
server c BURST IBURST minpoll -100 maxpoll 100
local stratum 10 orphan distance -1
makestep 1 -1
makestep -1 3
maxchange 1000 1 2
corrtimeratio -1
corrtimeratio 3x
corrtimeratio
minsources 2x
port 70000
hwtimestamp eth0 minpoll 0 rxfilter all
hwtimestamp eth0 foo
maxsources 20
server c minpoll 6x
server c key 0
server c extfield F324
local stratum 16
smoothtime 400
include /nonexistent/*.conf
LINES

# Debian's chrony.conf, with a keyfile that is not there, loopback
# sources and the ignored directives of issue 16.
PORT=$((20000 + ($$ + 47) % 20000))
mkdir -m 755 "$T/conf.d" "$T/sources.d"
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
cat >"$T/chrony.conf" <<CONF
confdir $T/conf.d
server 127.0.0.1 port $PORT iburst burst minpoll -2 maxpoll -4
sourcedir $T/sources.d
keyfile $T/chrony.keys
driftfile $T/chrony.drift
ntsdumpdir $T/nts
log
logdir $T/log
maxupdateskew 100.0
makestep 1 3
leapsectz right/UTC
hwtimestamp *
local stratum 10 orphan
server 127.0.0.2 port $PORT polltarget 6 presend 3 filter 3 maxdelaydevratio 3 copy maxdelayquant 0.5 minsamples 4 maxsamples 8 extfield F323 maxsources 2 maxsources 3
clock virtual
port 0
user nobody
chrootdir $T/chroot/empty
pidfile $T/run/timed.pid
bindcmdaddress $T/client.sock
CONF
C=$T/chrony.conf

"$TIMED" -p -f "$C" >/dev/null 2>"$T/p.err"
check "timed -p: a missing keyfile is not an error" [ $? = 0 ]
for w in \
    "$C:4: warning: keyfile $T/chrony.keys: No such file or directory" \
    "$C:2: warning: server 127.0.0.1: maxpoll -4 is less than minpoll -2; maxpoll -2 used, as chronyd does" \
    "$C:14: warning: server: option 'maxsources' is only meaningful for pool; ignored"; do
	check "timed -p: ${w#"$C":}" grep -qF -- "$w" "$T/p.err"
done
check "timed -p: burst, orphan, presend, filter, copy, extfield... taken" \
    not_in_log "$T/p.err" \
    "option '\(burst\|orphan\|presend\|filter\|maxdelay[a-z]*\|copy\|extfield\|minsamples\|maxsamples\)'"
check "timed -p: one warning a line" [ "$(grep -c "^$C:14: warning: " \
    "$T/p.err")" = 2 ]

start_timed server "$T/server.conf"
SPID=$MPID
start_timed client "$C"
CPID=$MPID
check "the daemon starts without its keyfile" wait_for 10 \
    "$T/timectl" -h "$T/client.sock" tracking
check "and syncs from its source" wait_for 30 sh -c \
    "'$T/timectl' -h '$T/client.sock' sources | grep -q '^\^\*'"
check "the start warned as timed -p did" grep -qF \
    "$C:4: warning: keyfile $T/chrony.keys: No such file or directory" \
    "$T/client.log"
check "the start printed every warning whole" [ "$(grep -c \
    "^$C:14: warning: server: option 'maxsources' is only meaningful for pool; ignored$" \
    "$T/client.log")" = 2 ]
check "the chroot directory was made" test -d "$T/chroot/empty"
check "the pid file's directory was made" wait_for 5 test -f \
    "$T/run/timed.pid"
echo '1 SHA1 HEX:0011223344556677889900112233445566778899' \
    >"$T/chrony.keys"
kill -HUP "$CPID"
check "SIGHUP reads the keyfile once it is there" wait_for 10 grep -q \
    "keyfile $T/chrony.keys: 1 key(s)" "$T/client.log"

# A missing NTS certificate: the same FILE:LINE error from -p and start.
sed -e "s|^keyfile .*|ntsservercert $T/none.crt|" \
    -e "s|^driftfile .*|ntsserverkey $T/none.key|" \
    -e "s|client.sock|nts.sock|" -e "s|timed.pid|nts.pid|" "$C" \
    >"$T/nts.conf"
want="$T/nts.conf:4: ntsservercert $T/none.crt: No such file or directory"
"$TIMED" -p -f "$T/nts.conf" >/dev/null 2>"$T/pn.err"
check "timed -p: a missing certificate is an error" [ $? = 1 ]
check "timed -p: FILE:LINE" grep -qxF "$want" "$T/pn.err"
timeout 20 "$TIMED" -d -f "$T/nts.conf" >"$T/nts.log" 2>&1
check "the start: the same error" [ $? = 1 ]
check "the start: the same FILE:LINE" grep -qxF "$want" "$T/nts.log"

kill -TERM "$CPID" "$SPID"
check "the client stops" wait_for 10 gone "$CPID"
check "the server stops" wait_for 10 gone "$SPID"
finish
