#!/bin/sh
# local ... orphan, as chronyd's, through the monitor and the engine: two
# servers on loopback, each with "local stratum 5 orphan" and both as
# sources, no source beyond.  Each marks the other an orphan (O) and
# neither follows the other: on loopback our address toward either is
# 127.0.0.1, smaller than both, so each serves its local clock (stratum
# 5, 7F7F0101).  Without orphan each takes the other, a stratum-5
# source.  Who leads a group with addresses of their own: sim-check.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

BASE=$((20000 + ($$ + 43) % 20000))
NET=127.57.$(($$ % 250 + 1))
A=$NET.1
B=$NET.2

# node NAME ADDRESS
node() {
	cat >"$T/$1.conf" <<CONF
clock virtual offset $3
local stratum 5 orphan
server $A port $BASE iburst minpoll -2 maxpoll -2
server $B port $BASE iburst minpoll -2 maxpoll -2
allow 127.0.0.0/8
port $BASE
bindaddress $2
user nobody
chrootdir $T/empty
bindcmdaddress $T/$1.sock
CONF
	start_timed "$1" "$T/$1.conf"
}
node a "$A" 0.0
node b "$B" 0.05

tc() {
	_n=$1
	shift
	"$T/timectl" -n -h "$T/$_n.sock" "$@"
}
orphans() {
	contains "$(tc a selectdata)" "^O $B " &&
	    contains "$(tc b selectdata)" "^O $A "
}
check "each marks the other an orphan (O)" wait_for 30 orphans
for n in a b; do
	check "$n serves its local clock at stratum 5" \
	    contains "$(tc $n tracking)" "^Stratum *: 5$"
	check "$n's reference is the local one" \
	    contains "$(tc $n tracking)" "^Reference ID *: 7F7F0101"
	check "$n never selected a source" not_in_log "$T/$n.log" \
	    "selected source"
done
finish
