#!/bin/sh
# ntsonly (timed.conf(5)): clients in the subnet get NTS answers only,
# the others get plain NTP as before.  A timed NTS server on loopback;
# regress/ntsload is the NTS client, regress/ntpclient.py the plain one,
# from 127.0.0.1 (named by ntsonly) and from 127.0.0.2 (not).
. "${top_srcdir:-.}/regress/e2e/lib.sh"

need_openssl
NTSLOAD=$top_builddir/regress/ntsload
NTPC="python3 $top_srcdir/regress/ntpclient.py"
PORT=$((20000 + ($$ + 23) % 20000))
KEPORT=$((PORT + 1))
SOCK=$T/timed.sock

make_cert "$T/key.pem" "$T/cert.pem"
cat >"$T/server.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.0/8
ntsonly 127.0.0.1
port $PORT
bindaddress 0.0.0.0
ntsport $KEPORT
ntsservercert $T/cert.pem
ntsserverkey $T/key.pem
user nobody
chrootdir $T/empty
bindcmdaddress $SOCK
CONF

start_timed server "$T/server.conf"
check "server up" wait_for 10 "$T/timectl" -h "$SOCK" tracking

out=$($NTPC -n 10 -w 1 127.0.0.1 $PORT)
check "ntsonly client, plain requests: no answer" json_ok "$out" \
    'o["sent"] == 10 and o["answers"] == 0'
check "the refusals are counted" test "$(stat_of "$SOCK" ntsonly_refused)" = 10
# A request with an extension field that is not NTS (type 0x2005, 28
# bytes: a last field is at least that, RFC 7822), and a transmit
# timestamp.
EF=23$(printf '00%.0s' $(seq 39))01020304050607082005001c$(printf '00%.0s' $(seq 24))
out=$($NTPC -x "$EF" -n 10 -w 1 127.0.0.1 $PORT)
check "ntsonly client, other extension fields: no answer" json_ok "$out" \
    'o["sent"] == 10 and o["answers"] == 0'
check "... counted as refused too" test "$(stat_of "$SOCK" ntsonly_refused)" = 20
out=$($NTPC -x "$EF" -b 127.0.0.2 -n 3 -w 2 127.0.0.1 $PORT)
check "another client, other extension fields: answered" json_ok "$out" \
    'o["answers"] == 3'

out=$($NTPC -b 127.0.0.2 -n 10 -w 2 127.0.0.1 $PORT)
check "another client, plain requests: answered" json_ok "$out" \
    'o["answers"] == 10 and o["bad"] == 0'
check "... and not counted as refused" test "$(stat_of "$SOCK" ntsonly_refused)" = 20

out=$("$NTSLOAD" -p $PORT -k $KEPORT -t 2 -w 4)
echo "# ntsload: $out"
check "ntsonly client, NTS requests: authenticated answers" \
    sh -c "echo '$out' | awk '\$2 > 0 && \$4 == 0 { ok = 1 } END { exit !ok }'"
check "the server counted them as authenticated" \
    test "$(stat_of "$SOCK" authenticated_ntp_packets)" -gt 0
check "timectl serverstats shows the refusals" sh -c \
    "'$T/timectl' -h '$SOCK' serverstats | grep -q '^Plain NTP refused (ntsonly): 20\$'"

# Without an NTS server the configuration is refused, with the reason.
grep -v '^ntsserv' "$T/server.conf" >"$T/nonts.conf"
out=$(timeout 10 "$TIMED" -d -f "$T/nonts.conf" 2>&1)
rc=$?
check "ntsonly without an NTS server: exit status 1" test $rc = 1
check "the error says why" contains "$out" "ntsonly needs an NTS server"

kill -TERM "$MPID"
check "server stops" wait_for 10 gone "$MPID"
check "no engine was killed" not_in_log "$T/server.log" "killed by signal"
finish
