#!/bin/sh
# The README's demo (regress/demo.sh, ./bootstrap.sh demo), issue 16: it
# stops by itself after its time, and at SIGTERM or Ctrl-C (SIGINT) at
# once, stopping the two daemons it started by their PIDs (it went on
# polling dead daemons and ended with "cat: ... No such file"); it says
# which log is whose, and why tracking's offset is not the true error.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

DEMO=${top_srcdir:-.}/regress/demo.sh
PORT=$((20000 + ($$ + 53) % 20000))

# demo_pids FILE: the daemons' PIDs, from the demo's first line.
demo_pids() {
	sed -n 's/^=== server (pid \([0-9]*\)) and client (pid \([0-9]*\)).*/\1 \2/p' \
	    "$1"
}

# both_gone FILE: neither daemon of that run is left.
both_gone() {
	for p in $(demo_pids "$1"); do
		gone "$p" || return 1
	done
	[ -n "$(demo_pids "$1")" ]
}

# output FILE: what every run prints.
output() {
	grep -q "^=== the server's log" "$1" &&
	    grep -q "^=== the client's log" "$1" &&
	    grep -q "^    (tracking's System time: the client's own estimate" \
	    "$1" && ! grep -q "No such file" "$1"
}

# A short run stops by itself.
DEMO_PORT=$PORT sh "$DEMO" "$top_builddir" 2 >"$T/short.out" 2>&1
check "a short run ends by itself, status 0" [ $? = 0 ]
check "the clients synced" grep -q '^\^\* 127.0.0.1' "$T/short.out"
check "its daemons are gone" both_gone "$T/short.out"
check "it labels the logs and explains the offsets" output "$T/short.out"

# stopped SIGNAL STATUS: a long run, stopped by SIGNAL after its first
# report, ends within 5 s with STATUS and its daemons gone.
stopped() {
	out=$T/$1.out
	DEMO_PORT=$PORT env --default-signal=INT sh "$DEMO" "$top_builddir" \
	    600 >"$out" 2>&1 &
	demo=$!
	PIDS="$PIDS $demo"
	check "$1: the demo runs" wait_for 20 grep -q "^=== true error" "$out"
	kill -"$1" "$demo"
	check "$1: the demo ends within 5 s" wait_for 5 gone "$demo"
	wait "$demo"
	check "$1: status $2" [ $? = "$2" ]
	check "$1: its daemons are gone" both_gone "$out"
	check "$1: logs labelled, nothing missing" output "$out"
	check "$1: its folder is removed" sh -c "! ls -d \
	    \"\$(sed -n 's/.* started in \([^;]*\);.*/\1/p' '$out')\" \
	    2>/dev/null"
}
stopped TERM 143
stopped INT 130
finish
