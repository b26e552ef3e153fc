#!/bin/sh
# pool: up to maxsources addresses of one name; a member that stays
# unreachable, or a falseticker, gives its place to another address of
# the pool.  The names are served by a small DNS responder of the test's
# own, on loopback.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

PORT=$((20000 + ($$ + 61) % 20000))
DNSPORT=$((40000 + $$ % 10000))
for i in 1 2 3; do
	cat >"$T/s$i.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.0/8
port $PORT
bindaddress 127.0.0.$i
user nobody
chrootdir $T/empty
bindcmdaddress $T/s$i.sock
CONF
	start_timed "s$i" "$T/s$i.conf"
done
# 127.0.0.4 comes first and has no server behind it.
python3 "$top_srcdir/regress/dnsstub.py" $DNSPORT pool.test \
    127.0.0.4 127.0.0.1 127.0.0.2 127.0.0.3 &
PIDS="$PIDS $!"
echo "nameserver 127.0.0.1:$DNSPORT" >"$T/resolv.conf"

cat >"$T/client.conf" <<CONF
clock virtual offset 0.1 frequency 10
pool pool.test port $PORT iburst minpoll -2 maxpoll -2 maxsources 3
makestep 0.05 3
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $T/client.sock
CONF
TIMED_RESOLV_CONF=$T/resolv.conf start_timed client "$T/client.conf"

sources() {
	"$T/timectl" -n -h "$T/client.sock" sources
}
three_from_dns() {
	out=$(sources)
	[ "$(printf '%s\n' "$out" | grep -c '^\^. 127\.0\.0\.')" = 3 ]
}
check "the pool gives three sources" wait_for 20 three_from_dns
replaced() {
	out=$(sources)
	printf '%s\n' "$out" | grep -q '^\^[*+-] 127\.0\.0\.3 ' &&
	    ! printf '%s\n' "$out" | grep -q '127\.0\.0\.4'
}
check "the unreachable member is replaced by another, which is used" \
    wait_for 30 replaced || sources | sed 's/^/# /'
synced() {
	"$T/timectl" -h "$T/client.sock" -j tracking | python3 -c '
import json, sys
t = json.load(sys.stdin)
sys.exit(0 if t["stratum"] == 2 and abs(t["virtual_true_offset"]) < 1e-3
         else 1)'
}
check "and the client syncs from the pool" wait_for 30 synced
sources | sed 's/^/# /'
check "the replacement was logged" grep -q "unreachable, replacing it" \
    "$T/client.log"
check "no engine was killed by seccomp" not_in_log "$T/client.log" "signal 31"
kill -TERM "$MPID"
check "the client stops" wait_for 5 gone "$MPID"

# A falseticker: 127.0.0.5 serves a clock 1 s ahead, and comes first.
cat >"$T/s5.conf" <<CONF
clock virtual offset 1.0
local stratum 1
allow 127.0.0.0/8
port $PORT
bindaddress 127.0.0.5
user nobody
chrootdir $T/empty
bindcmdaddress $T/s5.sock
CONF
start_timed s5 "$T/s5.conf"
python3 "$top_srcdir/regress/dnsstub.py" $((DNSPORT + 1)) false.test \
    127.0.0.5 127.0.0.1 127.0.0.2 127.0.0.3 &
PIDS="$PIDS $!"
echo "nameserver 127.0.0.1:$((DNSPORT + 1))" >"$T/resolv2.conf"
sed 's/^pool pool.test/pool false.test/; s/client\.sock/client2.sock/' \
    "$T/client.conf" >"$T/client2.conf"
TIMED_RESOLV_CONF=$T/resolv2.conf start_timed client2 "$T/client2.conf"
sources2() {
	"$T/timectl" -n -h "$T/client2.sock" sources
}
false_marked() {
	sources2 | grep -q '^\^x 127\.0\.0\.5 '
}
check "the pool's falseticker is marked x" wait_for 20 false_marked ||
    sources2 | sed 's/^/# /'
false_replaced() {
	out=$(sources2)
	printf '%s\n' "$out" | grep -q '^\^[*+-] 127\.0\.0\.3 ' &&
	    ! printf '%s\n' "$out" | grep -q '127\.0\.0\.5'
}
check "the falseticker is replaced by another address, which is used" \
    wait_for 30 false_replaced || sources2 | sed 's/^/# /'
sources2 | sed 's/^/# /'
check "the falseticker's replacement was logged" \
    grep -q "127.0.0.5 a falseticker, replacing it" "$T/client2.log"
finish
