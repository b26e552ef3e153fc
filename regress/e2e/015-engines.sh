#!/bin/sh
# The engine's two programs: a configuration without cryptography (no NTS
# source, no NTS server, no keyfile, no sourcedir) runs timed-engine-plain,
# which links and maps no libcrypto or libssl, and serves and syncs as
# the other; a keyfile or an NTS source runs timed-engine.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

NTPC="python3 $top_srcdir/regress/ntpclient.py"
PORT=$((20000 + ($$ + 15) % 20000))
SSOCK=$T/server.sock
CSOCK=$T/client.sock
PLAIN=$top_builddir/timed-engine-plain
FULL=$top_builddir/timed-engine

check "timed-engine-plain needs no libssl or libcrypto" sh -c \
    "readelf -d '$PLAIN' | grep -q NEEDED &&
    ! readelf -d '$PLAIN' | grep NEEDED | grep -q 'libssl\|libcrypto'"
check "timed-engine-plain has no OpenSSL symbol" sh -c \
    "! nm -D '$PLAIN' | grep -q ' U \(SSL\|EVP\|OPENSSL\)_'"

# The simulation mode (timed.8) is regress/sim/timed-sim's alone: its
# in-process start of the engine is in no production program.
for prog in "$top_builddir/timed" "$PLAIN" "$FULL"; do
	check "$(basename "$prog") has no simulation entry" sh -c \
	    "nm '$prog' | grep -q ' main\$' &&
	    ! nm '$prog' | grep -q 'sim_engine_start'"
done
check "timed-sim has it" sh -c \
    "nm '$top_builddir/regress/sim/timed-sim' | grep -q 'sim_engine_start'"

cat >"$T/server.conf" <<CONF
clock virtual
local stratum 10
allow 127.0.0.0/8
port $PORT
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $SSOCK
CONF
# Trusted certificates are not cryptography in use: no source uses them.
echo "not a certificate" >"$T/trust.pem"
cat >"$T/client.conf" <<CONF
clock virtual offset 0.01
server 127.0.0.1 port $PORT iburst minpoll -2 maxpoll -2
ntstrustedcerts $T/trust.pem
makestep 1 3
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $CSOCK
CONF

# exe_of MONITOR: the path its engine runs.
exe_of() {
	readlink "/proc/$(engine_of "$1")/exe"
}
# maps_tls MONITOR: its engine maps libssl or libcrypto.
maps_tls() {
	grep -q 'libssl\|libcrypto' "/proc/$(engine_of "$1")/maps"
}

start_timed server "$T/server.conf"
SPID=$MPID
check "server answers timectl" wait_for 10 "$T/timectl" -h "$SSOCK" tracking
start_timed client "$T/client.conf"
CPID=$MPID
check "client answers timectl" wait_for 10 "$T/timectl" -h "$CSOCK" tracking

for m in "$SPID" "$CPID"; do
	check "$m: the engine is timed-engine-plain" \
	    test "$(exe_of "$m")" = "$(readlink -f "$PLAIN")"
	check "$m: its engine maps no libssl or libcrypto" sh -c \
	    "! grep -q 'libssl\|libcrypto' /proc/$(engine_of "$m")/maps"
done

out=$($NTPC 127.0.0.1 $PORT)
check "the plain server answers" test "$(printf '%s\n' "$out" | python3 -c \
    'import json,sys; print(json.load(sys.stdin)["answers"])')" = 1
synced() {
	"$T/timectl" -h "$CSOCK" -c sources | grep -q '^\^,\*,127\.0\.0\.1,'
}
check "the plain client selects its source" wait_for 20 synced
check "and is synchronised to it" wait_for 10 sh -c \
    "'$T/timectl' -n -h '$CSOCK' tracking | grep -q '^Reference ID.*127\\.0\\.0\\.1'"
check "serverstats: no NTS-KE" test "$(stat_of "$SSOCK" ntske_connections_accepted)" = 0

# A restarted engine is the same program.
e=$(engine_of "$CPID")
kill -KILL "$e"
check "a new plain engine after a crash" wait_for 10 sh -c \
    "p=\$(pgrep -P $CPID); [ -n \"\$p\" ] && [ \"\$p\" != $e ] &&
    [ \"\$(readlink /proc/\$p/exe)\" = '$(readlink -f "$PLAIN")' ]"

kill -TERM "$CPID" "$SPID"
check "the client stops" wait_for 10 gone "$CPID"
check "the server stops" wait_for 10 gone "$SPID"
check "no engine was killed by seccomp" sh -c \
    "! grep -q 'signal 31\|Bad system call' '$T/client.log' '$T/server.log'"

# Cryptography in use: the full engine, with OpenSSL.
cat >"$T/keys" <<KEYS
1 SHA1 HEX:0123456789abcdef0123456789abcdef01234567
KEYS
chmod 600 "$T/keys"
n=0
for extra in "keyfile $T/keys" "server 127.0.0.1 port $PORT nts"; do
	n=$((n + 1))
	sed -e "s|^bindcmdaddress .*|bindcmdaddress $T/full$n.sock|" \
	    -e '/^ntstrustedcerts/d' "$T/client.conf" >"$T/full$n.conf"
	echo "$extra" >>"$T/full$n.conf"
	start_timed "full$n" "$T/full$n.conf"
	check "$extra: the engine starts" wait_for 10 \
	    "$T/timectl" -h "$T/full$n.sock" tracking
	check "$extra: the engine is timed-engine" \
	    test "$(exe_of "$MPID")" = "$(readlink -f "$FULL")"
	check "$extra: its engine maps libcrypto" maps_tls "$MPID"
	kill -TERM "$MPID"
	check "$extra: timed stops" wait_for 10 gone "$MPID"
done

finish
