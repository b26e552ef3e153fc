# Shared by the simulation scripts (sim-bench.sh, sim-check.sh): daemons
# that take chronyd's command line (-d -f CONF) run under clknetsim, a
# simulated network of simulated clocks (doc/DESIGN.md, "Simulation
# mode"; doc/ACCURACY.md).
# Sourced, not run, after top_srcdir and top_builddir are set.
#
#   sim_setup                 clknetsim built, chronyd found: SIM_CNS,
#                             SIM_CHRONYD, SIM_TIMED; exit 77 without
#                             clknetsim's source
#   sim_begin                 a fresh scratch folder $R for one run
#   sim_link A B UP [DOWN]    delays A->B (UP) and B->A (DOWN, default UP)
#   sim_clock N OFFSET FREQ   node N's clock: initial offset (s), frequency
#   sim_cfg LINE              any clknetsim config line
#   sim_env VAR=VALUE...      environment of every node of the run
#   sim_node N DAEMON CONF    node N runs DAEMON (chronyd, timed or a path)
#                             with these chrony.conf lines
#   sim_cmd N CMD ARGS...     node N runs a command (chronyc, timectl)
#   sim_run NODES SECS SEED   the nodes and the clknetsim server, to the end
#   sim_results NODES BOUND [AGAINST]
#                             per node: rms max freq_rms sync packets
#   sim_end [keep]            $R removed (kept with keep or SIM_KEEP=1)
#
# Every simulated process runs under setpriv without CAP_SYS_TIME, with
# clknetsim.so preloaded into it alone (never into setpriv or env): a
# clock call that escaped the preload would fail with EPERM, and only the
# daemon registers as a node.  Each node's daemon is started as
# "chronyd" from a folder of its own whose chronyd is a symlink to the
# real program ($R/bin.DAEMON/chronyd), so that any clknetsim scenario
# written for chronyd (chrony's test/simulation, clknetsim.bash) runs
# timed-sim unchanged with that folder first in PATH: sim_bindir DAEMON.
# The daemon names are chronyd, timed (BUILDDIR/regress/sim/timed-sim,
# or SIM_DAEMON when set: the one switch) or a path.

SIM_NAME=${SIM_NAME:-sim}
# The NTP network is subnet 1; subnet 2 carries the daemons' UNIX
# sockets (bindcmdaddress /clknetsim/unix/...), as in chrony's tests.
SIM_SUBNETS=2
# Wall-clock limit of one clknetsim run, seconds.
SIM_WALL_LIMIT=${SIM_WALL_LIMIT:-1800}
# Seconds of simulated time left out of the statistics (clknetsim -r),
# chrony's max_sync_time.
SIM_WARMUP=${SIM_WARMUP:-210}
SIM_PIDS=""
R=""

sim_say() {
	echo "$SIM_NAME: $*" >&2
}

sim_skip() {
	echo "SKIP: $*"
	exit 77
}

# sim_build_clknetsim SRC DEST: copy SRC's sources into DEST and make
# there (never in SRC); reused while SRC's sources are unchanged.
sim_build_clknetsim() {
	_src=$1
	_dst=$2
	_stamp=$(cd "$_src" && cat Makefile ./*.c ./*.cc ./*.h | cksum)
	if [ -x "$_dst/clknetsim" ] && [ -f "$_dst/clknetsim.so" ] &&
	    [ "$(cat "$_dst/.stamp" 2>/dev/null)" = "$_stamp" ]; then
		return 0
	fi
	sim_say "building clknetsim from $_src in $_dst"
	_tmp=$_dst.tmp.$$
	rm -rf "$_tmp"
	mkdir -p "$_tmp" || return 1
	cp "$_src"/Makefile "$_src"/*.c "$_src"/*.cc "$_src"/*.h "$_tmp"/ ||
	    return 1
	# Its Makefile probes headers with `echo -e`: bash's echo, not dash's.
	if ! (cd "$_tmp" && make SHELL=/bin/bash >make.log 2>&1); then
		sim_say "clknetsim's make failed: $(tail -n 5 "$_tmp/make.log")"
		return 1
	fi
	echo "$_stamp" >"$_tmp/.stamp"
	rm -rf "$_dst"
	mv "$_tmp" "$_dst"
}

# sim_setup: SIM_CNS (the folder with clknetsim and clknetsim.so),
# SIM_CHRONYD (empty when fetch-chrony.sh cannot get it) and SIM_TIMED
# (BUILDDIR/regress/sim/timed-sim, which may not exist).
sim_setup() {
	top_srcdir=${top_srcdir:-.}
	top_builddir=${top_builddir:-$(pwd)}
	if [ -z "${CLKNETSIM_PATH:-}" ] &&
	    [ -d "$top_srcdir/../shared/clknetsim" ]; then
		CLKNETSIM_PATH=$(cd "$top_srcdir/../shared/clknetsim" && pwd)
	fi
	if [ -z "${CLKNETSIM_PATH:-}" ]; then
		sim_skip "no clknetsim source: set CLKNETSIM_PATH (looked in" \
		    "$top_srcdir/../shared/clknetsim)"
	fi
	if [ ! -f "$CLKNETSIM_PATH/client.c" ] ||
	    [ ! -f "$CLKNETSIM_PATH/server.cc" ]; then
		sim_skip "CLKNETSIM_PATH=$CLKNETSIM_PATH holds no clknetsim" \
		    "source (client.c, server.cc)"
	fi
	for _t in make g++ cc setpriv timeout; do
		command -v "$_t" >/dev/null 2>&1 ||
		    sim_skip "no $_t command"
	done
	SIM_CNS=$top_builddir/regress/sim/clknetsim
	mkdir -p "$top_builddir/regress/sim" || exit 1
	sim_build_clknetsim "$CLKNETSIM_PATH" "$SIM_CNS" || exit 1
	if [ -z "${SIM_CHRONYD:-}" ]; then
		SIM_CHRONYD=$(sh "$top_srcdir/regress/fetch-chrony.sh" \
		    ${TIMED_CHRONY_DIR:+"$TIMED_CHRONY_DIR"} | tail -n 1)
		[ -x "$SIM_CHRONYD" ] || SIM_CHRONYD=""
	fi
	SIM_TIMED=${SIM_TIMED:-$top_builddir/regress/sim/timed-sim}
	sim_no_sys_time ||
	    sim_skip "setpriv cannot drop CAP_SYS_TIME here"
}

# sim_no_sys_time: setpriv as sim_run uses it leaves CAP_SYS_TIME (bit
# 25) out of the effective set of what it runs.
sim_no_sys_time() {
	_eff=$(setpriv --inh-caps=-all --bounding-set=-sys_time \
	    awk '$1 == "CapEff:" { print $2 }' /proc/self/status) || return 1
	[ -n "$_eff" ] || return 1
	[ $(( 0x$_eff >> 25 & 1 )) -eq 0 ]
}

# sim_daemon NAME: the program for a daemon name: chronyd, timed (the
# timed-sim command), or a path.  SIM_DAEMON, when set, stands for
# "timed": the one switch that puts another program in its place.
sim_daemon() {
	case $1 in
	chronyd)
		echo "$SIM_CHRONYD" ;;
	timed)
		echo "${SIM_DAEMON:-$SIM_TIMED}" ;;
	*)
		echo "$1" ;;
	esac
}

# sim_bindir NAME: a folder whose chronyd is NAME's program (created in
# $R on first use); first in PATH, it makes clknetsim scenarios written
# for chronyd run NAME.
sim_bindir() {
	_b=$R/bin.$(basename "$1")
	if [ ! -d "$_b" ]; then
		mkdir -p "$_b" &&
		    ln -s "$(sim_daemon "$1")" "$_b/chronyd" || return 1
	fi
	echo "$_b"
}

sim_begin() {
	R=$(mktemp -d "/tmp/timed-sim.XXXXXX") || exit 1
	: >"$R/conf"
	SIM_ENV=""
	SIM_PIDS=""
}

# sim_end [keep]: the nodes stopped, $R removed unless "keep" or SIM_KEEP.
sim_end() {
	sim_stop
	if [ -n "${SIM_KEEP:-}${1:-}" ]; then
		sim_say "kept $R"
	else
		rm -rf "$R"
	fi
}

sim_cfg() {
	echo "$*" >>"$R/conf"
}

sim_link() {
	sim_cfg "node$1_delay$2 = $3"
	sim_cfg "node$2_delay$1 = ${4:-$3}"
}

sim_clock() {
	sim_cfg "node$1_offset = $2"
	sim_cfg "node$1_freq = $3"
}

# sim_step N EXPR: node N's clock stepped by EXPR seconds each second,
# as by another program (clknetsim's step generator; chrony's
# 005-externalstep).
sim_step() {
	sim_cfg "node$1_step = $2"
}

# sim_env VAR=VALUE...: environment for every node of this run (e.g.
# CLKNETSIM_START_DATE); no spaces in values.
sim_env() {
	SIM_ENV="$SIM_ENV $*"
}

# sim_node N DAEMON CONF [OPTIONS]: node N runs DAEMON -d -f $R/conf.N
# OPTIONS; conf.N as clknetsim.bash writes it for chronyd, then CONF.
sim_node() {
	cat >"$R/conf.$1" <<EOF
pidfile $R/pidfile.$1
allow
cmdallow
bindcmdaddress 0.0.0.0
bindcmdaddress /clknetsim/unix/chronyd.sock
$3
EOF
	if [ -n "${SIM_LOG:-}" ]; then
		mkdir -p "$R/logs.$1"
		printf 'log %s\nlogdir %s\n' "$SIM_LOG" "$R/logs.$1" >>"$R/conf.$1"
	fi
	_p=$(sim_daemon "$2")
	if [ -z "$_p" ] || [ ! -x "$_p" ]; then
		sim_say "node $1: no program for $2 (${_p:-none})"
		return 1
	fi
	printf '%s\n' "$(sim_bindir "$2")/chronyd -d -f $R/conf.$1 ${4:-}" \
	    >"$R/cmd.$1"
	echo "$2" >"$R/daemon.$1"
}

# sim_cmd N COMMAND...: node N runs COMMAND (no spaces in arguments),
# e.g. chronyc or timectl against a daemon's /clknetsim/unix socket;
# with "nodeN_start = SECONDS" in the config it starts then.
sim_cmd() {
	_n=$1
	shift
	printf '%s\n' "$*" >"$R/cmd.$_n"
	rm -f "$R/daemon.$_n"
}

# sim_start_node N SEED: one node, preloaded, CAP_SYS_TIME dropped.
# clknetsim.so comes before the sanitizer runtime of a sanitizer build,
# which then has to be told that this order is intended.
sim_start_node() {
	# shellcheck disable=SC2046
	setpriv --inh-caps=-all --bounding-set=-sys_time \
	    env -u LISTEN_FDS -u NOTIFY_SOCKET \
	    LD_PRELOAD="$SIM_CNS/clknetsim.so" CLKNETSIM_NODE="$1" \
	    CLKNETSIM_SOCKET="$R/sock" CLKNETSIM_UNIX_SUBNET=$SIM_SUBNETS \
	    CLKNETSIM_RANDOM_SEED="$2" $SIM_ENV \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    $(cat "$R/cmd.$1") >"$R/log.$1" 2>&1 &
	echo $! >"$R/pid.$1"
	SIM_PIDS="$SIM_PIDS $!"
}

sim_running() {
	[ -r "/proc/$1/stat" ] &&
	    [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# sim_stop: TERM the nodes, up to 3 s, then KILL; only our PIDs.
sim_stop() {
	[ -n "$SIM_PIDS" ] || return 0
	for _p in $SIM_PIDS; do
		kill -TERM "$_p" 2>/dev/null
	done
	_i=0
	while [ $_i -lt 30 ]; do
		_alive=""
		for _p in $SIM_PIDS; do
			sim_running "$_p" && _alive="$_alive $_p"
		done
		[ -z "$_alive" ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	for _p in $_alive; do
		sim_say "node pid $_p did not stop: KILL"
		kill -KILL "$_p" 2>/dev/null
	done
	for _p in $SIM_PIDS; do
		wait "$_p" 2>/dev/null
	done
	SIM_PIDS=""
}

# sim_watch NODES: while clknetsim runs, a daemon node that exits
# fails the run: before the simulation starts clknetsim would wait for
# it forever (clknetsim is stopped, by timeout's PID), after it the run
# would go on with that node's clock free (noted in $R/exited).  Command
# nodes (sim_cmd) may exit.  Polls every 0.1 s, SIM_WALL_LIMIT at most.
sim_watch() {
	_i=0
	while [ $_i -lt $((SIM_WALL_LIMIT * 10)) ]; do
		[ -f "$R/rc" ] && return 0
		_n=1
		while [ $_n -le "$1" ]; do
			if [ -f "$R/daemon.$_n" ] &&
			    ! sim_running "$(cat "$R/pid.$_n")" &&
			    ! grep -q 'simulation\.\.\.done' "$R/log" \
			    2>/dev/null; then
				sim_say "node $_n exited before the end"
				echo "$_n" >>"$R/exited"
				grep -q 'Running simulation' "$R/log" ||
				    kill -TERM "$(cat "$R/cns.pid")" \
				    2>/dev/null
				return 1
			fi
			_n=$((_n + 1))
		done
		sleep 0.1
		_i=$((_i + 1))
	done
}

# sim_run NODES SECONDS SEED: start nodes 1..NODES (each needs sim_node
# or sim_cmd), run clknetsim for SECONDS of simulated time with the seed,
# stop the nodes.  Leaves $R/stats (clknetsim's, over [SIM_WARMUP, end]),
# $R/log.offset and $R/log.freq (one line a second, a column a node),
# $R/packets ("node count": packets each node sent on the NTP network,
# dropped ones included) and $R/log.N (node N's output).  Fails when
# clknetsim fails or takes longer than SIM_WALL_LIMIT real seconds.
sim_run() {
	_nodes=$1
	_i=1
	while [ $_i -le "$_nodes" ]; do
		if [ ! -f "$R/cmd.$_i" ]; then
			sim_say "node $_i has no daemon or command"
			return 1
		fi
		sim_start_node $_i "$3"
		_i=$((_i + 1))
	done
	# The packet log (a line a packet) goes through a pipe to awk: a
	# fast poll makes millions of lines.  The seed goes into
	# clknetsim's environment too: it draws the network's and the
	# clocks' random numbers.
	{ CLKNETSIM_RANDOM_SEED="$3" \
	    timeout -k 5 "$SIM_WALL_LIMIT" "$SIM_CNS/clknetsim" \
	    -s "$R/sock" -n $SIM_SUBNETS -R 1 -r "$SIM_WARMUP" -l "$2" \
	    -o "$R/log.offset" -f "$R/log.freq" -p /dev/fd/3 \
	    "$R/conf" "$_nodes" 3>&1 >"$R/stats" 2>"$R/log" &
	  echo $! >"$R/cns.pid"
	  wait $!
	  echo $? >"$R/rc"; } |
	    awk -F '\t' '$7 == 1 { n[$2]++ } END { for (i in n) print i, n[i] }' \
	    >"$R/packets" &
	_pipe=$!
	sim_watch "$_nodes"
	wait $_pipe
	sim_stop
	_rc=$(cat "$R/rc")
	# A daemon that exited at the start (registered, then gone) leaves
	# clknetsim running without it: it woke up once in the whole run.
	_n=1
	for _w in $(awk -F '\t' '/^Mean wakeup interval:/ { print $2 }' \
	    "$R/stats"); do
		if [ -f "$R/daemon.$_n" ] &&
		    awk -v w="$_w" -v l="$2" 'BEGIN { exit !(w + 0 >= l / 2) }'
		then
			sim_say "node $_n never woke up: it exited or hung"
			echo "$_n" >>"$R/exited"
		fi
		_n=$((_n + 1))
	done
	if [ -f "$R/exited" ]; then
		sim_say "node(s) $(echo $(cat "$R/exited")) exited early"
		return 1
	fi
	if [ "$_rc" != 0 ]; then
		[ "$_rc" = 124 ] &&
		    sim_say "clknetsim ran past $SIM_WALL_LIMIT s"
		sim_say "clknetsim failed ($_rc): $(tail -n 3 "$R/log" |
		    tr '\n' ' ')"
		return 1
	fi
}

# sim_results NODES [BOUND [AGAINST]]: a line per node: N rms_s max_s
# freq_rms sync_s packets.  rms, max (of the true time error) and
# freq_rms (of the frequency error) over [SIM_WARMUP, end]; sync_s,
# chrony's check_sync: 1 + the last second with |offset| > BOUND
# (default 1e-3 s) or |frequency error| > 500 ppm, -1 when not in sync
# at the end.  With AGAINST, a node number, the errors are those of
# each clock less that node's: how well a client follows its server.
sim_results() {
	paste "$R/log.offset" "$R/log.freq" |
	    awk -v n="$1" -v w="$SIM_WARMUP" -v b="${2:-1e-3}" \
	    -v a="${3:-0}" '
	function abs(x) { return x < 0 ? -x : x }
	{
		for (i = 1; i <= n; i++) {
			off = $i - (a > 0 ? $a : 0)
			fr = $(i + n) - (a > 0 ? $(a + n) : 0)
			if (abs(off) > b || abs(fr) > 5e-4)
				last[i] = NR - 1
			else if (!(i in last))
				last[i] = -1
			if (NR > w) {
				s2[i] += off * off
				f2[i] += fr * fr
				if (abs(off) > mx[i])
					mx[i] = abs(off)
				k[i]++
			}
		}
	}
	END {
		for (i = 1; i <= n; i++) {
			sync = last[i] + 1 >= NR ? -1 : last[i] + 1
			if (k[i] == 0)
				printf "%d nan nan nan %d\n", i, sync
			else
				printf "%d %.3e %.3e %.3e %d\n", i,
				    sqrt(s2[i] / k[i]), mx[i],
				    sqrt(f2[i] / k[i]), sync
		}
	}' | while read -r _n _rest; do
		echo "$_n $_rest $(awk -v n="$_n" '$1 == n { print $2 }' \
		    "$R/packets" | grep . || echo 0)"
	done
}
