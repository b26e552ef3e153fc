#!/bin/sh
# Symmetric keys (keyfile, RFC 5905 MACs, RFC 8573 AES-CMAC) with chronyd
# 4.3 (from Debian's archive, unpacked, always -x) both ways on loopback:
# chronyd polls a timed server with a SHA1 key (NTPv4, 20-byte digest),
# a SHA256 key (chronyd sends NTPv3 for a digest that long) and a key
# timed does not have (never answered, counted); timed polls chronyd with
# an AES128 key and selects it, and drops and counts the answers a relay
# changes on the way.  SIGHUP reads the keyfile again (key 9 is then
# answered).  A bad keyfile line stops the start with the file and the
# line; a source whose key is not in the keyfile is not polled.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

need_chrony

PORT=$((20000 + ($$ + 37) % 20000))
CPORT=$((PORT + 1))
SOCK=$T/timed.sock
CSOCK=$T/chrony/chronyd.sock

# Keys 1, 3 and 4 on both sides; 9 only chronyd's.
cat >"$T/timed.keys" <<KEYS
# timed's keys
1 SHA1 HEX:0123456789abcdef0123456789abcdef01234567
3 AES128 HEX:000102030405060708090a0b0c0d0e0f

4 SHA256 ASCII:long-enough-for-sha256
KEYS
cp "$T/timed.keys" "$T/chrony.keys"
echo "9 SHA1 HEX:00112233445566778899aabbccddeeff00112233" >>"$T/chrony.keys"
chmod 644 "$T"/*.keys

cat >"$T/server.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.0/8
port $PORT
bindaddress 127.0.0.1
bindaddress 127.0.0.2
bindaddress 127.0.0.3
keyfile $T/timed.keys
user nobody
chrootdir $T/empty
bindcmdaddress $SOCK
CONF
mkdir -m 770 "$T/chrony"
chown nobody:"$(id -gn nobody)" "$T/chrony"
cat >"$T/chrony.conf" <<CONF
server 127.0.0.1 port $PORT key 1 iburst minpoll -2 maxpoll -2
server 127.0.0.2 port $PORT key 4 iburst minpoll -2 maxpoll -2
server 127.0.0.3 port $PORT key 9 iburst minpoll -2 maxpoll -2
keyfile $T/chrony.keys
local stratum 1
allow 127.0.0.1
port $CPORT
bindaddress 127.0.0.1
bindcmdaddress $CSOCK
cmdport 0
pidfile $T/chrony/chronyd.pid
CONF

start_timed server "$T/server.conf"
SERVER=$MPID
check "timed server up" wait_for 10 "$T/timectl" -h "$SOCK" tracking
check "timed read the keyfile" grep -q "keyfile $T/timed.keys: 3 key(s)" \
    "$T/server.log"
"$chronyd" -x -d -u nobody -f "$T/chrony.conf" >"$T/chronyd.log" 2>&1 &
CPID=$!
PIDS="$PIDS $CPID"

# reached ADDRESS: chronyd has answers from timed at ADDRESS.
reached() {
	"$chronyc" -h "$CSOCK" -c -n sources 2>/dev/null |
	    awk -F, -v a="$1" '$3 == a && $6 != 0 { ok = 1 } END { exit !ok }'
}
not_reached() {
	! reached "$1"
}
# authenticated ADDRESS: chronyd's last answer from ADDRESS passed its MAC.
authenticated() {
	"$chronyc" -h "$CSOCK" -n ntpdata "$1" 2>/dev/null |
	    grep -q "^Authenticated *: Yes"
}
check "chronyd (SHA1 key) gets answers from timed" wait_for 30 \
    reached 127.0.0.1 || sed 's/^/# chronyd: /' "$T/chronyd.log"
check "and they are authenticated" wait_for 10 authenticated 127.0.0.1
check "chronyd (SHA256 key, NTPv3) gets answers from timed" \
    wait_for 30 reached 127.0.0.2
check "and they are authenticated" wait_for 10 authenticated 127.0.0.2
"$chronyc" -h "$CSOCK" -n ntpdata 127.0.0.2 2>/dev/null |
    grep -E "^(Version|Authenticated|Total)" | sed 's/^/# /'
check "a key timed does not have gets no answer" \
    not_reached 127.0.0.3
"$chronyc" -h "$CSOCK" -n sources | sed 's/^/# /'

mac_dropped() {
	"$T/timectl" -h "$SOCK" -j serverstats | python3 -c '
import json, sys
sys.exit(0 if json.load(sys.stdin)["malformed"]["with_mac"] > 0 else 1)'
}
check "timed counted the unknown key's requests" mac_dropped
check "timed counted authenticated NTP packets" \
    test "$(stat_of "$SOCK" authenticated_ntp_packets)" -gt 0
"$T/timectl" -h "$SOCK" serverstats | sed 's/^/# /'

# client_conf NAME KEYS [KEY [ADDRESS]]: a timed client of chronyd (at
# ADDRESS) with key KEY.
client_conf() {
	cat <<CONF
clock virtual offset 0.01
server ${4:-127.0.0.1} port $CPORT key ${3:-3} iburst minpoll -2 maxpoll -2
keyfile $T/$2
makestep 0.1 3
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $T/$1.sock
CONF
}
client_conf client timed.keys >"$T/client.conf"
client_conf missing timed.keys 5 >"$T/missing.conf"
client_conf relayed timed.keys 3 127.0.0.2 >"$T/relayed.conf"
start_timed client "$T/client.conf"
start_timed missing "$T/missing.conf"
# Through a relay that changes one byte of every second answer's MAC.
python3 "$top_srcdir/regress/ntsrelay.py" 127.0.0.2 127.0.0.1 $CPORT \
    $((PORT + 2)) 2 "$T/flipped" &
PIDS="$PIDS $!"
start_timed relayed "$T/relayed.conf"

# authdata_ok SOCK EXPR: the Python expression over authdata's first
# source a is true.
authdata_ok() {
	"$T/timectl" -h "$1" -j authdata | python3 -c '
import json, sys
a = json.load(sys.stdin)[0]
sys.exit(0 if eval(sys.argv[1]) else 1)' "$2"
}
selected() {
	"$T/timectl" -n -h "$1" sources | grep -q "^\^\* 127\.0\.0\.1 "
}
authdata_field() {
	"$T/timectl" -h "$1" -j authdata | python3 -c '
import json, sys
print(json.load(sys.stdin)[0][sys.argv[1]])' "$2"
}
check "timed (AES128 key) selects chronyd" wait_for 40 selected \
    "$T/client.sock" || sed 's/^/# client: /' "$T/client.log"
out=$("$T/timectl" -n -h "$T/client.sock" authdata)
printf '%s\n' "$out" | sed 's/^/# /'
check "authdata: SK, key 3, type 13 (AES128), 128 bits" contains "$out" \
    "^127\.0\.0\.1  *SK  *3  *13  *128 "
check "authdata -j: answers authenticated, none dropped" authdata_ok \
    "$T/client.sock" \
    'a["mode"] == "SK" and a["authenticated"] > 0 and a["auth_failed"] == 0'
check "ntpdata: authenticated" contains \
    "$("$T/timectl" -h "$T/client.sock" ntpdata)" "^Authenticated   : Yes"
check "answers changed on the way are dropped and counted" wait_for 20 \
    authdata_ok "$T/relayed.sock" 'a["auth_failed"] >= 2 and a["authenticated"] >= 2'
check "as many as the relay changed" test \
    "$(authdata_field "$T/relayed.sock" auth_failed)" -le "$(cat "$T/flipped")"
check "a key not in the keyfile: said, and not polled" grep -q \
    "source 127.0.0.1: key 5 is not in the keyfile; not polled" \
    "$T/missing.log"
check "no request went out" contains \
    "$("$T/timectl" -h "$T/missing.sock" ntpdata)" "^Total TX *: 0$"

# SIGHUP: the server reads its keyfile again, and key 9 is answered.
echo "9 SHA1 HEX:00112233445566778899aabbccddeeff00112233" >>"$T/timed.keys"
kill -HUP "$SERVER"
check "SIGHUP reads the keyfile again" wait_for 10 grep -q \
    "keyfile $T/timed.keys: 4 key(s)" "$T/server.log"
check "chronyd's key 9 now gets answers" wait_for 30 reached 127.0.0.3
check "and they are authenticated" wait_for 10 authenticated 127.0.0.3

# A bad line stops the start, with the file and the line.
printf '1 SHA1 HEX:00\n2 SHA3-256 HEX:0011\n' >"$T/bad.keys"
sed "s|^keyfile .*|keyfile $T/bad.keys|" "$T/client.conf" >"$T/bad.conf"
start_timed bad "$T/bad.conf"
check "a bad keyfile stops the start" wait_for 10 gone "$MPID"
check "naming the file and the line" grep -q "$T/bad.keys:2: " \
    "$T/bad.log" || sed 's/^/# /' "$T/bad.log"
finish
