#!/bin/sh
# NTP server: answers, access control, rate limiting, never amplifies,
# drops and counts what is malformed, unsynchronised without `local`.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

NTPC="python3 $top_srcdir/regress/ntpclient.py"
PORT=$((20000 + $$ % 20000))
SOCK=$T/timed.sock
cat >"$T/server.conf" <<CONF
clock virtual
local stratum 10
allow 127.0.0.1
allow 127.0.0.3
allow ::1
ratelimit interval -3 burst 16 leak 2
port $PORT
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $SOCK
CONF
ipv6=no
if ip -6 addr show dev lo 2>/dev/null | grep -q "::1"; then
	ipv6=yes
	echo "bindaddress ::1" >>"$T/server.conf"
fi

start_timed server "$T/server.conf"
check "server answers timectl" wait_for 10 "$T/timectl" -h "$SOCK" tracking

# json FIELD-EXPRESSION: evaluate a Python expression on the last answer.
field() {
	printf '%s\n' "$1" | python3 -c "import json,sys; o=json.load(sys.stdin); print($2)"
}

out=$($NTPC 127.0.0.1 $PORT)
check "a client request is answered" test "$(field "$out" 'o["answers"]')" = 1
check "origin matches the request" test "$(field "$out" 'o["bad"]')" = 0
check "mode 4, version 4" test "$(field "$out" 'o["last"]["mode"], o["last"]["version"]')" = "4 4"
check "stratum 10 from local, reference 7F7F0101, leap 0" \
    test "$(field "$out" 'o["last"]["stratum"], o["last"]["refid"], o["last"]["leap"]')" = "10 7F7F0101 0"
check "receive and transmit timestamps set, in order" \
    test "$(field "$out" 'o["last"]["rx"] > 0 and o["last"]["tx"] >= o["last"]["rx"]')" = True
check "answer is 48 bytes" test "$(field "$out" 'o["max_answer_len"]')" = 48

for v in 1 2 3; do
	out=$($NTPC -v $v 127.0.0.1 $PORT)
	check "NTPv$v request answered in version $v" \
	    test "$(field "$out" 'o["answers"], o["last"]["version"]')" = "1 $v"
done
# NTPv1 had no mode field: its requests carry mode 0 (answered as chrony)
out=$($NTPC -v 1 -m 0 127.0.0.1 $PORT)
check "NTPv1 request without a mode answered in version 1, mode 4" \
    test "$(field "$out" 'o["answers"], o["last"]["version"], o["last"]["mode"]')" = "1 1 4"
out=$($NTPC -v 2 -m 0 -w 0.3 127.0.0.1 $PORT)
check "NTPv2 mode 0 gets no answer" test "$(field "$out" 'o["answers"]')" = 0
# ... but not from port 123: that is a symmetric peer's (chrony)
if out=$($NTPC -v 1 -m 0 -b 127.0.0.1 -s 123 -w 0.3 127.0.0.1 $PORT \
    2>/dev/null); then
	check "NTPv1 without a mode from port 123 gets no answer" \
	    test "$(field "$out" 'o["answers"]')" = 0
else
	echo "# port 123 not ours to bind: NTPv1 from 123 not checked"
fi
# A poll shorter than the ratelimit interval (-3) is answered with it.
out=$($NTPC -x "23 00 fa 00$(printf ' 00%.0s' $(seq 44))" 127.0.0.1 $PORT)
check "a poll below the ratelimit interval is answered with the interval" \
    test "$(field "$out" 'o["last"]["poll"]')" = -3

out=$($NTPC -e 64 127.0.0.1 $PORT)
check "request with an extension field answered, not larger" \
    test "$(field "$out" 'o["answers"] == 1 and o["max_answer_len"] <= o["min_request_len"]')" = True

out=$($NTPC -b 127.0.0.2 -w 0.5 127.0.0.1 $PORT)
check "a denied address gets no answer" test "$(field "$out" 'o["answers"]')" = 0

# Hex of packets that get no answer: too short, ntpq (mode 6), ntpdc
# (mode 7), version 0, a server-mode packet, an extension field shorter
# than 16 bytes, a length not a multiple of 4, 16 bytes after an
# extension field (not a field: RFC 7822 wants the last one 28 bytes or
# more; nor a MAC: chronyd drops it too), requests with a MAC (20 bytes
# after an extension field, 24 bytes, NTPv3's 20, a crypto-NAK): timed
# knows no symmetric keys, and chronyd drops a MAC of a key it does not
# know.
bad_packets=$(python3 -c '
h = lambda b: b.hex()
z = bytes(47)
print(h(b"\x23" + bytes(39)))
print(h(b"\x16" + z))
print(h(b"\x17" + z))
print(h(b"\x03" + z))
print(h(b"\x24" + z))
print(h(b"\x23" + z + bytes.fromhex("0104000c") + bytes(24)))
print(h(b"\x23" + z + bytes(6)))
print(h(b"\x23" + z + bytes.fromhex("2000001c") + bytes(24) + bytes.fromhex("20000010") + bytes(12)))
print(h(b"\x23" + z + bytes.fromhex("0104001c") + bytes(24) + bytes.fromhex("00000007") + bytes(16)))
print(h(b"\x23" + z + bytes.fromhex("00000007") + bytes(20)))
print(h(b"\x1b" + z + bytes.fromhex("00000007") + bytes(16)))
print(h(b"\x23" + z + bytes(4)))
')
for hex in $bad_packets; do
	out=$($NTPC -x "$hex" -w 0.3 127.0.0.1 $PORT)
	check "packet ${hex%"${hex#??}"}.. of $((${#hex} / 2)) bytes gets no answer" \
	    test "$(field "$out" 'o["answers"]')" = 0
done

if [ $ipv6 = yes ]; then
	out=$($NTPC ::1 $PORT)
	check "IPv6 request answered" test "$(field "$out" 'o["answers"]')" = 1
fi

# ntpdc packets from the flooder: not client requests, not in its record
out=$($NTPC -b 127.0.0.3 -x "17$(printf '00%.0s' $(seq 47))" -n 3 -w 0.3 \
    127.0.0.1 $PORT)
check "mode 7 packets get no answer" test "$(field "$out" 'o["answers"]')" = 0
out=$($NTPC -b 127.0.0.3 -n 400 -w 1 127.0.0.1 $PORT)
check "a flood is limited" test "$(field "$out" 'o["answers"] < 400')" = True
check "a flood gets RATE kiss-o'-death answers" \
    test "$(field "$out" 'o["kods"].get("RATE", 0) > 0')" = True
check "a flood still gets its burst answered" \
    test "$(field "$out" 'o["answers"] - o["kods"].get("RATE", 0) >= 16')" = True

json=$("$T/timectl" -h "$SOCK" -j serverstats)
check "serverstats -j counts what happened" python3 -c '
import json, sys
s = json.loads(sys.argv[1])
m = s["malformed"]
assert s["ntp_packets_received"] >= 400, s
assert s["ntp_denied"] >= 1, s
assert s["ntp_rate_limited"] >= 1, s
assert s["kod_rate_sent"] >= 1, s
assert m["too_short"] >= 1 and m["control_mode"] >= 2, m
assert m["bad_mode"] >= 1 and m["bad_extension_fields"] >= 1, m
assert m["bad_version"] >= 1 and m["bad_length"] >= 1, m
assert m["with_mac"] == 4, m
assert s["ntp_answers_sent"] + s["ntp_packets_dropped"] == s["ntp_packets_received"], s
' "$json"
out=$("$T/timectl" -h "$SOCK" serverstats)
check "serverstats in chrony's layout" contains "$out" '^NTP packets received       : [0-9]'
out=$("$T/timectl" -n -h "$SOCK" clients)
check "clients lists the flooding address" contains "$out" '^127\.0\.0\.3 '
json=$("$T/timectl" -h "$SOCK" -j clients)
check "the client log counts the flood's 400 requests, not the mode 7 ones" \
    python3 -c '
import json, sys
c = [r for r in json.loads(sys.argv[1]) if r["address"] == "127.0.0.3"]
assert len(c) == 1 and c[0]["ntp_packets"] == 400, c
' "$json"
check "clients lists the well-behaved address" contains "$out" '^127\.0\.0\.1 '
kill -TERM "$MPID"
check "server stops" wait_for 5 gone "$MPID"

# Without `local` and unsynchronised, as chronyd: leap 3, stratum 16 (0
# on the wire, as chronyd and ntpd send it), no reference time, root
# delay and dispersion 1 s.
grep -v '^local' "$T/server.conf" >"$T/unsync.conf"
start_timed unsync "$T/unsync.conf"
check "unsynchronised server starts" wait_for 10 "$T/timectl" -h "$SOCK" tracking
out=$($NTPC 127.0.0.1 $PORT)
check "unsynchronised: leap 3, stratum 0 on the wire" \
    test "$(field "$out" 'o["last"]["leap"], o["last"]["stratum"]')" = "3 0"
check "unsynchronised: no reference time, root delay and dispersion 1 s" \
    test "$(field "$out" 'o["last"]["ref_ts"], o["last"]["root_delay"], o["last"]["root_dispersion"]')" = "0 1.0 1.0"
kill -TERM "$MPID"
check "stops" wait_for 5 gone "$MPID"
check "no engine was killed by seccomp" not_in_log "$T/server.log" "signal 31"

finish
