#!/bin/sh
# The engine's own crashes are reported as what they are: an abort() in a
# sandboxed engine is "signal 6 (Aborted)", not "Bad system call" (the
# monitor's inherited seccomp filter once killed the engine's tgkill), a
# null pointer write is "signal 11"; a new engine comes up and serves.
# regress/crashshim.so, preloaded, crashes the first engine from inside
# its event loop.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

SHIM=$top_builddir/regress/crashshim.so
# The shim comes first in the library list: ASan must not insist.
export ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"

BASE=$((20000 + ($$ + 41) % 20000))
SOCK=$T/timed.sock
cat >"$T/timed.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.0/8
port $BASE
bindaddress 127.0.0.1
user nobody
chrootdir $T/empty
bindcmdaddress $SOCK
CONF

answers() {
	json_ok "$(python3 "$top_srcdir/regress/ntpclient.py" -n 1 -w 1 \
	    127.0.0.1 "$BASE")" 'o["answers"] == 1'
}

# crash KIND SIGNAL NAME: a server whose first engine crashes with KIND
crash() {
	kind=$1
	sig=$2
	signame=$3
	TIMED_CRASH="$kind:$T/crashed-$kind" LD_PRELOAD=$SHIM \
	    start_timed "$kind" "$T/timed.conf"
	check "$kind: the first engine starts" wait_for 10 test -e \
	    "$T/crashed-$kind"
	check "$kind: the engine dies" wait_for 10 grep -q \
	    "engine (pid [0-9]*) killed by signal" "$T/$kind.log"
	check "$kind: reported as signal $sig ($signame)" grep -q \
	    "killed by signal $sig ($signame)" "$T/$kind.log"
	check "$kind: not as a seccomp kill" not_in_log "$T/$kind.log" \
	    "Bad system call"
	check "$kind: a new engine comes up" wait_for 15 sh -c \
	    "[ \$(grep -c 'engine ready' '$T/$kind.log') -ge 2 ]"
	check "$kind: it answers NTP" wait_for 5 answers
	check "$kind: and timectl" "$T/timectl" -h "$SOCK" tracking
	kill -TERM "$MPID"
	check "$kind: the monitor stops" wait_for 5 gone "$MPID"
}

crash a 6 Aborted
# ASan turns a SEGV into a report and exit status 1: either is a crash
# told as what it is.
if "$TIMED" -h 2>&1 | grep -q AddressSanitizer ||
    nm "$TIMED" 2>/dev/null | grep -q __asan_init; then
	echo "# sanitizer build: SEGV is ASan's report, not checked"
else
	crash s 11 "Segmentation fault"
fi

finish
