#!/bin/sh
# The README's demonstration, on loopback: a timed server and a second
# timed with a virtual clock (0.3 s ahead, 40 ppm fast) set to sync from
# it, with `timectl -n sources` and `timectl -n tracking` printed every 10 s.
# Neither daemon touches this machine's clock.  It stops by itself after
# SECONDS (default 40), or at Ctrl-C or SIGTERM: either way it stops the
# two daemons it started, by their PIDs, and prints their logs.
#   sh regress/demo.sh BUILDDIR [SECONDS]
# DEMO_PORT: the server's UDP port on 127.0.0.1 (default 12300).
set -u
B=${1:?usage: demo.sh BUILDDIR [SECONDS]}
B=$(cd "$B" && pwd)
secs=${2:-40}
port=${DEMO_PORT:-12300}
D=$(mktemp -d /tmp/timed-demo.XXXXXX)
chmod 755 "$D"
mkdir -m 755 "$D/empty"
server=""
client=""
sleeper=""

# stop PID: SIGTERM, up to 5 s to exit, then SIGKILL.
stop() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
	kill -TERM "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# show_logs: each daemon's log, under its name.
show_logs() {
	for who in server client; do
		[ -f "$D/$who.log" ] || continue
		echo "=== the $who's log ($who.conf)"
		cat "$D/$who.log"
	done
}

finish() {
	trap - EXIT INT TERM
	[ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
	stop "$client"
	stop "$server"
	show_logs
	rm -rf "$D"
	exit "$1"
}
trap 'finish $?' EXIT
trap 'echo "=== interrupted: stopping the daemons"; finish 130' INT
trap 'echo "=== terminated: stopping the daemons"; finish 143' TERM

cat >"$D/server.conf" <<CONF
# the server: serves loopback from its own clock at stratum 1
clock virtual
local stratum 1
allow 127.0.0.0/8
port $port
bindaddress 127.0.0.1
user nobody
chrootdir $D/empty
bindcmdaddress $D/server.sock
CONF
cat >"$D/client.conf" <<CONF
# the client: a virtual clock 0.3 s ahead and 40 ppm fast
clock virtual offset 0.3 frequency 40
server 127.0.0.1 port $port iburst minpoll -2 maxpoll -2
makestep 0.1 3
port 0
user nobody
chrootdir $D/empty
bindcmdaddress $D/client.sock
driftfile $D/client.drift
CONF

"$B/timed" -d -f "$D/server.conf" >"$D/server.log" 2>&1 &
server=$!
"$B/timed" -d -f "$D/client.conf" >"$D/client.log" 2>&1 &
client=$!
echo "=== server (pid $server) and client (pid $client) started in $D;" \
    "they stop after $secs s, or at Ctrl-C"
sleep 1
t=0
while [ $t -lt "$secs" ]; do
	for p in "$server" "$client"; do
		if ! kill -0 "$p" 2>/dev/null; then
			echo "=== pid $p has exited: stopping"
			finish 1
		fi
	done
	echo "=== after $t s: timectl -n sources (client)"
	"$B/timectl" -n -h "$D/client.sock" sources
	echo "=== timectl -n tracking (client)"
	"$B/timectl" -n -h "$D/client.sock" tracking
	echo "=== true error of the client's virtual clock (s):" \
	    "$("$B/timectl" -h "$D/client.sock" -j tracking |
	    sed -n 's/.*"virtual_true_offset": *\([^,}]*\).*/\1/p')"
	[ $t = 0 ] && echo "    (tracking's System time: the client's own" \
	    "estimate of its offset, from the server's answers; the true" \
	    "error: the virtual clock's real one, which its model knows;" \
	    "they differ by what packets cannot show, such as unequal" \
	    "delays each way)"
	step=$((secs - t < 10 ? secs - t : 10))
	# in the background, so that a signal is handled at once
	sleep "$step" &
	sleeper=$!
	wait $sleeper
	sleeper=""
	t=$((t + step))
done
echo "=== $secs s: stopping the daemons"
finish 0
