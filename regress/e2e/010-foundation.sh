#!/bin/sh
# Foundation: two processes, the engine sandboxed, timectl answers through
# the monitor, the engine is restarted, bad configs refused, clean stop.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

SOCK=$T/timed.sock
cat >"$T/timed.conf" <<CONF
# a virtual clock 0.25 s ahead, 12.5 ppm fast
clock virtual offset 0.25 frequency 12.5
user nobody
chrootdir $T/empty
bindcmdaddress $SOCK
driftfile $T/drift
port 0
makestep 1 3
CONF
echo "          -3.250000             0.125000" >"$T/drift"

start_timed main "$T/timed.conf"
check "control socket appears" wait_for 10 test -S "$SOCK"
check "timectl tracking answers" wait_for 10 "$T/timectl" -h "$SOCK" tracking

EPID=$(engine_of "$MPID")
check "an engine runs under the monitor" test -n "$EPID"
check "only one engine" test "$(pgrep -P "$MPID" | wc -l)" -eq 1
check "ps shows the monitor" \
    grep -q "^timed: monitor" "/proc/$MPID/cmdline"
check "ps shows the network engine" \
    grep -q "^timed: network engine" "/proc/$EPID/cmdline"
check "engine is not root" test "$(proc_field "$EPID" Uid)" != 0
check "engine runs as nobody" test "$(proc_field "$EPID" Uid)" = 65534
check "engine has no supplementary groups" \
    test -z "$(proc_field "$EPID" Groups)"
check "engine is chrooted to chrootdir" \
    test "$(readlink "/proc/$EPID/root")" = "$T/empty"
check "engine has seccomp filter mode" test "$(proc_field "$EPID" Seccomp)" = 2
check "engine has no_new_privs" test "$(proc_field "$EPID" NoNewPrivs)" = 1
check "engine has no capabilities" \
    test "$(proc_field "$EPID" CapEff)" = 0000000000000000
check "engine cannot regain capabilities" \
    test "$(proc_field "$EPID" CapBnd)" = 0000000000000000
check "engine holds no file but its stdio (config memfd closed)" sh -c \
    "! ls -l /proc/$EPID/fd/ | grep -E 'memfd:|drift|\.conf' "
check "monitor has its own seccomp filter" \
    test "$(proc_field "$MPID" Seccomp)" = 2
# CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_SYS_CHROOT; a
# virtual clock needs no CAP_SYS_TIME, nothing after start-up binds
check "monitor keeps only the capabilities it uses" \
    test "$(proc_field "$MPID" CapEff)" = 00000000000401e0 -a \
    "$(proc_field "$MPID" CapPrm)" = 00000000000401e0
check "monitor's bounding set is as small (a root engine regains it)" \
    test "$(proc_field "$MPID" CapBnd)" = 00000000000401e0
check "monitor has no inheritable or ambient capabilities" \
    test "$(proc_field "$MPID" CapInh)" = 0000000000000000 -a \
    "$(proc_field "$MPID" CapAmb)" = 0000000000000000

out=$("$T/timectl" -h "$SOCK" tracking)
check "tracking has chrony's fields" \
    contains "$out" '^Reference ID    : 00000000 ()$'
check "tracking is not synchronised yet" \
    contains "$out" '^Leap status     : Not synchronised$'
check "tracking shows the drift file's frequency" \
    contains "$out" '^Frequency       : 3.250 ppm slow$'

json=$("$T/timectl" -h "$SOCK" -j tracking)
check "timectl -j tracking is JSON with the contract's keys" python3 -c '
import json, sys
t = json.loads(sys.argv[1])
keys = ("reference_id reference_name stratum ref_time system_time_offset "
        "last_offset rms_offset frequency_ppm residual_freq_ppm skew_ppm "
        "root_delay root_dispersion update_interval leap_status clock "
        "virtual_true_offset").split()
missing = [k for k in keys if k not in t]
assert not missing, missing
assert t["clock"] == "virtual", t["clock"]
assert t["leap_status"] == "unsynchronised", t["leap_status"]
assert abs(t["frequency_ppm"] + 3.25) < 1e-6, t["frequency_ppm"]
# 0.25 s ahead, drifting 12.5 - (-3.25) ppm: still 0.25 s within 1 ms
assert abs(t["virtual_true_offset"] - 0.25) < 1e-3, t["virtual_true_offset"]
' "$json"

check "timectl sources prints chrony's header" sh -c \
    "'$T/timectl' -h '$SOCK' sources | grep -q '^MS Name/IP address         Stratum Poll Reach LastRx Last sample'"
check "timectl -j sources is a JSON array" sh -c \
    "'$T/timectl' -h '$SOCK' -j sources | python3 -c 'import json,sys; assert json.load(sys.stdin) == []'"
check "makestep as root: 200 OK" sh -c \
    "'$T/timectl' -h '$SOCK' makestep | grep -qx '200 OK'"
check "step is an alias" sh -c "'$T/timectl' -h '$SOCK' -a step | grep -qx '200 OK'"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$T/timectl" -h "$SOCK" makestep 2>&1)
rc=$?
check "makestep as nobody is refused with 501" test "$rc" = 1 -a \
    "$out" = "501 Not authorised"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$T/timectl" -h "$SOCK" makestep 2>/dev/null)
check "501 is on stdout, as chronyc prints it" \
    test "$out" = "501 Not authorised"
check "tracking as nobody is answered" setpriv --reuid=65534 \
    --regid=65534 --clear-groups "$T/timectl" -h "$SOCK" tracking

# A garbage client does not disturb the monitor.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"\xff" * 64)
s.close()' "$SOCK"
check "monitor survives a garbage client" "$T/timectl" -h "$SOCK" tracking

check "the engine has not died so far" \
    test "$(grep -c 'engine ready' "$T/main.log")" = 1

# The engine is restarted within 5 s after a SIGKILL.
kill -KILL "$EPID"
check "a new engine within 5 s" wait_for 5 sh -c \
    "p=\$(pgrep -P $MPID); [ -n \"\$p\" ] && [ \"\$p\" != $EPID ]"
check "tracking answers again" wait_for 5 "$T/timectl" -h "$SOCK" tracking
check "monitor logged how the engine died" \
    grep -q "killed by signal 9" "$T/main.log"
check "frequency kept across the restart" sh -c \
    "'$T/timectl' -h '$SOCK' tracking | grep -q '3.250 ppm slow'"
EPID=$(engine_of "$MPID")

kill -TERM "$MPID"
check "SIGTERM stops the monitor" wait_for 5 gone "$MPID"
check "SIGTERM stops the engine" wait_for 5 gone "$EPID"
check "control socket removed" test ! -e "$SOCK"
check "no engine was killed by seccomp" not_in_log "$T/main.log" "signal 31"
check "drift file kept whole" grep -q -- "-3.250000" "$T/drift"
out=$("$T/timectl" -h "$SOCK" tracking 2>&1)
rc=$?
check "timectl without a daemon: one line, status 1" \
    test "$rc" = 1 -a "$(printf '%s\n' "$out" | wc -l)" = 1

# Bad configurations: FILE:LINE and status 1, before anything starts.
printf 'port 123\nclock virtual\nminpoll_typo 3\n' >"$T/bad.conf"
out=$("$TIMED" -p -f "$T/bad.conf" 2>&1)
rc=$?
check "timed -p: bad line gives FILE:LINE and status 1" \
    test "$rc" = 1
check "timed -p: the message names FILE:LINE" \
    contains "$out" "^$T/bad.conf:3: unknown directive 'minpoll_typo'"
out=$("$TIMED" -d -f "$T/bad.conf" 2>&1)
rc=$?
check "timed: bad config refuses to start" test "$rc" = 1
check "timed: bad config names FILE:LINE" contains "$out" "^$T/bad.conf:3: "
check "timed -p prints a good config" sh -c \
    "'$TIMED' -p -f '$T/timed.conf' | grep -q '^makestep 1'"
# Under --enable-sanitizers, LeakSanitizer turns a leak into status 1.
check "timed -p: status 0, leaks detected or not" env \
    ASAN_OPTIONS=detect_leaks=1 "$TIMED" -p -f "$T/timed.conf"
out=$(ASAN_OPTIONS=detect_leaks=1 "$TIMED" -p -f "$T/bad.conf" 2>&1)
check "timed -p: a bad line gives one line, leaks detected or not" \
    test "$(printf '%s\n' "$out" | wc -l)" = 1
sed 's/^user nobody/user no_such_user_here/' "$T/timed.conf" >"$T/nouser.conf"
out=$("$TIMED" -d -f "$T/nouser.conf" 2>&1)
rc=$?
check "missing user: status 1" test "$rc" = 1
check "missing user: clear error" \
    contains "$out" "user 'no_such_user_here' does not exist"

# -x: the clock is never touched; makestep fails as chronyd -x's does.
start_timed noclock "$T/timed.conf" -x
check "-x: daemon answers" wait_for 10 "$T/timectl" -h "$SOCK" tracking
check "-x: clock is none" sh -c \
    "'$T/timectl' -h '$SOCK' -j tracking | grep -q '\"clock\": *\"none\"'"
out=$("$T/timectl" -h "$SOCK" makestep 2>&1)
check "-x: makestep gives 500 Failure" test "$out" = "500 Failure"
kill -TERM "$MPID"
check "-x: stops" wait_for 5 gone "$MPID"

finish
