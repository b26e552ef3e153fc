#!/bin/sh
# timectl against real daemons on loopback: a timed server (virtual clock,
# local stratum 1) and a timed client 10 ms ahead polling it every 0.25 s.
# Every command's output in chronyc's layout, -j parsed as JSON, -c field
# counts, the changing commands refused to nobody, waitsync, offline and
# online, reload sources, metrics checked as Prometheus text, the
# interactive mode, and a stopped daemon.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

BASE=$((20000 + ($$ + 29) % 20000))
SSOCK=$T/server.sock
CSOCK=$T/client.sock
mkdir -m 755 "$T/sources.d"

cat >"$T/server.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.0/8
port $BASE
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $SSOCK
CONF
start_timed server "$T/server.conf"
SPID=$MPID

cat >"$T/client.conf" <<CONF
clock virtual offset 0.01
server 127.0.0.1 port $BASE iburst minpoll -2 maxpoll -2
sourcedir $T/sources.d
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $CSOCK
CONF
start_timed client "$T/client.conf"
CPID=$MPID

tc() {
	"$T/timectl" -h "$CSOCK" "$@"
}

# as_nobody COMMAND...: timectl on the client's socket as user nobody
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$T/timectl" -h "$CSOCK" "$@"
}

synced() {
	tc -n tracking | grep -q '^Reference ID    : 7F000001 (127\.0\.0\.1)$'
}
check "the client synchronises to the server" wait_for 30 synced

# waitsync: at once on the client, never on the server (local reference)
out=$(tc waitsync 5 0 0 1)
check "waitsync 5 0 0 1 returns 0 once synchronised" [ $? -eq 0 ]
check "waitsync prints chronyc's try line" contains "$out" \
    '^try: 1, refid: 7F000001, correction: [0-9]*\.[0-9]\{9\}, skew: [0-9]*\.[0-9]\{3\}$'
out=$("$T/timectl" -h "$SSOCK" waitsync 2 0 0 0.2)
rc=$?
check "waitsync gives up on a daemon not synchronised" [ $rc -eq 1 ]
check "waitsync tried twice" [ "$(printf '%s\n' "$out" | grep -c '^try: ')" = 2 ]
out=$(tc waitsync 2 0 1e-9 0.1)
rc=$?
check "waitsync with a skew above MAX-SKEW gives up after 2 tries" \
    [ $rc -eq 1 -a "$(printf '%s\n' "$out" | grep -c '^try: ')" = 2 ]

# text layouts
out=$(tc tracking)
check "tracking in chronyc's layout" contains "$out" \
    '^System time     : [0-9]*\.[0-9]\{9\} seconds \(fast\|slow\) of NTP time$'
out=$(tc -n sources)
check "sources header" contains "$out" \
    '^MS Name/IP address         Stratum Poll Reach LastRx Last sample               $'
check "sources row" contains "$out" '^\^\* 127\.0\.0\.1                     1  -2   [0-7 ]\{3\} ' ||
    printf '%s\n' "$out" | sed 's/^/# /'
out=$(tc sources -a -v)
check "sources -a -v has the legend" contains "$out" \
    "^  \.-- Source mode  '^' = server, '=' = peer, '#' = local clock\.$"
out=$(tc -n sources)
check "-n sources prints addresses" contains "$out" '^\^\* 127\.0\.0\.1 '
out=$(tc -n sourcestats -a -v)
check "sourcestats -v header and legend" contains "$out" \
    '^Name/IP Address            NP  NR  Span  Frequency  Freq Skew  Offset  Std Dev$'
check "sourcestats row" contains "$out" '^127\.0\.0\.1  *[0-9][0-9]*  *[0-9]'
# iburst's quick polls are a burst too: wait until they are over
no_burst() {
	tc -c activity | grep -q '^[01],[01],0,0,0$'
}
wait_for 10 no_burst
out=$(tc activity)
check "activity in chronyc's layout" [ "$out" = "200 OK
1 sources online
0 sources offline
0 sources doing burst (return to online)
0 sources doing burst (return to offline)
0 sources with unknown address" ] || printf '%s\n' "$out" | sed 's/^/# /'
out=$(tc ntpdata)
check "ntpdata of every source: a blank line first, as chronyc" \
    [ -z "$(printf '%s\n' "$out" | head -n 1)" ]
labels=$(printf '%s\n' "$out" | sed 1d | cut -c1-17 | tr '\n' '|')
check "ntpdata has chronyc's fields in order" [ "$labels" = \
"Remote address  :|Remote port     :|Local address   :|Leap status     :|\
Version         :|Mode            :|Stratum         :|Poll interval   :|\
Precision       :|Root delay      :|Root dispersion :|Reference ID    :|\
Reference time  :|Offset          :|Peer delay      :|Peer dispersion :|\
Response time   :|Jitter asymmetry:|NTP tests       :|Interleaved     :|\
Authenticated   :|TX timestamping :|RX timestamping :|Total TX        :|\
Total RX        :|Total valid RX  :|Total good RX   :|" ] || \
    printf '%s\n' "$out" | sed 's/^/# /'
server_fields() {
	contains "$out" "^Remote port     : $BASE\$" &&
	    contains "$out" '^Mode            : Server$' &&
	    contains "$out" '^Stratum         : 1$' &&
	    contains "$out" '^Reference ID    : 7F7F0101 ()$' &&
	    contains "$out" '^NTP tests       : 111 111 1111$'
}
check "ntpdata: the server's port, mode and tests" server_fields
out=$(tc ntpdata 127.0.0.1)
check "ntpdata ADDRESS" contains "$out" '^Remote address  : 127\.0\.0\.1 (7F000001)$'
out=$(tc ntpdata 192.0.2.1 2>&1)
rc=$?
check "ntpdata of an unknown source: 503 and exit 1" \
    [ $rc -eq 1 -a "$out" = "503 No such source" ]

# JSON
for cmd in tracking sources sourcestats activity ntpdata serverstats; do
	check "-j $cmd is JSON" sh -c "'$T/timectl' -h '$CSOCK' -j $cmd |
	    python3 -c 'import json, sys; json.load(sys.stdin)'"
done
check "-j clients (server) is JSON" sh -c "'$T/timectl' -h '$SSOCK' -j clients |
    python3 -c 'import json, sys; assert len(json.load(sys.stdin)) >= 1'"
json=$(tc -j ntpdata)
check "ntpdata -j: counters and timestamping" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert len(d) == 1, d
n = d[0]
assert n["remote_address"] == "127.0.0.1" and n["have_reply"], n
assert n["total_tx"] >= n["total_rx"] >= n["total_good_rx"] > 0, n
assert n["ntp_tests"] == "111 111 1111", n
' "$json"

# CSV: chronyc's field counts
fields() {
	awk -F, '{ print NF }' | sort -u | tr '\n' ' '
}
check "-c tracking: 14 fields" [ "$(tc -c tracking | fields)" = "14 " ]
check "-c sources: 10 fields" [ "$(tc -c sources | fields)" = "10 " ]
check "-c sourcestats: 8 fields" [ "$(tc -c sourcestats | fields)" = "8 " ]
check "-c activity: 5 fields" [ "$(tc -c activity | fields)" = "5 " ]
check "-c ntpdata: 34 fields" [ "$(tc -c ntpdata | fields)" = "34 " ]
check "-c serverstats: 26 fields" [ "$(tc -c serverstats | fields)" = "26 " ]
check "-c clients (server): 10 fields" \
    [ "$("$T/timectl" -h "$SSOCK" -c clients | fields)" = "10 " ]

# Changing commands: root only.
check "makestep as root: 200 OK" [ "$(tc makestep)" = "200 OK" ]
for cmd in makestep "makestep 1 3" "burst 1/2" offline online "reload sources"; do
	out=$(as_nobody $cmd 2>&1)
	rc=$?
	check "$cmd as nobody: 501 Not authorised, exit 1" \
	    [ $rc -eq 1 -a "$out" = "501 Not authorised" ] || \
	    printf '# rc %s: %s\n' "$rc" "$out"
done
check "queries as nobody work" sh -c "setpriv --reuid=nobody \
    --regid=nogroup --clear-groups '$T/timectl' -h '$CSOCK' tracking \
    >/dev/null"
check "burst 2/4 as root: 200 OK" [ "$(tc burst 2/4)" = "200 OK" ]
check "burst of an unknown source: 503" sh -c \
    "! '$T/timectl' -h '$CSOCK' burst 1/1 192.0.2.1 2>/dev/null"

# offline stops the polls (Total TX stays), online starts them again
total_tx() {
	tc -j ntpdata | python3 -c '
import json, sys
print(json.load(sys.stdin)[0]["total_tx"])'
}
wait_for 10 no_burst
check "offline as root: 200 OK" [ "$(tc offline 127.0.0.1)" = "200 OK" ]
check "activity: 1 source offline" contains "$(tc activity)" \
    '^1 sources offline$'
a=$(total_tx)
sleep 1.5
b=$(total_tx)
check "offline: no more requests ($a, then $b)" [ "$a" = "$b" ]
check "online as root: 200 OK" [ "$(tc online)" = "200 OK" ]
more_tx() {
	[ "$(total_tx)" -gt "$b" ]
}
check "online: requests again" wait_for 5 more_tx
check "activity: 1 source online" contains "$(tc activity)" \
    '^1 sources online$'

# reload sources: a sourcedir file comes and goes, its options with it
# (minstratum: the source counts as of stratum 4)
cat >"$T/sources.d/extra.sources" <<CONF
server 127.0.0.1 port $BASE minpoll -2 maxpoll -2 noselect minstratum 4
CONF
check "reload sources: 200 OK" [ "$(tc reload sources)" = "200 OK" ]
two() {
	[ "$(tc -c sources | wc -l)" = 2 ]
}
check "reload sources adds the new source" wait_for 5 two
reached() {
	tc -c sources | grep -q '^\^,?,127\.0\.0\.1,4,-2,[1-7]'
}
check "the new source is polled, at its minstratum" wait_for 5 reached
rm "$T/sources.d/extra.sources"
check "reload sources again: 200 OK" [ "$(tc reload sources)" = "200 OK" ]
one() {
	[ "$(tc -c sources | wc -l)" = 1 ]
}
check "reload sources removes it, keeps the other" wait_for 5 one
check "the source that stayed is still selected" wait_for 5 synced
echo "server bad line" >"$T/sources.d/bad.sources"
echo "makestep 1 3" >>"$T/sources.d/bad.sources"
out=$(tc reload sources 2>&1)
check "reload sources with a bad file: 500 Failure" \
    [ "$out" = "500 Failure" ]
rm "$T/sources.d/bad.sources"
check "reload sources without sourcedir: 200 OK" \
    [ "$("$T/timectl" -h "$SSOCK" reload sources)" = "200 OK" ]

# metrics: the Prometheus text format, as node_exporter's textfile
# collector reads it
tc metrics >"$T/metrics.prom"
check "metrics is valid Prometheus text" python3 - "$T/metrics.prom" <<'PY'
import re, sys
name = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r'^(%s)(\{%s(?:,%s)*\})? (\S+)$' % (name, label, label))
typed, helped, seen = {}, set(), set()
for line in open(sys.argv[1]):
    assert line.endswith("\n"), line
    line = line[:-1]
    if line.startswith("# TYPE "):
        _, _, n, t = line.split(" ", 3)
        assert re.fullmatch(name, n) and n not in typed, line
        assert t in ("counter", "gauge", "untyped", "histogram",
                     "summary"), line
        typed[n] = t
        continue
    if line.startswith("# HELP "):
        helped.add(line.split(" ")[2])
        continue
    assert not line.startswith("#") and line, line
    m = sample.match(line)
    assert m, line
    n, labels, value = m.group(1), m.group(2), m.group(3)
    assert n in typed, "no TYPE before " + line
    assert value in ("NaN", "+Inf", "-Inf") or float(value) == float(value)
    assert typed[n] != "counter" or n.endswith("_total"), line
    assert (n, labels) not in seen, "duplicate " + line
    seen.add((n, labels))
assert set(typed) <= helped, set(typed) - helped
for want in ("timed_tracking_offset_seconds", "timed_tracking_stratum",
             "timed_source_offset_seconds", "timed_sourcestats_offset_seconds",
             "timed_serverstats_ntp_packets_received_total"):
    assert want in typed, want
assert ('timed_source_offset_seconds',
        '{name="127.0.0.1",address="127.0.0.1"}') in seen
assert ('timed_source_state',
        '{name="127.0.0.1",address="127.0.0.1",state="best"}') in seen
PY

# interactive: a prompt, commands from the input, quit
out=$(printf 'activity\nbogus\nsources\nquit\ntracking\n' | tc 2>&1)
rc=$?
interactive_ok() {
	[ $rc -eq 0 ] && contains "$out" '^timectl> 200 OK$' &&
	    contains "$out" "unknown command 'bogus'" &&
	    contains "$out" '^timectl> MS Name/IP address' &&
	    ! contains "$out" '^Reference ID'
}
check "interactive: prompt, commands, quit" interactive_ok || \
    printf '%s\n' "$out" | sed 's/^/# /'

check "--help lists the commands" sh -c "'$T/timectl' --help |
    grep -q '^  waitsync \[MAX-TRIES'"

# makestep THRESHOLD LIMIT changes the rule: with a threshold of 0 and
# no limit every update steps; a limit of 0 stops that again.
check "makestep 0 -1 as root: 200 OK" [ "$(tc makestep 0 -1)" = "200 OK" ]
check "makestep 0 -1: the client steps its clock" \
    wait_for 10 grep -q 'clock stepped by' "$T/client.log"
check "makestep 1 0: 200 OK" [ "$(tc makestep 1 0)" = "200 OK" ]
check "makestep with a bad threshold: exit 1" sh -c \
    "! '$T/timectl' -h '$CSOCK' makestep -1 3 2>/dev/null"

# A stopped daemon: one line on stderr, exit 1.
kill -TERM "$SPID"
check "server stops" wait_for 5 gone "$SPID"
"$T/timectl" -h "$SSOCK" tracking >"$T/out" 2>"$T/err"
rc=$?
check "a stopped daemon: exit 1" [ $rc -eq 1 ]
check "a stopped daemon: one line on stderr, nothing on stdout" \
    [ "$(wc -l <"$T/err")" = 1 -a ! -s "$T/out" ]
check "waitsync against a stopped daemon gives up" sh -c \
    "! '$T/timectl' -h '$SSOCK' waitsync 2 0 0 0.1 2>/dev/null"

kill -TERM "$CPID"
check "client stops" wait_for 5 gone "$CPID"
check "no engine was killed by seccomp" sh -c \
    "! grep -q 'signal 31' '$T/client.log' '$T/server.log'"
finish
