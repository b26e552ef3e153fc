#!/bin/sh
# NTS server (RFC 8915): chronyd 4.3 (from Debian's archive, unpacked,
# always -x) as an NTS client of a timed server on loopback: NTS-KE with
# a certificate the test makes, authenticated NTP, cookies that survive a
# restart with the key file kept, a NAK and a new NTS-KE when the keys
# are lost, and a fleet key file (a seed) shared by two servers.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

need_openssl
need_chrony

PORT=$((20000 + ($$ + 11) % 20000))
KEPORT=$((PORT + 1))
KEPORT2=$((PORT + 3))
CPORT=$((PORT + 4))
SOCK=$T/timed.sock
SOCK2=$T/timed2.sock
CSOCK=$T/chrony/chronyd.sock

make_cert "$T/key.pem" "$T/cert.pem"

# conf PORT NTSPORT SOCK DUMPDIR [ADDRESS]: a timed NTS server.
conf() {
	cat <<CONF
clock virtual
local stratum 1
allow 127.0.0.1
port $1
bindaddress ${5:-127.0.0.1}
ntsport $2
ntsservercert $T/cert.pem
ntsserverkey $T/key.pem
ntsdumpdir $4
user nobody
chrootdir $T/empty
bindcmdaddress $3
CONF
}
conf $PORT $KEPORT "$SOCK" "$T/keys" >"$T/server.conf"

# The name in chrony.conf must match the certificate: localhost if it
# resolves here, else the address (the certificate has both).
NAME=127.0.0.1
if getent hosts localhost | grep -q '^127\.0\.0\.1'; then
	NAME=localhost
fi
mkdir -m 770 "$T/chrony" "$T/chrony/nts"
chown nobody:"$(id -gn nobody)" "$T/chrony" "$T/chrony/nts"
# chrony.conf SERVER-PORT NTS-PORT...: one NTS source per pair.
chrony_conf() {
	while [ $# -ge 2 ]; do
		echo "server $NAME port $1 iburst nts ntsport $2 minpoll -2 maxpoll -2"
		shift 2
	done
	cat <<CONF
ntstrustedcerts $T/cert.pem
ntsdumpdir $T/chrony/nts
port $CPORT
bindaddress 127.0.0.1
bindcmdaddress $CSOCK
cmdport 0
pidfile $T/chrony/chronyd.pid
CONF
}
chrony_conf $PORT $KEPORT >"$T/chrony.conf"

# stop PID: TERM, then until it is gone (a zombie of ours counts).
stop() {
	kill -TERM "$1" 2>/dev/null
	wait_for 10 exited "$1" && wait "$1" 2>/dev/null
	return 0
}
exited() {
	! kill -0 "$1" 2>/dev/null ||
	    [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]
}

start_chronyd() {
	"$chronyd" -x -d -u nobody -f "$1" >>"$T/chronyd.log" 2>&1 &
	CPID=$!
	PIDS="$PIDS $CPID"
}

# authdata: chronyc's CSV line for the source (Name,Mode,KeyID,Type,
# KLen,Last,Atmp,NAK,Cook,CLen).
authdata() {
	"$chronyc" -h "$CSOCK" -c -n authdata 2>/dev/null | grep "^127\.0\.0\.1,"
}
selected() {
	"$chronyc" -h "$CSOCK" -c -n sources 2>/dev/null |
	    grep -q "^\^,\*,127\.0\.0\.1,1,"
}
field() {
	authdata | cut -d, -f"$1"
}
nts_ok() {
	a=$(authdata) || return 1
	printf '%s\n' "$a" |
	    awk -F, '$2 == "NTS" && $3 > 0 && $8 == 0 && $9 > 0 { ok = 1 }
	    END { exit !ok }'
}
# stat_gt SOCK KEY N: the counter is above N (evaluated on every call).
stat_gt() {
	test "$(stat_of "$1" "$2")" -gt "$3"
}

start_timed server "$T/server.conf"
check "timed NTS server up" wait_for 10 "$T/timectl" -h "$SOCK" tracking
check "the monitor wrote a key file" wait_for 10 test -s "$T/keys/ntskeys"
check "the key file is 0600" test "$(stat -c %a "$T/keys/ntskeys")" = 600
check "the key file is timed's" grep -q "^timed-nts-keys 1$" "$T/keys/ntskeys"
cp "$T/keys/ntskeys" "$T/ntskeys.first"

start_chronyd "$T/chrony.conf"
check "chronyd selects timed over NTS (^*)" wait_for 40 selected ||
    sed 's/^/# chronyd: /' "$T/chronyd.log"
check "chronyc authdata: mode NTS, a key id, cookies" wait_for 10 nts_ok
a=$(authdata)
echo "# authdata: $a"
check "chronyc authdata: no NAK" test "$(field 8)" = 0
check "timed counted authenticated NTP packets" \
    test "$(stat_of "$SOCK" authenticated_ntp_packets)" -gt 0
check "timed counted the NTS-KE connection" \
    test "$(stat_of "$SOCK" ntske_connections_accepted)" -ge 1
check "timed sent no NAK" test "$(stat_of "$SOCK" nts_naks_sent)" = 0
check "timed dropped no NTS request" \
    test "$(stat_of "$SOCK" nts_requests_dropped)" = 0
"$T/timectl" -h "$SOCK" serverstats | sed 's/^/# /'

# chronyd stops (it keeps its cookies in its ntsdumpdir), timed is
# restarted with its key file, chronyd starts again: its old cookies
# still open, no NTS-KE, no NAK.
stop "$CPID"
check "chronyd stops, its cookies dumped" exited "$CPID"

# The engine dies: the monitor starts another with the keys it kept.
ENGINE=$(engine_of "$MPID")
kill -KILL "$ENGINE"
new_engine() {
	e=$(engine_of "$MPID")
	[ -n "$e" ] && [ "$e" != "$ENGINE" ] &&
	    "$T/timectl" -h "$SOCK" tracking >/dev/null
}
check "the monitor restarts the engine" wait_for 20 new_engine
start_chronyd "$T/chrony.conf"
check "new engine: chronyd's cookies open" \
    wait_for 30 stat_gt "$SOCK" authenticated_ntp_packets 2
check "new engine: no NAK, no NTS-KE" sh -c \
    "test $(stat_of "$SOCK" nts_naks_sent) = 0 &&
    test $(stat_of "$SOCK" ntske_connections_accepted) = 0"
stop "$CPID"
stop "$MPID"
check "timed stops" exited "$MPID"
start_timed server2 "$T/server.conf"
check "timed up again, keys kept" wait_for 10 "$T/timectl" -h "$SOCK" tracking
check "it loaded the key file" wait_for 10 grep -q "NTS: keys from" \
    "$T/server2.log"
start_chronyd "$T/chrony.conf"
check "restarted with the key file: authenticated packets" \
    wait_for 30 stat_gt "$SOCK" authenticated_ntp_packets 2
check "restarted with the key file: no NAK" \
    test "$(stat_of "$SOCK" nts_naks_sent)" = 0
check "restarted with the key file: no new NTS-KE" \
    test "$(stat_of "$SOCK" ntske_connections_accepted)" = 0
check "chronyd selects timed again" wait_for 30 selected

# The same without the key file: the cookies are dead, a NAK, NTS-KE.
stop "$CPID"
stop "$MPID"
check "timed stops (2)" exited "$MPID"
rm -f "$T/keys/ntskeys"
start_timed server3 "$T/server.conf"
check "timed up without its keys" wait_for 10 "$T/timectl" -h "$SOCK" tracking
check "a new key file, with another key" wait_for 10 sh -c \
    "test -s '$T/keys/ntskeys' && ! cmp -s '$T/keys/ntskeys' '$T/ntskeys.first'"
start_chronyd "$T/chrony.conf"
check "timed NAKs the old cookies" \
    wait_for 30 stat_gt "$SOCK" nts_naks_sent 0
check "chronyd runs NTS-KE again" \
    wait_for 20 stat_gt "$SOCK" ntske_connections_accepted 0
check "authenticated again after the NTS-KE" \
    wait_for 20 stat_gt "$SOCK" authenticated_ntp_packets 2
check "chronyd selects timed again (new keys)" wait_for 30 selected
check "chronyc authdata: NTS, cookies, no NAK since" nts_ok
echo "# authdata: $(authdata)"
stop "$CPID"
check "chronyd stops" exited "$CPID"
stop "$MPID"
check "timed stops (3)" exited "$MPID"

# Fleet: two servers share a key file with a seed.  The first, on
# 127.0.0.1, names the second (127.0.0.2, same port) as the NTP server in
# its NTS-KE answers (ntsntpserver): chronyd takes its cookies from the
# first and asks the second for time, which opens them.
mkdir -m 700 "$T/fleet1" "$T/fleet2"
{ echo "timed-nts-keys 1"
  echo "seed $(openssl rand -hex 32)"
  echo "interval 3600"; } >"$T/fleet1/ntskeys"
chmod 600 "$T/fleet1/ntskeys"
cp -p "$T/fleet1/ntskeys" "$T/fleet2/ntskeys"
cp "$T/fleet1/ntskeys" "$T/ntskeys.fleet"
{ conf $PORT $KEPORT "$SOCK" "$T/fleet1"; echo "ntsntpserver 127.0.0.2"; } \
    >"$T/fleet1.conf"
conf $PORT $KEPORT2 "$SOCK2" "$T/fleet2" 127.0.0.2 >"$T/fleet2.conf"
start_timed fleet1 "$T/fleet1.conf"
M1=$MPID
start_timed fleet2 "$T/fleet2.conf"
M2=$MPID
check "fleet server 1 up" wait_for 10 "$T/timectl" -h "$SOCK" tracking
check "fleet server 2 up" wait_for 10 "$T/timectl" -h "$SOCK2" tracking
check "fleet server 1 derives its keys from the seed" \
    wait_for 10 grep -q "derived from a shared seed" "$T/fleet1.log"
check "fleet server 2 derives its keys from the seed" \
    wait_for 10 grep -q "derived from a shared seed" "$T/fleet2.log"
rm -rf "$T/chrony/nts"/*
start_chronyd "$T/chrony.conf"
check "fleet: chronyd had its NTS-KE with server 1" \
    wait_for 20 stat_gt "$SOCK" ntske_connections_accepted 0
check "fleet: server 2 authenticates cookies from server 1" \
    wait_for 30 stat_gt "$SOCK2" authenticated_ntp_packets 2
check "fleet: server 2 sent no NAK" test "$(stat_of "$SOCK2" nts_naks_sent)" = 0
check "fleet: server 2 had no NTS-KE" \
    test "$(stat_of "$SOCK2" ntske_connections_accepted)" = 0
check "fleet: server 1 answered no NTP" \
    test "$(stat_of "$SOCK" ntp_packets_received)" = 0
check "fleet: chronyd selects server 2" wait_for 30 sh -c \
    "'$chronyc' -h '$CSOCK' -c -n sources | grep -q '^\^,\*,127\.0\.0\.2,1,'"
check "fleet: the key files are left as they were" sh -c \
    "cmp -s '$T/fleet1/ntskeys' '$T/ntskeys.fleet' && cmp -s '$T/fleet2/ntskeys' '$T/ntskeys.fleet'"

stop "$CPID"
check "chronyd stops (fleet)" exited "$CPID"
stop "$M1"
stop "$M2"
check "fleet servers stop" sh -c "! kill -0 $M1 2>/dev/null && ! kill -0 $M2 2>/dev/null"
# ntsrotate: a new key every second, the file rewritten each time with
# the last four keys.
{ conf $PORT $KEPORT "$SOCK" "$T/rotate"; echo "ntsrotate 1"; } \
    >"$T/rotate.conf"
start_timed rotate "$T/rotate.conf"
four_keys() {
	test "$(grep -c '^key ' "$T/rotate/ntskeys" 2>/dev/null)" = 4
}
check "ntsrotate 1: four keys in the file within 8 s" wait_for 8 four_keys
check "ntsrotate 1: rotated more than four times" wait_for 4 sh -c \
    "test \$(grep -c 'NTS: new master key' '$T/rotate.log') -gt 4"
check "ntsrotate 1: the file stays timed's, 0600" sh -c \
    "head -n 1 '$T/rotate/ntskeys' | grep -q '^timed-nts-keys 1$' &&
    test \$(stat -c %a '$T/rotate/ntskeys') = 600"
stop "$MPID"
check "rotating server stops" exited "$MPID"

for f in "$T"/server*.log "$T"/fleet*.log "$T"/rotate.log; do
	# (the test's own kill -KILL of the first server's engine aside)
	check "no engine was killed ($(basename "$f"))" not_in_log "$f" \
	    "killed by signal [^9]"
	check "no seccomp kill ($(basename "$f"))" not_in_log "$f" "signal 31"
done
finish
