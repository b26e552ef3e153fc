#!/bin/sh
# The README's demonstration, on loopback: a timed server and a second
# timed with a virtual clock (0.3 s ahead, 40 ppm fast) set to sync from
# it, with `timectl sources` and `timectl tracking` printed as it goes.
# Neither daemon touches this machine's clock.  Stops what it started.
#   sh regress/demo.sh BUILDDIR [SECONDS]
set -u
B=${1:?usage: demo.sh BUILDDIR [SECONDS]}
B=$(cd "$B" && pwd)
secs=${2:-40}
D=$(mktemp -d /tmp/timed-demo.XXXXXX)
chmod 755 "$D"
mkdir -m 755 "$D/empty"
pids=""
trap 'for p in $pids; do kill -TERM $p 2>/dev/null; done; sleep 1; rm -rf "$D"' EXIT INT TERM

cat >"$D/server.conf" <<CONF
# the server: serves loopback from its own clock at stratum 1
clock virtual
local stratum 1
allow 127.0.0.0/8
port 12300
bindaddress 127.0.0.1
user nobody
chrootdir $D/empty
bindcmdaddress $D/server.sock
CONF
cat >"$D/client.conf" <<CONF
# the client: a virtual clock 0.3 s ahead and 40 ppm fast
clock virtual offset 0.3 frequency 40
server 127.0.0.1 port 12300 iburst minpoll -2 maxpoll -2
makestep 0.1 3
port 0
user nobody
chrootdir $D/empty
bindcmdaddress $D/client.sock
driftfile $D/client.drift
CONF

"$B/timed" -d -f "$D/server.conf" >"$D/server.log" 2>&1 &
pids="$pids $!"
"$B/timed" -d -f "$D/client.conf" >"$D/client.log" 2>&1 &
pids="$pids $!"
sleep 1
t=0
while [ $t -lt "$secs" ]; do
	echo "=== after $t s: timectl sources (client)"
	"$B/timectl" -h "$D/client.sock" sources
	echo "=== timectl tracking (client)"
	"$B/timectl" -h "$D/client.sock" tracking
	echo "=== true error of the client's virtual clock (s):" \
	    "$("$B/timectl" -h "$D/client.sock" -j tracking |
	    sed -n 's/.*"virtual_true_offset": *\([^,}]*\).*/\1/p')"
	sleep 10
	t=$((t + 10))
done
echo "=== daemon logs"
cat "$D/server.log" "$D/client.log"
