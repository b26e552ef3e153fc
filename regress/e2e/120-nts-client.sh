#!/bin/sh
# The NTS client against chronyd 4.3's NTS server (-x, local stratum 1):
# NTS-KE over TLS 1.3 with a certificate the test makes, then
# NTS-protected polls; the client selects chronyd and agrees with it.
# Answers changed on the way (a relay flips a byte of every third
# authenticator) are dropped and counted; a client that does not trust
# the certificate never uses the server, until SIGHUP gives it trusted
# certificates that name it; chronyd restarted with a new
# key: the client gets an NTS NAK, runs NTS-KE again and stays in sync;
# its keys and cookies survive a restart (ntsdumpdir); nocerttimecheck
# lets a certificate that is not valid yet through.  Then a timed client
# of a timed NTS server, which NAKs old cookies after a restart.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

for c in openssl python3; do
	if ! command -v $c >/dev/null 2>&1; then
		echo "SKIP: no $c command"
		exit 77
	fi
done
need_chrony

PORT=$((20000 + ($$ + 29) % 20000))
KEPORT=$((PORT + 1))
SOCK=$T/client.sock

# mkcert NAME: a self-signed P-256 certificate for localhost and the
# two loopback addresses (the relay listens on the second).
mkcert() {
	make_cert "$T/$1.key" "$T/$1.crt" \
	    DNS:localhost,IP:127.0.0.1,IP:127.0.0.2
}
mkcert server
mkcert other
mkdir -m 770 "$T/chrony"
chown nobody:"$(id -gn nobody)" "$T/chrony" "$T/server.key"
chmod 600 "$T/server.key"

cat >"$T/chrony.conf" <<CONF
local stratum 1
allow 127.0.0.1
port $PORT
bindaddress 127.0.0.1
bindcmdaddress /
cmdport 0
pidfile $T/chrony/chronyd.pid
ntsserverkey $T/server.key
ntsservercert $T/server.crt
ntsport $KEPORT
ntsdumpdir $T/chrony
CONF
start_chronyd() {
	"$chronyd" -x -d -u nobody -f "$T/chrony.conf" >>"$T/chronyd.log" 2>&1 &
	CPID=$!
	PIDS="$PIDS $CPID"
}
start_chronyd

# client_conf NAME TRUSTED-CERT ADDRESS [POLL]: a timed client of chronyd
# over NTS.
client_conf() {
	cat <<CONF
clock virtual offset 0.01
server $3 port $PORT nts ntsport $KEPORT iburst minpoll ${4:--2} maxpoll ${4:--2}
ntstrustedcerts $T/$2.crt
makestep 0.1 3
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $T/$1.sock
CONF
}
# Polls every 0.5 s: the 8 cookies last through chronyd's restart.
mkdir -m 700 "$T/dump"
{ client_conf client server 127.0.0.1 -1; echo "ntsdumpdir $T/dump"; } \
    >"$T/client.conf"
start_timed client "$T/client.conf"
CLIENT=$MPID

# authdata_field SOCK FIELD: the first source's FIELD of authdata -j.
authdata_field() {
	"$T/timectl" -h "$1" -j authdata | python3 -c '
import json, sys
print(json.load(sys.stdin)[0][sys.argv[1]])' "$2"
}
# field_ge SOCK FIELD N: authdata's FIELD is at least N.
field_ge() {
	test "$(authdata_field "$1" "$2")" -ge "$3"
}
# field_le_file SOCK FIELD FILE: authdata's FIELD is at most the number in
# FILE.
field_le_file() {
	test "$(authdata_field "$1" "$2")" -le "$(cat "$3")"
}
# lines_ge FILE REGEX N: at least N lines of FILE match.
lines_ge() {
	test "$(grep -c -- "$2" "$1")" -ge "$3"
}
selected() {
	"$T/timectl" -n -h "$1" sources | grep -q "^\^\* $2 "
}
agrees() {
	"$T/timectl" -h "$1" -j tracking | python3 -c '
import json, sys
t = json.load(sys.stdin)
sys.exit(0 if abs(t["virtual_true_offset"]) < 1e-3 and t["stratum"] == 2
         else 1)'
}
check "NTS-KE with chronyd" wait_for 30 grep -q \
    "source 127.0.0.1: NTS-KE done" "$T/client.log"
check "the timed client selects chronyd over NTS (*)" \
    wait_for 60 selected "$SOCK" 127.0.0.1
check "and agrees with it within 1 ms" wait_for 30 agrees "$SOCK" ||
    "$T/timectl" -h "$SOCK" tracking | sed 's/^/# /'
out=$("$T/timectl" -n -h "$SOCK" authdata)
printf '%s\n' "$out" | sed 's/^/# /'
check "authdata: NTS, AEAD 15, 256-bit keys, cookies of chronyd" \
    contains "$out" "^127\.0\.0\.1  *NTS  *1  *15  256  *[0-9]*  *0  *0  *[4-8]  *1[0-9][0-9]$"
check "authdata -c" contains "$("$T/timectl" -h "$SOCK" -c authdata)" \
    "^127\.0\.0\.1,NTS,1,15,256,[0-9]*,0,0,[4-8],1[0-9][0-9]$"
check "ntpdata: authenticated" contains \
    "$("$T/timectl" -h "$SOCK" ntpdata)" "^Authenticated   : Yes"
check "sources -j: nts" contains "$("$T/timectl" -h "$SOCK" -j sources)" \
    '"nts":true'
check "no answer failed authentication" \
    test "$(authdata_field "$SOCK" auth_failed)" = 0

# chronyd restarted without its key file: a new key, our cookies are
# refused with an NTS NAK, and NTS-KE runs again.
kill -TERM "$CPID"
check "chronyd stops" wait_for 10 gone "$CPID"
rm -f "$T/chrony/ntskeys"
start_chronyd
check "the new chronyd answers with an NTS NAK" wait_for 30 grep -q \
    "source 127.0.0.1: NTS NAK" "$T/client.log"
check "NTS-KE runs again" wait_for 30 lines_ge "$T/client.log" \
    "source 127.0.0.1: NTS-KE done" 2
check "authdata counts the exchanges" wait_for 10 field_ge "$SOCK" key_id 2
check "and the client keeps its sync" wait_for 30 selected "$SOCK" 127.0.0.1
check "within 1 ms" wait_for 30 agrees "$SOCK"

# ntsdumpdir: the keys and cookies saved at exit, taken back at start.
kill -TERM "$CLIENT"
check "the client stops" wait_for 10 gone "$CLIENT"
DUMP=$T/dump/127.0.0.1.nts
check "its NTS state is saved (127.0.0.1.nts)" test -s "$DUMP"
check "readable by root alone" test "$(stat -c %a "$DUMP")" = 600
check "with its cookies" grep -q "^cookie [0-9a-f]*$" "$DUMP"
start_timed client2 "$T/client.conf"
CLIENT=$MPID
check "the restarted client takes it back" wait_for 10 grep -q \
    "source 127.0.0.1: NTS keys and [1-8] cookie(s) from ntsdumpdir" \
    "$T/client2.log"
check "and selects chronyd" wait_for 30 selected "$SOCK" 127.0.0.1
check "without NTS-KE" not_in_log "$T/client2.log" "NTS-KE done"
check "the file is used once" test ! -e "$DUMP"

# A client that trusts another certificate never uses chronyd.
cp "$T/other.crt" "$T/trust.crt"
client_conf wrong trust 127.0.0.1 >"$T/wrong.conf"
start_timed wrong "$T/wrong.conf"
WRONG=$MPID
check "the wrong certificate is refused, and said so" wait_for 30 grep -q \
    "127.0.0.1: certificate verification failed" "$T/wrong.log"
check "the source is unusable, with the reason" grep -q \
    "source 127.0.0.1: NTS-KE failed: certificate verification failed; source unusable" \
    "$T/wrong.log"
sleep 3
out=$("$T/timectl" -n -h "$T/wrong.sock" sources)
check "never selected, never reached" \
    contains "$out" "^\^? 127\.0\.0\.1 .* 0 *- *+0ns\[ *+0ns\] +/- *0ns$" ||
    printf '%s\n' "$out" | sed 's/^/# /'
check "no NTP request was sent" contains \
    "$("$T/timectl" -h "$T/wrong.sock" ntpdata)" "^Total TX *: 0$"
# Told to trust chronyd's certificate (SIGHUP), it does not wait out the
# 1024 s before the next attempt.
cp "$T/server.crt" "$T/trust.crt"
kill -HUP "$WRONG"
check "SIGHUP reloads the trusted certificates" wait_for 10 grep -q \
    "SIGHUP: 1 NTS trusted certificate set(s) reloaded" "$T/wrong.log"
check "the failed source tries NTS-KE again at once" wait_for 10 grep -q \
    "source 127.0.0.1: new trusted certificates: NTS-KE again" \
    "$T/wrong.log"
check "and gets its keys" wait_for 10 grep -q \
    "source 127.0.0.1: NTS-KE done" "$T/wrong.log"
check "then gets authenticated answers from chronyd" wait_for 20 field_ge \
    "$T/wrong.sock" authenticated 1
kill -TERM "$WRONG"
check "the wrong client stops" wait_for 10 gone "$WRONG"

# Through a relay that changes one byte of every third answer.
python3 "$top_srcdir/regress/ntsrelay.py" 127.0.0.2 127.0.0.1 $PORT $KEPORT \
    3 "$T/flipped" >"$T/relay.log" 2>&1 &
RPID=$!
PIDS="$PIDS $RPID"
wait_for 5 test -s "$T/flipped"
client_conf relayed server 127.0.0.2 >"$T/relayed.conf"
start_timed relayed "$T/relayed.conf"
RELAYED=$MPID
RSOCK=$T/relayed.sock
check "NTS through the relay" wait_for 60 selected "$RSOCK" 127.0.0.2
check "changed answers are counted as failed authentication" wait_for 30 \
    field_ge "$RSOCK" auth_failed 3
# A changed answer that comes after the next poll finds its socket closed.
check "no unchanged answer was refused" \
    field_le_file "$RSOCK" auth_failed "$T/flipped"
check "the relayed client agrees within 1 ms" wait_for 30 agrees "$RSOCK"
good_rx() {
	"$T/timectl" -h "$RSOCK" ntpdata | awk '/Total good RX/ { g = $NF }
	    END { print g + 0 }'
}
check "only authenticated answers were used" test "$(good_rx)" -le \
    "$(authdata_field "$RSOCK" authenticated)"
kill -TERM "$RELAYED"
check "the relayed client stops" wait_for 10 gone "$RELAYED"

# nocerttimecheck: a certificate valid from 2099 on, for a clock that
# starts far off, served by a second chronyd.
mkdir "$T/ca" "$T/chrony2"
touch "$T/ca/index.txt"
echo 01 >"$T/ca/serial"
cat >"$T/ca/ca.cnf" <<CONF
[ca]
default_ca = d
[d]
database = $T/ca/index.txt
serial = $T/ca/serial
new_certs_dir = $T/ca
default_md = sha256
policy = p
copy_extensions = copy
[p]
commonName = supplied
CONF
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$T/future.key" -out "$T/ca/future.csr" 2>/dev/null
openssl ca -batch -selfsign -keyfile "$T/future.key" -in "$T/ca/future.csr" \
    -out "$T/future.crt" -startdate 20991231000000Z \
    -enddate 21000101000000Z -config "$T/ca/ca.cnf" >/dev/null 2>&1
chown nobody:"$(id -gn nobody)" "$T/chrony2" "$T/future.key"
chmod 600 "$T/future.key"
PORT2=$((PORT + 2))
KEPORT2=$((PORT + 3))
sed -e "s|^port .*|port $PORT2|" -e "s|^ntsport .*|ntsport $KEPORT2|" \
    -e "s|$T/chrony|$T/chrony2|g" -e "s|$T/server\.|$T/future.|" \
    "$T/chrony.conf" >"$T/chrony2.conf"
"$chronyd" -x -d -u nobody -f "$T/chrony2.conf" >"$T/chronyd2.log" 2>&1 &
C2PID=$!
PIDS="$PIDS $C2PID"
future_conf() {
	cat <<CONF
clock virtual offset 0.01
server 127.0.0.1 port $PORT2 nts ntsport $KEPORT2 iburst minpoll -2 maxpoll -2
ntstrustedcerts $T/future.crt
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $T/$1.sock
CONF
}
{ future_conf future; echo "nocerttimecheck 1"; } >"$T/future.conf"
future_conf strict >"$T/strict.conf"
start_timed future "$T/future.conf"
FUTURE=$MPID
start_timed strict "$T/strict.conf"
STRICT=$MPID
check "nocerttimecheck 1: a certificate not valid yet is taken" \
    wait_for 30 grep -q "source 127.0.0.1: NTS-KE done" "$T/future.log"
check "and the source is selected" \
    wait_for 30 selected "$T/future.sock" 127.0.0.1
check "without nocerttimecheck it is refused" wait_for 30 grep -q \
    "127.0.0.1: certificate verification failed: certificate is not yet valid" \
    "$T/strict.log"
kill -TERM "$FUTURE" "$STRICT" "$C2PID"
check "those clients stop" wait_for 10 sh -c \
    "! kill -0 $FUTURE 2>/dev/null && ! kill -0 $STRICT 2>/dev/null"

for l in client client2 wrong relayed future strict; do
	check "no engine killed by seccomp ($l)" not_in_log "$T/$l.log" \
	    "signal 31"
	check "no engine killed ($l)" not_in_log "$T/$l.log" "killed by signal"
done
kill -TERM "$CLIENT" "$CPID" "$RPID"
check "timed stops" wait_for 10 gone "$CLIENT"
check "chronyd stops" wait_for 10 gone "$CPID"

# A timed client of a timed NTS server; the server restarted without its
# keys (no ntsdumpdir: a new master key) NAKs the old cookies, the client
# runs NTS-KE again and keeps its sync.
TPORT=$((PORT + 10))
TKEPORT=$((PORT + 11))
cat >"$T/tserver.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.0/8
port $TPORT
bindaddress 127.0.0.1
ntsservercert $T/server.crt
ntsserverkey $T/server.key
ntsport $TKEPORT
user nobody
chrootdir $T/empty
bindcmdaddress $T/tserver.sock
CONF
cat >"$T/tclient.conf" <<CONF
clock virtual offset 0.01
server 127.0.0.1 port $TPORT nts ntsport $TKEPORT iburst minpoll -2 maxpoll -2
ntstrustedcerts $T/server.crt
makestep 0.1 3
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $T/tclient.sock
CONF
start_timed tserver "$T/tserver.conf"
TSERVER=$MPID
start_timed tclient "$T/tclient.conf"
TCLIENT=$MPID
check "timed client, timed server: NTS-KE" wait_for 30 grep -q \
    "source 127.0.0.1: NTS-KE done" "$T/tclient.log"
check "the timed client selects the timed server over NTS (*)" \
    wait_for 60 selected "$T/tclient.sock" 127.0.0.1
check "and agrees with it within 1 ms" wait_for 30 agrees "$T/tclient.sock"
check "authdata: cookies, no failure" sh -c "
    test \"\$('$T/timectl' -h '$T/tclient.sock' -j authdata | python3 -c '
import json, sys
a = json.load(sys.stdin)[0]
print(int(a[\"mode\"] == \"NTS\" and a[\"cookies\"] > 0 and
          a[\"auth_failed\"] == 0))')\" = 1"
check "the server counts authenticated requests" sh -c \
    "'$T/timectl' -h '$T/tserver.sock' -j serverstats | python3 -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if s[\"authenticated_ntp_packets\"] > 0 else 1)'"
kill -TERM "$TSERVER"
check "the timed server stops" wait_for 10 gone "$TSERVER"
start_timed tserver2 "$T/tserver.conf"
TSERVER=$MPID
check "the restarted timed server's NAK reaches the client" \
    wait_for 30 grep -q "source 127.0.0.1: NTS NAK" "$T/tclient.log"
check "NTS-KE runs again" wait_for 30 lines_ge "$T/tclient.log" \
    "source 127.0.0.1: NTS-KE done" 2
check "and the timed client keeps its sync" \
    wait_for 30 selected "$T/tclient.sock" 127.0.0.1
for l in tserver tserver2 tclient; do
	check "no engine killed ($l)" not_in_log "$T/$l.log" "killed by signal"
done
kill -TERM "$TCLIENT" "$TSERVER"
check "timed client and server stop" wait_for 10 sh -c \
    "! kill -0 $TCLIENT 2>/dev/null && ! kill -0 $TSERVER 2>/dev/null"
finish
