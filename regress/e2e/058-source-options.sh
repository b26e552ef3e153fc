#!/bin/sh
# chronyd's source options offline, ipv4, ipv6 and copy, through the
# monitor and the engine.  A name (served by the test's own DNS
# responder) has an IPv4 and an IPv6 address on loopback, each with a
# timed server behind it: "ipv4" polls the first, "ipv6" the second.  An
# "offline" source sends nothing until timectl online, then answers.
# The ipv4 one has "copy": selected (its stratum one less weighs less),
# it makes the client's stratum and reference ID its server's.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

if ! ip -6 addr show dev lo 2>/dev/null | grep -q "::1"; then
	echo "SKIP: no ::1 on lo"
	exit 77
fi
PORT=$((20000 + ($$ + 59) % 20000))
DNSPORT=$((40000 + ($$ + 7) % 10000))
NET=127.58.$(($$ % 250 + 1))

# server NAME ADDRESS
server() {
	cat >"$T/$1.conf" <<CONF
clock virtual
local stratum 1
allow all
port $PORT
bindaddress $2
user nobody
chrootdir $T/empty
bindcmdaddress $T/$1.sock
CONF
	start_timed "$1" "$T/$1.conf"
}
server v4 "$NET.1"
server v6 ::1
server off "$NET.3"
python3 "$top_srcdir/regress/dnsstub.py" $DNSPORT dual.test "$NET.1" ::1 &
PIDS="$PIDS $!"
echo "nameserver 127.0.0.1:$DNSPORT" >"$T/resolv.conf"

cat >"$T/client.conf" <<CONF
clock virtual offset 0.01
server dual.test port $PORT iburst minpoll -2 maxpoll -2 ipv4 copy
server dual.test port $PORT iburst minpoll -2 maxpoll -2 ipv6
server $NET.3 port $PORT iburst minpoll -2 maxpoll -2 offline
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $T/client.sock
CONF
TIMED_RESOLV_CONF=$T/resolv.conf start_timed client "$T/client.conf"

sources() {
	"$T/timectl" -n -h "$T/client.sock" sources
}
# reach NAME: the source's reach register, octal as timectl shows it
reach() {
	sources | awk -v a="$1" '$2 == a { print $4 }'
}
answered() {
	r=$(reach "$1")
	[ -n "$r" ] && [ "$r" != 0 ]
}
check "ipv4: the name's IPv4 address, answering" wait_for 20 \
    answered "$NET.1"
check "ipv6: the name's IPv6 address, answering" wait_for 20 answered ::1
check "two sources of dual.test, no other address of it" \
    [ "$(sources | grep -c "^\^. \($NET\.1\|::1\) ")" = 2 ]
tracking() {
	"$T/timectl" -n -h "$T/client.sock" tracking
}
copied() {
	contains "$(tracking)" "^Reference ID *: 7F7F0101 " &&
	    contains "$(tracking)" "^Stratum *: 1$"
}
check "copy: the server's stratum 1 and reference ID (local)" \
    wait_for 20 copied
check "offline: listed, never answered" [ "$(reach "$NET.3")" = 0 ]
check "offline: the server counted no request" \
    [ "$(stat_of "$T/off.sock" ntp_packets_received)" = 0 ]
check "timectl online: 200 OK" \
    [ "$("$T/timectl" -h "$T/client.sock" online "$NET.3")" = "200 OK" ]
check "online: it answers" wait_for 20 answered "$NET.3"
check "and the server counted its requests" \
    [ "$(stat_of "$T/off.sock" ntp_packets_received)" -gt 0 ]
finish
