#!/bin/sh
# chronycsocket: chronyc 4.3 talks to timed over chronyc's own protocol.
# A timed client of a timed server (local stratum 1) on loopback, both
# with virtual clocks, answers on its control socket (timectl) and on
# chronycsocket (chronyc).  The reports of both tools on the same daemon
# are compared, the numbers masked (they are read at different moments),
# the reference, stratum and the source's row as they are.  Root may
# change, nobody may read and is refused changes (501, logged); what
# timed has not is 505 to root, 501 to others.  Hostile datagrams (too
# short, too long, not requests, old versions, unknown commands, short
# requests and random bytes) are dropped or answered with a status, never
# with a reply longer than the request, and the daemon carries on.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

need_chrony

BASE=$((20000 + ($$ + 43) % 20000))
SSOCK=$T/server.sock
CSOCK=$T/client.sock
CHDIR=$T/chronyc
CHSOCK=$CHDIR/chronyd.sock
# chronyc makes its own socket next to the daemon's: writable by all
mkdir -m 1777 "$CHDIR"

cat >"$T/server.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.1
port $BASE
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $SSOCK
CONF
start_timed server "$T/server.conf"
SPID=$MPID

cat >"$T/client.conf" <<CONF
clock virtual
server 127.0.0.1 port $BASE iburst minpoll -2 maxpoll -2
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $CSOCK
chronycsocket $CHSOCK
CONF
start_timed client "$T/client.conf"
CPID=$MPID

tc() {
	"$T/timectl" -h "$CSOCK" "$@"
}
cc() {
	"$chronyc" -h "$CHSOCK" "$@"
}
nobody() {
	setpriv --reuid nobody --regid "$(id -g nobody)" --clear-groups "$@"
}
cc_nobody() {
	nobody "$chronyc" -h "$CHSOCK" "$@"
}

check "the client answers timectl" wait_for 10 tc tracking
check "the chronyc socket is there" wait_for 10 test -S "$CHSOCK"
synced() {
	tc -c -n sources | grep -q '^\^,\*,127\.0\.0\.1,' &&
	    tc tracking | grep -q '^Reference ID    : 7F000001 '
}
check "the client synchronises to the server" wait_for 30 synced
check "chronyc waitsync sees it synchronised" \
    cc waitsync 20 0 0 0.5

# the numbers, units, dates and signs' words of a report masked, and
# the blanks that pad them (as 091's)
mask() {
	sed -E -e 's/(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/DAY/g' \
	    -e 's/[-+]?[0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h|d|y)?\b/#/g' \
	    -e 's/(fast|slow)/F/g' -e 's/ +//g'
}

# same HOW CMD...: chronyc's (chronycsocket) and timectl's (control
# socket) output of CMD on the same daemon, with the numbers masked
# (HOW masked), or the first eleven lines of timectl's (HOW eleven:
# serverstats, whose counters timed has more of).
same() {
	_how=$1
	shift
	cc "$@" >"$T/c.out" 2>&1
	tc "$@" >"$T/t.out" 2>&1
	mask <"$T/c.out" >"$T/c.cmp"
	case $_how in
	eleven)
		head -n 11 "$T/t.out" | mask >"$T/t.cmp"
		;;
	*)
		mask <"$T/t.out" >"$T/t.cmp"
		;;
	esac
	if [ -s "$T/c.cmp" ] && cmp -s "$T/c.cmp" "$T/t.cmp"; then
		ok "chronyc and timectl: $* ($_how)"
	else
		not_ok "chronyc and timectl: $* ($_how)" \
		    "$(diff -u "$T/c.out" "$T/t.out")"
	fi
}

for cmd in tracking "-n tracking" sources "-n sources" "sources -v" \
    sourcestats "-n sourcestats" activity ntpdata "ntpdata 127.0.0.1" \
    selectdata "-n selectdata" authdata "-n authdata" "-c tracking" \
    "-c sources" "-c -n sources" "-c sourcestats" "-c activity" \
    "-c ntpdata" "-c selectdata" "-c authdata" "sourcename 127.0.0.1"; do
	same masked $cmd
done
same eleven serverstats

# what must match as it is
out=$(cc tracking)
check "tracking: chronyc's Reference ID line is timectl's" \
    [ "$(printf '%s\n' "$out" | grep '^Reference ID')" = \
    "$(tc tracking | grep '^Reference ID')" ]
check "tracking: the reference is the server" contains "$out" \
    '^Reference ID    : 7F000001 '
check "tracking: chronyc's Stratum line is timectl's" \
    [ "$(printf '%s\n' "$out" | grep '^Stratum')" = \
    "$(tc tracking | grep '^Stratum')" ]
check "tracking: stratum 2" contains "$out" '^Stratum         : 2$'
# the source's row: mode and state, address, stratum, poll
row() {
	awk '/^\^/ { print $1, $2, $3, $4 }'
}
out=$(cc -n sources | row)
check "-n sources: chronyc's row is timectl's ($out)" \
    [ -n "$out" -a "$out" = "$(tc -n sources | row)" ]
check "-n sources: the server selected" [ "$out" = "^* 127.0.0.1 1 -2" ]
out=$(cc -c -n sources | cut -d, -f1-5)
check "-c -n sources: chronyc's fields are timectl's ($out)" \
    [ "$out" = "$(tc -c -n sources | cut -d, -f1-5)" ]
check "-c -n sources: ^,*,127.0.0.1,1,-2" [ "$out" = "^,*,127.0.0.1,1,-2" ]

# root's rights
check "makestep as root: 200 OK" [ "$(cc makestep)" = "200 OK" ]
check "makestep is logged with root's uid" wait_for 5 \
    grep -q 'makestep requested (uid 0)' "$T/client.log"
check "burst 1/1 as root: 200 OK" [ "$(cc burst 1/1)" = "200 OK" ]
out=$(cc allow 1.2.3.4 2>&1)
check "allow 1.2.3.4 as root: 505 ($out)" \
    [ "$out" = "505 Facility not enabled in daemon" ]
for cmd in "add server 1.2.3.4" "settime now" "dfreq 1"; do
	out=$(cc $cmd 2>&1)
	check "$cmd as root: 505 ($out)" \
	    [ "$out" = "505 Facility not enabled in daemon" ]
done
# doffset is timed's too: a millisecond, on the virtual clock
check "doffset 0.001 as root: 200 OK" [ "$(cc doffset 0.001)" = "200 OK" ]
check "doffset is logged with root's uid" wait_for 5 \
    grep -Eq 'doffset \+0\.00(1|09)[0-9]* \(uid 0\)' "$T/client.log"
out=$(cc rtcdata 2>&1)
check "rtcdata: 513 ($out)" [ "$out" = "513 RTC driver not running" ]
out=$(cc manual list 2>&1)
check "manual list: no samples" \
    [ "$(printf '%s\n' "$out" | head -n 1)" = "210 n_samples = 0" ]
check "manual list: its header" contains "$out" '^#'
check "sourcename 127.0.0.1" [ "$(cc sourcename 127.0.0.1)" = 127.0.0.1 ]
out=$(cc sourcename 192.0.2.1 2>&1)
check "sourcename of no source: 503 ($out)" [ "$out" = "503 No such source" ]
check "still synchronised after the burst" wait_for 30 synced

# nobody's: reports, no changes
out=$(cc_nobody tracking 2>&1)
check "tracking as nobody" contains "$out" '^Reference ID    : 7F000001 '
check "sources as nobody" contains "$(cc_nobody -n sources 2>&1)" \
    '^\^\* 127\.0\.0\.1 '
check "sourcestats as nobody" contains "$(cc_nobody -n sourcestats 2>&1)" \
    '^127\.0\.0\.1 '
check "activity as nobody" contains "$(cc_nobody activity 2>&1)" \
    '^1 sources online$'
for cmd in makestep "burst 1/1" "reload sources" offline "allow 1.2.3.4" \
    "doffset 0.1" "settime now"; do
	out=$(cc_nobody $cmd 2>&1)
	check "$cmd as nobody: 501 ($out)" [ "$out" = "501 Not authorised" ]
done
check "the refusal of makestep is logged with nobody's uid" grep -q \
    "makestep refused: uid $(id -u nobody) is not root" "$T/client.log"
check "nobody's offline was refused: the source still online" contains \
    "$(tc activity)" '^1 sources online$'

# hostile datagrams, from a socket of our own next to chronyc's; every
# reply is matched to its request by the sequence number echoed
cat >"$T/hostile.py" <<'PY'
import os, random, socket, struct, sys, time

target, mine, mode = sys.argv[1], sys.argv[2], sys.argv[3]
errors = []
sent = {}          # sequence -> shortest request with it
replies = 0
seq = 0x10000

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(mine)
os.chmod(mine, 0o666)

def header(version=6, ptype=1, command=0, sequence=None):
    global seq
    if sequence is None:
        seq += 1
        sequence = seq
    return struct.pack('!BBHHHI8x', version, ptype, 0, command, 0,
        sequence), sequence

def note(data):
    if len(data) >= 12:
        q = data[8:12]
        sent[q] = min(sent.get(q, 1 << 30), len(data))

def recv(timeout):
    s.settimeout(timeout)
    try:
        return s.recv(65536)
    except socket.timeout:
        return None

def check(r):
    global replies
    replies += 1
    if len(r) < 28:
        errors.append('a reply of %d bytes' % len(r))
        return
    q = r[16:20]
    if q not in sent:
        errors.append('a reply to no request (sequence %s)' % q.hex())
    elif len(r) > sent[q]:
        errors.append('a reply of %d bytes to a request of %d' %
            (len(r), sent[q]))
    if r[0] != 6 or r[1] != 2:
        errors.append('a reply with version %d type %d' % (r[0], r[1]))

def send(data, timeout=0.5):
    note(data)
    s.sendto(data, target)
    r = recv(timeout)
    if r is not None:
        check(r)
    return r

def status(r):
    return None if r is None or len(r) < 10 else struct.unpack('!H', r[8:10])[0]

def expect(what, data, want):
    r = send(data, 1.0)
    if want == 'any':
        return
    if want is None:
        if r is not None:
            errors.append('%s: a reply of %d bytes, none wanted' %
                (what, len(r)))
        return
    if r is None:
        errors.append('%s: no reply' % what)
        return
    if len(r) != 28 or status(r) != want:
        errors.append('%s: %d bytes, status %s; wanted 28, %d' %
            (what, len(r), status(r), want))
    if r[16:20] != data[8:12]:
        errors.append('%s: the sequence not echoed' % what)
    if r[4:6] != data[4:6]:
        errors.append('%s: the command not echoed' % what)

if mode == 'crafted':
    expect('empty', b'', None)
    expect('1 byte', b'\x06', None)
    h, _ = header(command=33)
    expect('27 bytes', (h + bytes(100))[:27], None)
    h, _ = header(command=33)
    expect('2000 bytes', h + bytes(1980), 'any')
    h, _ = header(ptype=2, command=33)
    expect('a reply (type 2) sent to it', h + bytes(100), None)
    h, _ = header(version=5, command=33)
    expect('version 5', h + bytes(100), 18)
    h, _ = header(version=7, command=33)
    expect('version 7', h + bytes(100), 18)
    h, _ = header(version=4, command=33)
    expect('version 4', h + bytes(100), None)
    h, _ = header(command=200)
    expect('unknown command 200', h + bytes(80), 3)
    h, _ = header(command=0xffff)
    expect('unknown command 65535', h + bytes(80), 3)
    h, _ = header(command=33)
    expect('tracking in 28 bytes', h + bytes(8), 19)
    h, _ = header(command=33)
    expect('tracking in 103 bytes', h + bytes(83), 19)
    h, _ = header(command=65)
    expect('sourcename in 100 bytes', h + bytes(80), 19)
    # a whole tracking request: the reply, 104 bytes, fits
    h, _ = header(command=33)
    r = send(h + bytes(84), 2.0)
    if r is None or len(r) != 104 or status(r) != 0 or \
            struct.unpack('!H', r[6:8])[0] != 5:
        errors.append('tracking in 104 bytes: %r' %
            ((None if r is None else (len(r), status(r))),))
    # NULL in 28 bytes: 200 OK
    h, _ = header(command=0)
    r = send(h + bytes(8), 1.0)
    if r is None or len(r) != 28 or status(r) != 0:
        errors.append('null: %r' % ((None if r is None else
            (len(r), status(r))),))
else:
    # random datagrams: wholly random, or a request's header with a
    # random command and length; commands that change something only
    # when mode is "all" (run as nobody, who may change nothing)
    rng = random.Random(int(sys.argv[4]))
    changes = {1, 2, 3, 16, 37, 43, 50, 52, 63, 66, 70, 71}
    deadline = time.monotonic() + 60
    for i in range(500):
        if time.monotonic() > deadline:
            errors.append('the random datagrams took too long')
            break
        n = rng.choice([0, 1, 20, 27, 28, 29, 48, 104, 152, 284, 863, 864,
            865, 1500, rng.randrange(0, 1000)])
        body = bytes(rng.getrandbits(8) for _ in range(n))
        if i % 2 == 1 and n >= 20:
            while True:
                cmd = rng.choice([rng.randrange(0, 80),
                    rng.randrange(0, 65536)])
                if mode == 'all' or cmd not in changes:
                    break
            h, _ = header(version=rng.choice([6, 6, 6, 5, 7]),
                command=cmd)
            body = h + body[20:]
        send(body, 0.02)
    # the late replies
    while True:
        r = recv(1.0)
        if r is None:
            break
        check(r)

print('%s: %d requests, %d replies' % (mode, len(sent), replies))
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY
chmod 644 "$T/hostile.py"

out=$(timeout 60 python3 "$T/hostile.py" "$CHSOCK" "$CHDIR/crafted.sock" \
    crafted 2>&1)
check "crafted datagrams: dropped or a status, never longer" \
    [ $? -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
out=$(timeout 120 python3 "$T/hostile.py" "$CHSOCK" "$CHDIR/random.sock" \
    random $$ 2>&1)
check "500 random datagrams (root, no changes): never a longer reply" \
    [ $? -eq 0 ]
printf '%s\n' "$out" | sed 's/^/# /'
# a python3 nobody may run (root's may be in root's home)
NPY=
for py in python3 /usr/bin/python3; do
	if nobody "$py" -c '' 2>/dev/null; then
		NPY=$py
		break
	fi
done
if [ -n "$NPY" ]; then
	out=$(timeout 120 setpriv --reuid nobody --regid "$(id -g nobody)" \
	    --clear-groups "$NPY" "$T/hostile.py" "$CHSOCK" \
	    "$CHDIR/nobody.sock" all $(($$ + 1)) 2>&1)
	check "500 random datagrams (nobody, all commands): never longer" \
	    [ $? -eq 0 ]
	printf '%s\n' "$out" | sed 's/^/# /'
else
	echo "# no python3 nobody may run: the random datagrams as nobody skipped"
fi

alive() {
	! gone "$1"
}
check "the monitor is alive after the hostile datagrams" alive "$CPID"
check "and its engine" alive "$(engine_of "$CPID")"
check "chronyc tracking still works" sh -c \
    "'$chronyc' -h '$CHSOCK' tracking | grep -q '^Reference ID    : 7F000001 '"
check "timectl tracking still works" wait_for 5 synced
check "no engine was killed by seccomp" sh -c \
    "! grep -q 'signal 31' '$T/client.log' '$T/server.log'"

kill -TERM "$CPID" "$SPID"
for p in $CPID $SPID; do
	check "daemon $p stops" wait_for 5 gone "$p"
done
check "the chronyc socket is removed at exit" test ! -e "$CHSOCK"
finish
