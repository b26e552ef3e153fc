#!/bin/sh
# chronyc's commands and options that chrony users and their tools call,
# end to end on loopback: sourcename and -N (a pool's name), selectdata,
# reset sources, rekey (a key timectl keygen made), cyclelogs (a log
# file moved away), onoffline (a daemon in a network namespace of its
# own, with a source it has no route to), the commands timed does not
# offer, -m, -4/-6, -h with a host, --help and --version of both
# programs, one line for a bad option, and doffset.  Interleaved answers
# show in ntpdata.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

BASE=$((20000 + ($$ + 37) % 20000))
DNSPORT=$((40000 + ($$ + 3) % 10000))
SSOCK=$T/server.sock
CSOCK=$T/client.sock

cat >"$T/server.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.0/8
port $BASE
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $SSOCK
CONF
start_timed server "$T/server.conf"
SPID=$MPID

python3 "$top_srcdir/regress/dnsstub.py" $DNSPORT pool.test 127.0.0.1 &
PIDS="$PIDS $!"
echo "nameserver 127.0.0.1:$DNSPORT" >"$T/resolv.conf"
echo "1 SHA1 HEX:0123456789ABCDEF0123456789ABCDEF01234567" >"$T/client.keys"
chmod 600 "$T/client.keys"
mkdir -m 755 "$T/log"
cat >"$T/client.conf" <<CONF
clock virtual offset 0.01
pool pool.test port $BASE iburst minpoll -2 maxpoll -2 maxsources 1 xleave
server 127.0.0.2 port $BASE minpoll -2 maxpoll -2 noselect key 2
keyfile $T/client.keys
logdir $T/log
log measurements
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $CSOCK
CONF
TIMED_RESOLV_CONF=$T/resolv.conf start_timed client "$T/client.conf"
CPID=$MPID

tc() {
	"$T/timectl" -h "$CSOCK" "$@"
}
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$T/timectl" -h "$CSOCK" "$@"
}
synced() {
	tc -c -n sources | grep -q '^\^,\*,127\.0\.0\.1,'
}
check "the client synchronises to the pool's member" wait_for 30 synced

# sourcename and -N: the name configured, the pool's for its member
check "sourcename of the pool's member: the pool" \
    [ "$(tc sourcename 127.0.0.1)" = pool.test ]
out=$(tc sourcename 192.0.2.1)
rc=$?
check "sourcename of no source: 503, exit 1" \
    [ $rc -eq 1 -a "$out" = "503 No such source" ]
check "-N -c sources names the pool" contains "$(tc -N -c sources)" \
    '^\^,\*,pool\.test,1,-2,'
check "-n -c sources gives the address" contains "$(tc -n -c sources)" \
    '^\^,\*,127\.0\.0\.1,1,-2,'
check "-N sources (text) names the pool" contains "$(tc -N sources)" \
    '^\^\* pool\.test  '
check "-N tracking names the pool" contains "$(tc -N tracking)" \
    '^Reference ID    : 7F000001 (pool\.test)$'
check "sourcename as nobody" [ "$(as_nobody sourcename 127.0.0.1)" = pool.test ]

# selectdata
out=$(tc -n selectdata)
check "selectdata: the best source" contains "$out" \
    '^\* 127\.0\.0\.1  *N ----- ----- '
check "selectdata: the noselect one, N in its options" contains "$out" \
    '^N 127\.0\.0\.2  *Y N---- N---- '
check "selectdata -c: 18 fields" \
    [ "$(tc -c selectdata | awk -F, '{ print NF }' | sort -u)" = 18 ]
check "selectdata -j is JSON" sh -c "'$T/timectl' -h '$CSOCK' -j selectdata |
    python3 -c 'import json, sys; assert len(json.load(sys.stdin)) == 2'"
check "selectdata as nobody" sh -c "setpriv --reuid=nobody --regid=nogroup \
    --clear-groups '$T/timectl' -h '$CSOCK' selectdata >/dev/null"

# interleaved answers: the pool's member has xleave
interleaved() {
	tc ntpdata 127.0.0.1 | grep -q '^Interleaved     : Yes$'
}
check "ntpdata: the server answers interleaved" wait_for 10 interleaved

# reset sources: the samples go
samples() {
	tc -c -n sourcestats | awk -F, '$1 == "127.0.0.1" { print $2 }'
}
many() {
	[ "$(samples)" -ge 6 ]
}
check "six samples or more" wait_for 20 many
check "reset sources: 200 OK" [ "$(tc reset sources)" = "200 OK" ]
n=$(samples)
check "reset sources dropped the samples ($n left)" [ "$n" -le 2 ]
check "reset sources is logged" grep -q 'reset sources (uid 0)' \
    "$T/client.log"
check "synchronised again after the reset" wait_for 30 synced

# rekey: key 2, which the noselect source waits for, from keygen
key=$(tc keygen 2 SHA1)
check "keygen 2 SHA1: a keyfile line of 160 bits" sh -c \
    "echo '$key' | grep -q '^2 SHA1 HEX:[0-9A-F]\{40\}$'"
check "authdata before rekey: key 2 unknown" contains \
    "$(tc -c -n authdata)" '^127\.0\.0\.2,SK,2,0,0,'
echo "$key" >>"$T/client.keys"
check "rekey: 200 OK" [ "$(tc rekey)" = "200 OK" ]
known() {
	tc -c -n authdata | grep -q '^127\.0\.0\.2,SK,2,2,160,'
}
check "rekey: the engine has key 2 (SHA1, 160 bits)" wait_for 5 known
echo "3 SHA1 HEX:nothex" >>"$T/client.keys"
out=$(tc rekey)
check "rekey with a bad keyfile: 500 Failure" [ "$out" = "500 Failure" ]
check "and the keys in use stay" known
check "keygen AES128: 128 bits" sh -c "'$T/timectl' keygen 9 AES128 |
    grep -q '^9 AES128 HEX:[0-9A-F]\{32\}$'"
out=$(tc keygen 1 NOSUCH 2>&1)
rc=$?
check "keygen of an unknown type: exit 1" [ $rc -eq 1 ]

# cyclelogs: a log moved away is written anew
check "measurements.log written" wait_for 10 test -s "$T/log/measurements.log"
mv "$T/log/measurements.log" "$T/log/measurements.log.1"
check "cyclelogs: 200 OK" [ "$(tc cyclelogs)" = "200 OK" ]
check "cyclelogs: a new measurements.log" wait_for 10 \
    test -s "$T/log/measurements.log"

# the changes are root's
for cmd in onoffline "reset sources" rekey cyclelogs "smoothtime reset"; do
	out=$(as_nobody $cmd 2>&1)
	rc=$?
	check "$cmd as nobody: 501 Not authorised, exit 1" \
	    [ $rc -eq 1 -a "$out" = "501 Not authorised" ]
done

# what timed does not offer: chronyc's answer when chronyd has it off
out=$(tc settime 10:00)
rc=$?
check "settime: 505, exit 1" \
    [ $rc -eq 1 -a "$out" = "505 Facility not enabled in daemon" ]
check "rtcdata: 513" [ "$(tc rtcdata)" = "513 RTC driver not running" ]
# smoothing, without smoothtime: the daemon's 505, as chronyd's
out=$(tc smoothing)
rc=$?
check "smoothing without smoothtime: 505, exit 1" \
    [ $rc -eq 1 -a "$out" = "505 Facility not enabled in daemon" ]
out=$(tc smoothtime activate)
rc=$?
check "smoothtime activate without smoothtime: 505, exit 1" \
    [ $rc -eq 1 -a "$out" = "505 Facility not enabled in daemon" ]
check "an unknown command: exit 1" sh -c \
    "! '$T/timectl' -h '$CSOCK' bogus 2>/dev/null"

# -m: each argument a command, until one fails
out=$(tc -m activity 'sources -n')
check "-m runs the first command" contains "$out" '^2 sources online$'
check "-m runs the second" contains "$out" '^\^\* 127\.0\.0\.1 '
out=$(tc -m bogus activity 2>/dev/null)
rc=$?
check "-m stops at a failing command" [ $rc -eq 1 -a -z "$out" ]
check "dns -n before a command (-m)" contains \
    "$(tc -m 'dns -n' sources)" '^\^\* 127\.0\.0\.1 '

# -4, -6: a host name is looked up in that family
check "-4 burst by a host name that is no source's: its address" \
    [ "$(tc -4 burst 1/2 localhost)" = "200 OK" ]
out=$(tc -6 burst 1/2 localhost 2>&1)
check "-6: no IPv6 source: 503" [ "$out" = "503 No such source" ]

# the options
out=$("$T/timectl" -h 127.0.0.1 tracking 2>&1)
rc=$?
check "-h with a host: one line, exit 1" \
    [ $rc -eq 1 -a "$(printf '%s\n' "$out" | wc -l)" = 1 ]
check "-h with a host: -h takes a socket's path" contains "$out" \
    'takes the path of timed.s control socket'
for prog in timectl timed; do
	exe=$T/timectl
	[ $prog = timed ] && exe=$TIMED
	check "$prog --help" sh -c "'$exe' --help | grep -q -- '--version'"
	check "$prog --version" sh -c "'$exe' --version |
	    grep -q '^$prog .*version [0-9]'"
	out=$("$exe" -Z 2>&1)
	rc=$?
	check "$prog -Z: one line, exit 1" \
	    [ $rc -eq 1 -a "$(printf '%s\n' "$out" | wc -l)" = 1 ] ||
	    printf '%s\n' "$out" | sed 's/^/# /'
	out=$("$exe" --bogus 2>&1)
	check "$prog --bogus: one line" \
	    [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]
done
check "timectl --help lists the new commands" sh -c "'$T/timectl' --help |
    grep -q '^  onoffline ' && '$T/timectl' --help | grep -q '^  keygen '"

# onoffline: a daemon alone in a network namespace with loopback only;
# 127.0.0.1 is routable there, 192.0.2.77 and .78 are not; .78, with
# auto_offline, goes offline at its first request
cat >"$T/iso.conf" <<CONF
clock virtual
server 127.0.0.1 port $BASE minpoll 0 maxpoll 0
server 192.0.2.77 port $BASE minpoll 0 maxpoll 0
server 192.0.2.78 port $BASE minpoll 0 maxpoll 0 auto_offline
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $T/iso.sock
CONF
unshare -n sh -c 'ip link set lo up && exec "$0" -d -f "$1"' \
    "$TIMED" "$T/iso.conf" >"$T/iso.log" 2>&1 &
IPID=$!
PIDS="$PIDS $IPID"
check "a daemon in a namespace of its own" wait_for 10 \
    "$T/timectl" -h "$T/iso.sock" tracking
two_online() {
	"$T/timectl" -h "$T/iso.sock" -c activity | grep -q '^2,1,'
}
check "two sources online, the auto_offline one offline by itself" \
    wait_for 10 two_online
check "auto_offline: which one" grep -q 'source 192.0.2.78 offline' \
    "$T/iso.log"
check "onoffline: 200 OK" \
    [ "$("$T/timectl" -h "$T/iso.sock" onoffline)" = "200 OK" ]
check "onoffline: the ones without a route offline" contains \
    "$("$T/timectl" -h "$T/iso.sock" -c activity)" '^1,2,'
check "onoffline: which one" grep -q 'source 192.0.2.77 offline' \
    "$T/iso.log"
"$T/timectl" -h "$T/iso.sock" offline >/dev/null
check "onoffline brings the routable one back" sh -c \
    "'$T/timectl' -h '$T/iso.sock' onoffline >/dev/null &&
    '$T/timectl' -h '$T/iso.sock' -c activity | grep -q '^1,2,'"

# doffset: the server (no sources, virtual clock) taken to be 0.05 s
# ahead slews 0.05 s back, which its virtual clock's true offset shows;
# nobody may not, nor may anyone a slew the monitor's limits refuse
true_offset() {
	"$T/timectl" -h "$SSOCK" -j tracking |
	    sed -n 's/.*"virtual_true_offset": *\([-0-9.e]*\).*/\1/p'
}
slewed_back() {
	awk -v o="$(true_offset)" 'BEGIN { exit !(o < -0.049 && o > -0.051) }'
}
check "doffset: 200 OK" [ "$("$T/timectl" -h "$SSOCK" doffset 0.05)" = \
    "200 OK" ]
check "doffset: the clock slewed 0.05 s back" wait_for 10 slewed_back
check "doffset: logged as chronyd does" grep -q \
    'Accumulated delta offset of 0.050000 seconds' "$T/server.log"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$T/timectl" -h "$SSOCK" doffset 0.05 2>&1)
check "doffset as nobody: 501" [ "$out" = "501 Not authorised" ]
out=$("$T/timectl" -h "$SSOCK" doffset 1e300)
rc=$?
check "doffset beyond the limits: 500, exit 1" \
    [ $rc -eq 1 -a "$out" = "500 Failure" ]
check "doffset of no number: exit 1" sh -c \
    "! '$T/timectl' -h '$SSOCK' doffset 0.1x 2>/dev/null"
check "doffset: still 0.05 s back" slewed_back

kill -TERM "$IPID" "$CPID" "$SPID"
for p in $IPID $CPID $SPID; do
	check "daemon $p stops" wait_for 5 gone "$p"
done
check "no engine was killed by seccomp" sh -c \
    "! grep -q 'signal 31' '$T/client.log' '$T/iso.log' '$T/server.log'"
finish
