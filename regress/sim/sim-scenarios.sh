# The simulation scenarios of sim-bench.sh (and sim-check.sh's default),
# each defined once, in sim_scenario's case statement.  Sourced after
# sim-lib.sh, not run.
#
# sim_scenario NAME DUT, inside sim_begin/sim_end, writes the clknetsim
# network and the nodes' confs for scenario NAME with DUT (chronyd,
# timed, or a path) as the daemon under test, and sets
#   SCN_NODES    the number of nodes
#   SCN_MEASURE  the nodes whose figures count (the DUT's clients)
#   SCN_HOURS    default simulated hours (SIM_HOURS overrides)
#   SCN_BOUND    the sync bound in seconds (default 1e-3)
#   SCN_WARMUP   the start of the error statistics, simulated seconds
#                (default 210, chrony's max_sync_time)
#   SCN_AGAINST  a node whose clock the errors are measured against
#                (default none: true time)
# Reference servers are always chronyd, `local stratum 1` with a perfect
# clock unless the scenario says otherwise.  Addresses: 192.168.123.N.
# Returns 1 for an unknown name.  To add one: a case here and its name
# in SIM_ALL_SCENARIOS.

SIM_ALL_SCENARIOS="default jitter1ms asymjitter wander freqstep delaystep
tempcycle freq500 freq5pct step extstep falseticker3 falseticker5 strata
intermittent loss20 poll-6 poll-2 poll6 poll10 iburst filter xleave chain
chainsrv chaincli chaincli-rel server50 peers leap spike stall nts refshm
refphc refpps hwts"

# chrony's default network (test.common): 100 us + Exp(100 us) each
# way, client 100 ppm with a 1e-9 random walk, 0.1 s off.
SCN_DELAY="(+ 1e-4 (* 1e-4 (exponential)))"
SCN_FREQ="(+ 1e-4 (sum (* 1e-9 (normal))))"
SCN_OFFSET=0.1

# scn_simple DUT [DOWN [UP [FREQ [OFFSET [CONF]]]]]: chronyd as node 1
# (conf SCN_SERVER, default local stratum 1), the DUT as node 2 with
# `server 192.168.123.1 CONF`; DOWN is the delay 1->2, UP 2->1.
scn_simple() {
	sim_link 1 2 "${2:-$SCN_DELAY}" "${3:-${2:-$SCN_DELAY}}"
	sim_clock 2 "${5:-$SCN_OFFSET}" "${4:-$SCN_FREQ}"
	sim_node 1 chronyd "${SCN_SERVER:-local stratum 1}" &&
	    sim_node 2 "$1" "server 192.168.123.1 ${6:-}"
	SCN_NODES=2
	SCN_MEASURE=2
}

# scn_servers DUT N "OFFSET FREQ"...: N chronyd servers (nodes 1..N,
# each local stratum 1; a clock per argument, the rest perfect), the DUT
# as node N+1 using them all.
scn_servers() {
	_dut=$1
	_n=$2
	shift 2
	_c=$((_n + 1))
	_conf=""
	_i=1
	while [ $_i -le "$_n" ]; do
		sim_link $_i $_c "$SCN_DELAY"
		if [ $# -gt 0 ]; then
			# shellcheck disable=SC2086
			sim_clock $_i $1
			shift
		fi
		sim_node $_i chronyd "local stratum 1" || return 1
		_conf="${_conf}server 192.168.123.$_i
"
		_i=$((_i + 1))
	done
	sim_clock $_c "$SCN_OFFSET" "$SCN_FREQ"
	sim_node $_c "$_dut" "$_conf"
	SCN_NODES=$_c
	SCN_MEASURE=$_c
}

# scn_nts_cert: $R/nts.key and $R/nts.crt, a P-256 key and a certificate
# for node 1 (node1.net1.clk, 192.168.123.1) valid from now for two
# days; clknetsim's clock starts an hour on.
scn_nts_cert() {
	if ! command -v openssl >/dev/null 2>&1; then
		sim_say "nts: no openssl command"
		return 1
	fi
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -days 2 -subj /CN=node1.net1.clk \
	    -addext subjectAltName=DNS:node1.net1.clk,IP:192.168.123.1 \
	    -keyout "$R/nts.key" -out "$R/nts.crt" 2>/dev/null || return 1
	sim_env CLKNETSIM_START_DATE=$(($(date +%s) + 3600))
}

# scn_refclock DUT ERROR BOUND CONF: the DUT alone (node 1), a stratum-1
# server of clknetsim's reference clock, whose error is the expression
# ERROR, through the refclock lines CONF; 2 h, in sync within BOUND.
scn_refclock() {
	sim_clock 1 "$SCN_OFFSET" "$SCN_FREQ"
	sim_cfg "node1_refclock = $2"
	sim_node 1 "$1" "$4
makestep 0.1 3" || return 1
	SCN_NODES=1
	SCN_MEASURE=1
	SCN_BOUND=$3
	SCN_HOURS=2
}

# scn_chain DUT MIDDLE LEAVES: node 1 chronyd local stratum 1; node 2
# (MIDDLE) its client and the server of nodes 3 and 4 (LEAVES).
scn_chain() {
	sim_link 1 2 "$SCN_DELAY"
	sim_link 2 3 "$SCN_DELAY"
	sim_link 2 4 "$SCN_DELAY"
	for _i in 2 3 4; do
		sim_clock $_i "$SCN_OFFSET" "$SCN_FREQ"
	done
	sim_node 1 chronyd "local stratum 1" &&
	    sim_node 2 "$2" "server 192.168.123.1" &&
	    sim_node 3 "$3" "server 192.168.123.2" &&
	    sim_node 4 "$3" "server 192.168.123.2"
	SCN_NODES=4
	SCN_MEASURE="2 3 4"
	# the leaves wait for node 2 to sync first: figures from 10 min
	SCN_WARMUP=600
}

sim_scenario() {
	SCN_AGAINST=
	SCN_HOURS=6
	SCN_BOUND=1e-3
	SCN_WARMUP=210
	_d=$2
	case $1 in
	default)
		scn_simple "$_d" ;;
	jitter1ms)
		# 100 us + Exp(1 ms) each way
		scn_simple "$_d" "(+ 1e-4 (* 1e-3 (exponential)))" ;;
	asymjitter)
		# the jitter upstream only: a mean asymmetry of 450 us
		scn_simple "$_d" "$SCN_DELAY" \
		    "(+ 1e-4 (* 1e-3 (exponential)))"
		SCN_BOUND=2e-3 ;;
	wander)
		scn_simple "$_d" "" "" "(+ 1e-4 (sum (* 1e-7 (normal))))" ;;
	freqstep)
		# the frequency 1 ppm lower from 3 h on (a step, as a
		# temperature change)
		scn_simple "$_d" "" "" \
		    "(+ 1e-4 (* 5e-7 (pulse 10800 10800)) (sum (* 1e-9 (normal))))" ;;
	delaystep)
		# the path 1 ms longer each way from 3 h on (a new route)
		scn_simple "$_d" \
		    "(+ $SCN_DELAY (* 1e-3 (max 0 (min 1 (+ time -10800)))))" ;;
	tempcycle)
		# the frequency swinging 1 ppm either way every 2 h
		scn_simple "$_d" "" "" \
		    "(+ 1e-4 (* 1e-6 (sine 7200)) (sum (* 1e-9 (normal))))" ;;
	freq500)
		scn_simple "$_d" "" "" "(+ 5e-4 (sum (* 1e-9 (normal))))" ;;
	freq5pct)
		# 5% fast, as chrony's 003-largefreqoffset: 6.5 s behind,
		# so that the clock is near true time at the first update
		scn_simple "$_d" "" "" "(+ 5e-2 (sum (* 1e-9 (normal))))" -6.5 ;;
	step)
		# 10 s off: stepped
		scn_simple "$_d" "" "" "" 10 &&
		    echo "makestep 1 3" >>"$R/conf.2" ;;
	extstep)
		# the clock stepped 1 s ahead at 3 h by another program
		scn_simple "$_d" &&
		    sim_step 2 "(equal 0.1 (sum 1.0) 10800)" ;;
	falseticker3)
		# node 3 is 10 ms off
		scn_servers "$_d" 3 "0 0" "0 0" "0.01 0" ;;
	strata)
		# a stratum-1 server 20 ms away with 2 ms of jitter (node
		# 1) and a stratum-2 one in the default network's 100 us
		# (node 2): a stratum weighs 1 ms (stratumweight), so both
		# daemons follow the near one
		sim_link 1 3 "(+ 0.02 (* 2e-3 (exponential)))"
		sim_link 2 3 "$SCN_DELAY"
		sim_clock 3 "$SCN_OFFSET" "$SCN_FREQ"
		sim_node 1 chronyd "local stratum 1" &&
		    sim_node 2 chronyd "local stratum 2" &&
		    sim_node 3 "$_d" "server 192.168.123.1
server 192.168.123.2" || return 1
		SCN_NODES=3
		SCN_MEASURE=3 ;;
	falseticker5)
		# node 4 is 10 ms ahead, node 5 starts 5 ms behind and runs
		# 1 ppm slow
		scn_servers "$_d" 5 "0 0" "0 0" "0 0" "0.01 0" "-0.005 -1e-6" ;;
	intermittent)
		# the server unreachable (both ways) 20 minutes of every
		# hour: network time mod 3600 in [2400, 3600]
		scn_simple "$_d" \
		    "(+ $SCN_DELAY (* -1 (equal 600 (% time 3600) 3000)))" ;;
	loss20)
		# each packet lost with probability 0.2 (uniform in
		# [0, 0.2])
		scn_simple "$_d" \
		    "(+ $SCN_DELAY (* -1 (equal 0.1 (uniform) 0.1)))" ;;
	poll-6)
		scn_simple "$_d" "" "" "" "" "minpoll -6 maxpoll -6"
		SCN_HOURS=1 ;;
	poll-2)
		scn_simple "$_d" "" "" "" "" "minpoll -2 maxpoll -2"
		SCN_HOURS=2 ;;
	poll6)
		scn_simple "$_d" "" "" "" "" "minpoll 6 maxpoll 6" ;;
	poll10)
		# 17 min between samples: the figures from the third hour
		scn_simple "$_d" "" "" "" "" "minpoll 10 maxpoll 10"
		SCN_HOURS=12
		SCN_WARMUP=7200 ;;
	iburst)
		scn_simple "$_d" "" "" "" "" iburst &&
		    echo "makestep 1 3" >>"$R/conf.2" ;;
	filter)
		# chrony's 127-filter: 16 s polls, of each 15 samples the
		# median; figures from 15 min (the third median is at 720 s)
		scn_simple "$_d" "" "" "" "" "minpoll 4 maxpoll 4 filter 15"
		SCN_WARMUP=900 ;;
	xleave)
		scn_simple "$_d" "" "" "" "" xleave ;;
	chain)
		# the DUT as server (node 2) and as its clients (3, 4)
		scn_chain "$_d" "$_d" "$_d" ;;
	chainsrv)
		# the DUT as server, chronyd clients
		scn_chain "$_d" "$_d" chronyd ;;
	chaincli)
		# chronyd in the middle, the DUT as clients: the leaves
		# only, since the middle is the same daemon in both runs
		scn_chain "$_d" chronyd "$_d" &&
		    SCN_MEASURE="3 4" ;;
	chaincli-rel)
		# the same, the leaves' errors against the middle's clock:
		# how well they follow their server
		scn_chain "$_d" chronyd "$_d" &&
		    SCN_MEASURE="3 4" SCN_AGAINST=2 ;;
	peers)
		# symmetric mode: two DUTs (nodes 2, 3) peer with each
		# other, node 2 a client of chronyd (node 1) too, node 3
		# with no server but its peer; 100 ppm and 0.1 s off both
		sim_link 1 2 "$SCN_DELAY"
		sim_link 2 3 "$SCN_DELAY"
		sim_clock 2 "$SCN_OFFSET" "$SCN_FREQ"
		sim_clock 3 "$SCN_OFFSET" "$SCN_FREQ"
		sim_node 1 chronyd "local stratum 1" &&
		    sim_node 2 "$_d" "server 192.168.123.1
peer 192.168.123.3" &&
		    sim_node 3 "$_d" "peer 192.168.123.2" || return 1
		SCN_NODES=3
		SCN_MEASURE="2 3"
		SCN_WARMUP=600 ;;
	server50)
		# a DUT server (local stratum 1, node 1) and 50 DUT
		# clients (nodes 2..51)
		sim_node 1 "$_d" "local stratum 1" || return 1
		SCN_MEASURE=""
		_i=2
		while [ $_i -le 51 ]; do
			sim_link 1 $_i "$SCN_DELAY"
			sim_clock $_i "$SCN_OFFSET" "$SCN_FREQ"
			sim_node $_i "$_d" "server 192.168.123.1" || return 1
			SCN_MEASURE="$SCN_MEASURE $_i"
			_i=$((_i + 1))
		done
		SCN_NODES=51
		SCN_HOURS=2 ;;
	leap)
		# A leap second inserted at the end of 2008-12-31, announced
		# by the server from leapsectz right/UTC.  clknetsim's kernel
		# inserts it when its own time (from the start of the run,
		# ignoring CLKNETSIM_START_DATE) is a multiple of a day, so
		# the run starts at a UTC midnight, the one before, and lasts
		# 26 h.  The server cannot be `local` (chronyd's local
		# reference never announces a leap): it follows a clknetsim
		# reference clock (SHM, 1 ns jitter).  Each node's clock is
		# stepped +1 s just after the leap, so a daemon that inserts
		# it keeps a zero error and one that does not is 1 s off
		# (chrony's 011-leap).
		if [ ! -f /usr/share/zoneinfo/right/UTC ]; then
			sim_say "leap: no /usr/share/zoneinfo/right/UTC"
			return 1
		fi
		sim_env CLKNETSIM_START_DATE=1230681600
		SCN_SERVER="refclock SHM 0
leapsectz right/UTC" scn_simple "$_d"
		sim_cfg "node1_refclock = (* 1e-9 (normal))"
		sim_cfg "node1_step = (* 1.0 (equal 0.1 (sum 1.0) 86401))"
		sim_cfg "node2_step = (* 1.0 (equal 0.1 (sum 1.0) 86401))"
		# the figures over the last hour before the leap and the
		# two after it
		SCN_HOURS=26
		SCN_WARMUP=82800 ;;
	nts)
		# the default network over NTS: chronyd serves with a
		# certificate for its name, which the DUT trusts; its NTS-KE
		# in the process itself (clknetsim has no fork)
		scn_nts_cert || return 1
		SCN_SERVER="local stratum 1
ntsserverkey $R/nts.key
ntsservercert $R/nts.crt
ntsprocesses 0" scn_simple "$_d" "" "" "" "" nts &&
		    printf 'nosystemcert\nntstrustedcerts %s\n' \
		    "$R/nts.crt" >>"$R/conf.2" ;;
	spike)
		# 5 % of the server's answers delayed by 150 ms more
		scn_simple "$_d" \
		    "(+ $SCN_DELAY (* 0.15 (equal 0.025 (uniform) 0.025)))" \
		    "$SCN_DELAY" ;;
	stall)
		# 1 s polls; every 10 minutes the path to the client stalls
		# for half a second: one answer 150 ms late (+75 ms offset),
		# as a relay on real sockets did (issue 14)
		scn_simple "$_d" \
		    "(+ $SCN_DELAY (* 0.15 (equal 0.25 (% time 600) 300)))" \
		    "$SCN_DELAY" "" "" "minpoll 0 maxpoll 0"
		SCN_HOURS=2 ;;
	refshm)
		# a stratum-1 server fed by gpsd through SHM unit 0: samples
		# once a second, 1 us of jitter (a GPS's serial time with its
		# PPS); no network
		scn_refclock "$_d" "(* 1e-6 (normal))" 1e-4 \
		    "refclock SHM 0" ;;
	refpps)
		# gpsd's time through SHM (1 ms of jitter: a serial line's
		# sentence), not selected, and the receiver's pulse per
		# second, locked to it for its second
		scn_refclock "$_d" "(* 1e-3 (normal))" 1e-4 \
		    "refclock SHM 0 refid NMEA noselect
refclock PPS /dev/pps0 lock NMEA" ;;
	refphc)
		# a stratum-1 server disciplined by a PTP hardware clock (a
		# NIC's kept by ptp4l, a VM's /dev/ptp0): the PHC 100 ns off
		# at random, read with 1 us delay and 100 ns jitter
		sim_env CLKNETSIM_PHC_DELAY=1e-6 CLKNETSIM_PHC_JITTER=1e-7
		scn_refclock "$_d" "(* 1e-7 (normal))" 1e-5 \
		    "refclock PHC /dev/ptp0 poll 0" ;;
	hwts)
		# Network cards that timestamp (hwtimestamp eth0) on a LAN:
		# 10 us + Exp(100 ns) each way.  clknetsim's cards
		# (CLKNETSIM_TIMESTAMPING=2) each have a clock of their own,
		# 10 s off true time and read with 10 ns of noise, as
		# chrony's 133-hwtimestamp.  The DUT is the server (node 1,
		# local stratum 1) and its client (node 2, 1 s polls,
		# interleaved); in sync means within 1 us.
		sim_env CLKNETSIM_TIMESTAMPING=2
		sim_link 1 2 "(+ 1e-5 (* 1e-7 (exponential)))"
		sim_clock 2 "$SCN_OFFSET" "$SCN_FREQ"
		sim_cfg "node1_refclock = (+ 10.0 (* 1e-8 (normal)))"
		sim_cfg "node2_refclock = (+ 10.0 (* 1e-8 (normal)))"
		sim_node 1 "$_d" "local stratum 1
hwtimestamp eth0" &&
		    sim_node 2 "$_d" "server 192.168.123.1 minpoll 0 maxpoll 0 xleave
hwtimestamp eth0
log measurements
logdir $R"
		SCN_NODES=2
		SCN_MEASURE=2
		SCN_HOURS=2
		SCN_BOUND=1e-6
		SCN_WARMUP=600 ;;
	*)
		sim_say "unknown scenario $1"
		return 1 ;;
	esac
}
