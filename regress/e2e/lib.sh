# Shared by the end-to-end tests: real daemons on loopback, virtual clocks,
# stopped by the PIDs they were started with.  Sourced, not run.

top_builddir=${top_builddir:-$(pwd)}
TIMED=$top_builddir/timed
TIMECTL=$top_builddir/timectl
# Daemons exit through paths that leave allocations to the OS.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

pass=0
fail=0
PIDS=""

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: end-to-end tests start the monitor and need root"
	exit 77
fi
# debian/rules sets it: a package build may run as root (pbuilder) but
# has no network for chronyd 4.3, and no business starting daemons.
if [ -n "${TIMED_PACKAGE_BUILD:-}" ]; then
	echo "SKIP: a package build (TIMED_PACKAGE_BUILD): end-to-end tests" \
	    "start the monitor as root; run make check as root in a build tree"
	exit 77
fi

T=$(mktemp -d /tmp/timed-e2e.XXXXXX)
chmod 755 "$T"
mkdir -m 755 "$T/empty"
# timectl runs as nobody too: it must be reachable by everyone.
cp "$TIMECTL" "$T/timectl"
chmod 755 "$T/timectl"

# KEEP_T=1 keeps the test's folder (logs, configs) for a post-mortem.
cleanup() {
	for p in $PIDS; do
		kill -KILL "$p" 2>/dev/null
	done
	if [ -n "${KEEP_T:-}" ]; then
		echo "# kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

. "${top_srcdir:-.}/regress/tap.sh"

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	_desc=$1
	shift
	if _out=$("$@" 2>&1); then
		ok "$_desc"
	else
		not_ok "$_desc" "$_out"
		return 1
	fi
}

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

# start_timed NAME CONF [ARGS...]: start a monitor in the foreground, log in
# $T/NAME.log; sets MPID.
start_timed() {
	name=$1
	conf=$2
	shift 2
	"$TIMED" -d -f "$conf" "$@" >"$T/$name.log" 2>&1 &
	MPID=$!
	PIDS="$PIDS $MPID"
}

# wait_for SECONDS COMMAND...: until the command succeeds.
wait_for() {
	limit=$(($1 * 10))
	shift
	i=0
	while [ $i -lt $limit ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# engine_of MONITOR_PID: the engine's PID, its only child.
engine_of() {
	pgrep -P "$1" | head -n 1
}

proc_field() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

# gone PID: the process has exited.  A zombie counts as gone: checks run
# in a subshell, which cannot reap the test shell's children.
gone() {
	kill -0 "$1" 2>/dev/null || return 0
	[ "$(sed 's/.*) \([A-Z]\).*/\1/' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# need_openssl: skip the test (77) without the openssl command.
need_openssl() {
	if ! command -v openssl >/dev/null 2>&1; then
		echo "SKIP: no openssl command"
		exit 77
	fi
}

# need_chrony: chronyd and chronyc 4.3 in $chronyd and $chronyc, from
# Debian's archive, unpacked by regress/fetch-chrony.sh (never installed,
# and every test runs chronyd with -x); without them the test fails here.
need_chrony() {
	CHRONY_DIR=${TIMED_CHRONY_DIR:-/var/tmp/timed-chrony}
	if ! chronyd=$(sh "$top_srcdir/regress/fetch-chrony.sh" \
	    "$CHRONY_DIR" | tail -n 1) || [ ! -x "$chronyd" ]; then
		not_ok "chronyd 4.3 from Debian's archive" \
		    "fetch-chrony.sh failed"
		finish
	fi
	chronyc=$(dirname "$(dirname "$chronyd")")/bin/chronyc
}

# make_cert KEY CERT [SAN]: a self-signed P-256 certificate for
# localhost, valid two days, with subjectAltName SAN (default
# DNS:localhost,IP:127.0.0.1); the key is 0600.
make_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj /CN=localhost \
	    -addext "subjectAltName=${3:-DNS:localhost,IP:127.0.0.1}" \
	    -days 2 -keyout "$1" -out "$2" 2>/dev/null && chmod 600 "$1"
}

# stat_of SOCK KEY: a counter of timectl -j serverstats.
stat_of() {
	"$T/timectl" -h "$1" -j serverstats | python3 -c '
import json, sys
print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}

# json_ok JSON EXPR: the Python expression EXPR over the object o is true.
json_ok() {
	printf '%s\n' "$1" | python3 -c '
import json, sys
o = json.load(sys.stdin)
sys.exit(0 if eval(sys.argv[1]) else 1)' "$2"
}

# answer FILE EXPR: the Python expression EXPR holds over a, the last
# answer in FILE (regress/ntpclient.py's JSON) with its "answers" count.
answer() {
	python3 -c "
import json, sys
a = json.load(open('$1'))
a = dict(a['last'] or {}, answers=a['answers'])
sys.exit(0 if ($2) else 1)"
}

# contains TEXT REGEX: TEXT has a line matching REGEX.
contains() {
	printf '%s\n' "$1" | grep -q -- "$2"
}

# not_in_log FILE TEXT
not_in_log() {
	! grep -q -- "$2" "$1"
}
