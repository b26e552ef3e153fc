#!/bin/sh
# timectl prints what chronyc 4.3 prints in the same constellation: two
# clients with the same sources on loopback, a timed one (virtual clock)
# read with timectl and chronyd -x read with chronyc; 127.0.0.1 is a
# timed server (local stratum 1), started only after a first comparison
# (the state before the first sample), and 127.0.0.9 never answers.
# Every command's text and CSV is compared: the state before the first
# sample and the lines of 127.0.0.9 as they are, the rest with the
# numbers masked (the clocks and their measurements differ).
. "${top_srcdir:-.}/regress/e2e/lib.sh"

need_chrony

BASE=$((20000 + ($$ + 41) % 20000))
CSOCK=$T/client.sock
CHSOCK=$T/chrony/chronyd.sock
mkdir -m 770 "$T/chrony"
chown nobody:"$(id -gn nobody)" "$T/chrony"

SOURCES="server 127.0.0.1 port $BASE iburst minpoll -2 maxpoll -2
server 127.0.0.9 port $BASE minpoll 0 maxpoll 0"
cat >"$T/client.conf" <<CONF
clock virtual
$SOURCES
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $CSOCK
CONF
cat >"$T/chrony.conf" <<CONF
$SOURCES
bindcmdaddress $CHSOCK
cmdport 0
pidfile $T/chrony/chronyd.pid
CONF
start_timed client "$T/client.conf"
CPID=$MPID
"$chronyd" -x -d -u nobody -f "$T/chrony.conf" >"$T/chronyd.log" 2>&1 &
HPID=$!
PIDS="$PIDS $HPID"
check "timed answers timectl" wait_for 10 "$T/timectl" -h "$CSOCK" tracking
check "chronyd answers chronyc" wait_for 10 "$chronyc" -h "$CHSOCK" tracking

# the numbers, units, dates and signs' words of a report masked, and
# the blanks that pad them
mask() {
	sed -E -e 's/(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/DAY/g' \
	    -e 's/[-+]?[0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h|d|y)?\b/#/g' \
	    -e 's/(fast|slow)/F/g' -e 's/ +//g'
}

# same HOW WHAT CMD...: chronyc's and timectl's output of CMD, equal
# as they are (HOW exact), with the numbers masked (masked), or only
# their lines matching WHAT (a regex), as they are.
same() {
	_how=$1
	_what=$2
	shift 2
	"$chronyc" -h "$CHSOCK" "$@" >"$T/c.out" 2>&1
	"$T/timectl" -h "$CSOCK" "$@" >"$T/t.out" 2>&1
	case $_how in
	masked)
		mask <"$T/c.out" >"$T/c.cmp"
		mask <"$T/t.out" >"$T/t.cmp"
		;;
	lines)
		grep -E -- "$_what" "$T/c.out" | grep -v '^Total TX' >"$T/c.cmp"
		grep -E -- "$_what" "$T/t.out" | grep -v '^Total TX' >"$T/t.cmp"
		;;
	*)
		cp "$T/c.out" "$T/c.cmp"
		cp "$T/t.out" "$T/t.cmp"
		;;
	esac
	if [ -s "$T/c.cmp" ] && cmp -s "$T/c.cmp" "$T/t.cmp"; then
		ok "$_phase: $* ($_how)"
	else
		not_ok "$_phase: $* ($_how)" "$(diff -u "$T/c.out" "$T/t.out")"
	fi
}

# the reports both print the same way in either phase
common() {
	for cmd in sources "sources -v" "-c sources" "-N sources" \
	    "-n sources" "sourcestats -v" ntpdata "-c ntpdata" \
	    "ntpdata 127.0.0.1" "-c ntpdata 127.0.0.1" activity \
	    "-c activity" "selectdata -v" "authdata -v" \
	    "sourcename 127.0.0.1" "-c sourcename 127.0.0.9" \
	    "ntpdata 192.0.2.1"; do
		same masked "" $cmd
	done
	# the source that never answers, whole
	for cmd in sources "-c sources" sourcestats "-c sourcestats" \
	    authdata "-c authdata" "-c selectdata" "ntpdata 127.0.0.9" \
	    "-n sources" "-N -c sources"; do
		same lines '127\.0\.0\.9|^[A-Z][A-Za-z ]*:' $cmd
	done
}

_phase="before the first sample"
for cmd in tracking "-c tracking" "-n tracking" sourcestats \
    "-c sourcestats" authdata "-c authdata" selectdata "-c selectdata"; do
	same exact "" $cmd
done
common

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
both_synced() {
	"$chronyc" -h "$CHSOCK" -c sources | grep -q '^\^,\*,127\.0\.0\.1,' &&
	    "$T/timectl" -h "$CSOCK" -c sources | grep -q '^\^,\*,127\.0\.0\.1,'
}
check "both clients select the timed server" wait_for 30 both_synced

_phase="synchronised"
for cmd in tracking "-c tracking" "-N tracking" sourcestats \
    "-c sourcestats" selectdata "-c selectdata" authdata "-c authdata"; do
	same masked "" $cmd
done
common
# chronyc's eleven server counters come first
"$chronyc" -h "$CHSOCK" serverstats | mask >"$T/c.cmp"
"$T/timectl" -h "$CSOCK" serverstats | head -n 11 | mask >"$T/t.cmp"
check "serverstats: chronyc's eleven lines first" cmp -s "$T/c.cmp" "$T/t.cmp"
"$chronyc" -h "$CHSOCK" -c serverstats | mask >"$T/c.cmp"
"$T/timectl" -h "$CSOCK" -c serverstats | cut -d, -f1-11 | mask >"$T/t.cmp"
check "-c serverstats: chronyc's eleven fields first" \
    cmp -s "$T/c.cmp" "$T/t.cmp"

kill -TERM "$HPID" "$CPID" "$SPID"
for p in $HPID $CPID $SPID; do
	check "daemon $p stops" wait_for 5 gone "$p"
done
finish
