#!/bin/sh
# pool: up to maxsources addresses of one name; a member that stays
# unreachable gives its place to another address of the pool.  The name
# is served by a small DNS responder of the test's own, on loopback.
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
	"$T/timectl" -h "$T/client.sock" sources
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
finish
