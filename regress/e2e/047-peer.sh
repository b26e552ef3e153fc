#!/bin/sh
# Symmetric mode (peer) on loopback, with no allow for the peers: timed
# A (local stratum 1, virtual clock) peers with timed B (virtual clock
# 0.3 s ahead and 40 ppm fast, no source but A) and with chronyd 4.3
# (-x).  B and chronyd synchronise to A; A takes no sample from them
# (synchronised to it).  A packet in symmetric active mode from an
# address that is no peer is answered in symmetric passive mode where
# allow lets it in, and not elsewhere.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

need_chrony

P=$((20000 + ($$ + 29) % 20000))
cat >"$T/a.conf" <<CONF
clock virtual
local stratum 1
peer 127.0.0.2 port $P minpoll -2 maxpoll -2
peer 127.0.0.3 port $P minpoll 0 maxpoll 0
allow 127.0.0.5
port $P
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $T/a.sock
CONF
cat >"$T/b.conf" <<CONF
clock virtual offset 0.3 frequency 40
peer 127.0.0.1 port $P minpoll -2 maxpoll -2
makestep 0.1 3
port $P
bindaddress 127.0.0.2
user nobody
chrootdir $T/empty
bindcmdaddress $T/b.sock
CONF
mkdir -m 770 "$T/chrony"
chown nobody:"$(id -gn nobody)" "$T/chrony"
cat >"$T/chrony.conf" <<CONF
peer 127.0.0.1 port $P minpoll 0 maxpoll 0
port $P
bindaddress 127.0.0.3
bindcmdaddress $T/chrony/chronyd.sock
cmdport 0
pidfile $T/chrony/chronyd.pid
CONF

start_timed a "$T/a.conf"
start_timed b "$T/b.conf"
"$chronyd" -x -d -u nobody -f "$T/chrony.conf" >"$T/chronyd.log" 2>&1 &
CPID=$!
PIDS="$PIDS $CPID"

# B: true error under 200 us and frequency 40 +- 2 ppm
converged() {
	"$T/timectl" -h "$T/b.sock" -j tracking | python3 -c '
import json, sys
t = json.load(sys.stdin)
sys.exit(0 if abs(t["virtual_true_offset"]) < 200e-6 and
         abs(t["frequency_ppm"] - 40) < 2 else 1)'
}
check "B converges on its peer within 60 s (< 200 us, 40 +- 2 ppm)" \
    wait_for 60 converged || {
	"$T/timectl" -h "$T/b.sock" sources | sed 's/^/# /'
	"$T/timectl" -h "$T/b.sock" tracking | sed 's/^/# /'
}
out=$("$T/timectl" -n -h "$T/b.sock" sources)
printf '%s\n' "$out" | sed 's/^/# /'
check "B shows A as its selected peer (=*)" \
    contains "$out" '^=\* 127\.0\.0\.1 *1 '
out=$("$T/timectl" -h "$T/b.sock" ntpdata 127.0.0.1)
check "A's packets are in symmetric active mode" \
    contains "$out" '^Mode *: Symmetric active$'

selected() {
	"$chronyc" -h "$T/chrony/chronyd.sock" -c sources |
	    grep -q "^=,\*,127\.0\.0\.1,1,"
}
check "chronyd selects its timed peer (=*)" wait_for 40 selected || {
	"$chronyc" -h "$T/chrony/chronyd.sock" sources | sed 's/^/# /'
	sed 's/^/# chronyd: /' "$T/chronyd.log" | tail -n 5
}
"$chronyc" -h "$T/chrony/chronyd.sock" -c ntpdata 127.0.0.1 | sed 's/^/# /'
heard() {
	out=$("$T/timectl" -h "$T/a.sock" ntpdata 127.0.0.3)
	contains "$out" '^Mode *: Symmetric active$' &&
	    contains "$out" '^Stratum *: 2$'
}
check "A hears chronyd's packets, synchronised to it" wait_for 10 heard
out=$("$T/timectl" -n -h "$T/a.sock" sources)
printf '%s\n' "$out" | sed 's/^/# /'
check "A does not select a peer synchronised to it" \
    contains "$out" '^=? 127\.0\.0\.3 '

# not a peer: mode 2 where allowed, nothing elsewhere
python3 "$top_srcdir/regress/ntpclient.py" -m 1 -b 127.0.0.5 127.0.0.1 \
    "$P" >"$T/active5.json"
check "a stranger's mode 1 is answered in mode 2 where allowed" \
    answer "$T/active5.json" \
    "a['answers'] == 1 and a['mode'] == 2 and a['stratum'] == 1"
python3 "$top_srcdir/regress/ntpclient.py" -m 1 -b 127.0.0.6 127.0.0.1 \
    "$P" >"$T/active6.json"
check "and not answered where not allowed" \
    answer "$T/active6.json" "a['answers'] == 0"

finish
